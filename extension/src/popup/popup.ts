// The popup: the chat's name with its status and server, the notices (login, permissions,
// offline), the chats, the messages with the outbox after them, the typing indicator and the
// input; the debug panel, with the connection badge, below the header in developer mode only
// (roadmap v1.7: the badge is not the chat's). A thin view of the service worker, like every
// other extension page.
import { DEVELOPER_MODE_KEY, developerMode } from '../shared/developer-settings.js';
import { DebugPanel } from '../debug/debug-panel.js';
import { connectView } from '../view/connect-view.js';
import { byId, setText } from '../view/dom.js';
import { watchServerName } from '../view/server-name.js';
import { showAccessNotice } from './access-notice.js';
import { showChatHeader } from './chat-header.js';
import { Composer } from './composer.js';
import { MessageListView } from './message-list-view.js';
import { showOfflineNotice } from './offline-notice.js';
import { OutboxView } from './outbox-view.js';
import { SessionList } from './session-list.js';
import { showTyping } from './typing-indicator.js';

const { state, port } = connectView();

const composer = new Composer(
  { form: byId<HTMLFormElement>('composer'), input: byId<HTMLTextAreaElement>('message-input'), button: byId<HTMLButtonElement>('send'), status: byId('send-status') },
  state,
  port,
);
new SessionList(
  {
    list: byId<HTMLUListElement>('sessions'),
    newButton: byId<HTMLButtonElement>('new-session'),
    loginNotice: byId('login-notice'),
    title: byId('session-title'),
    count: byId('chat-count'),
  },
  state,
  port,
  (text) => composer.showError(text),
);
new MessageListView(byId<HTMLUListElement>('messages'), byId('message-scroller'), byId('empty-note'), state);
new OutboxView(byId<HTMLUListElement>('outbox'), byId('message-scroller'), state, port, (text) => composer.showError(text));
showTyping(byId('typing'), state);
showAccessNotice(byId('access-notice'), byId('access-origins'), state);
const header = showChatHeader({ status: byId('session-status'), syncNote: byId('sync-note'), server: byId('server-name'), chat: byId('message-scroller') }, state);
showOfflineNotice(byId('offline-notice'), state);
watchServerName((name) => {
  header.setServer(name);
  setText(byId('login-text'), `Not logged in to ${name}.`);
});

for (const id of ['open-options', 'login-link', 'access-link']) byId(id).addEventListener('click', () => void chrome.runtime.openOptionsPage());

// Developer mode: the debug panel inside the popup, and the messages' sequence numbers and raw
// statuses (shown by CSS), remembered in chrome.storage.local.
const toggle = byId<HTMLInputElement>('developer-mode');
const panelRoot = byId('debug-panel');
let panel: DebugPanel | undefined;
const applyDeveloperMode = (on: boolean) => {
  toggle.checked = on;
  panelRoot.hidden = !on;
  document.body.classList.toggle('developer', on);
  if (on && !panel) panel = new DebugPanel(panelRoot, state, port, { compact: true });
  else if (on) panel?.show();
};
toggle.addEventListener('change', () => void chrome.storage.local.set({ [DEVELOPER_MODE_KEY]: toggle.checked }));
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === 'local' && changes[DEVELOPER_MODE_KEY]) applyDeveloperMode(changes[DEVELOPER_MODE_KEY].newValue === true);
});
void chrome.storage.local.get(DEVELOPER_MODE_KEY).then((stored) => applyDeveloperMode(developerMode(stored)));
