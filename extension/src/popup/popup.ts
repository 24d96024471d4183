// The popup: the header with the connection badge, the session list, the messages, the typing
// indicator and the input; the debug panel below the header in developer mode. A thin view of the
// service worker, like every other extension page.
import { DEVELOPER_MODE_KEY, developerMode } from '../shared/developer-settings.js';
import { DebugPanel } from '../debug/debug-panel.js';
import { renderBadge } from '../view/connection-badge.js';
import { connectView } from '../view/connect-view.js';
import { byId } from '../view/dom.js';
import { showAccessNotice } from './access-notice.js';
import { Composer } from './composer.js';
import { MessageListView } from './message-list-view.js';
import { OutboxView } from './outbox-view.js';
import { SessionList } from './session-list.js';
import { showTyping } from './typing-indicator.js';

const { state, port } = connectView();

const badge = byId('connection-badge');
state.on((change) => {
  if (change === 'snapshot' || change === 'state') renderBadge(badge, state.state);
});

const composer = new Composer(
  { form: byId<HTMLFormElement>('composer'), input: byId<HTMLTextAreaElement>('message-input'), button: byId<HTMLButtonElement>('send'), status: byId('send-status') },
  state,
  port,
);
new SessionList(
  { list: byId<HTMLUListElement>('sessions'), newButton: byId<HTMLButtonElement>('new-session'), loginNotice: byId('login-notice'), title: byId('session-title') },
  state,
  port,
  (text) => composer.showError(text),
);
new MessageListView(byId<HTMLUListElement>('messages'), byId('message-scroller'), byId('empty-note'), state);
new OutboxView(byId<HTMLUListElement>('outbox'), byId('message-scroller'), state, port, (text) => composer.showError(text));
showTyping(byId('typing'), state);
showAccessNotice(byId('access-notice'), byId('access-origins'), state);

for (const id of ['open-options', 'login-link', 'access-link']) byId(id).addEventListener('click', () => void chrome.runtime.openOptionsPage());

// Developer mode: the debug panel inside the popup, remembered in chrome.storage.local.
const toggle = byId<HTMLInputElement>('developer-mode');
const panelRoot = byId('debug-panel');
let panel: DebugPanel | undefined;
const applyDeveloperMode = (on: boolean) => {
  toggle.checked = on;
  panelRoot.hidden = !on;
  if (on && !panel) panel = new DebugPanel(panelRoot, state, port);
};
toggle.addEventListener('change', () => void chrome.storage.local.set({ [DEVELOPER_MODE_KEY]: toggle.checked }));
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === 'local' && changes[DEVELOPER_MODE_KEY]) applyDeveloperMode(changes[DEVELOPER_MODE_KEY].newValue === true);
});
void chrome.storage.local.get(DEVELOPER_MODE_KEY).then((stored) => applyDeveloperMode(developerMode(stored)));
