// The popup: the chat's name with its status and server, the notices (login, permissions,
// offline), the chats, the messages with the outbox after them, the typing indicator and the
// input; the debug panel, with the connection badge, below the header in developer mode only
// (roadmap v1.7: the badge is not the chat's). A thin view of the service worker, like every
// other extension page.
import { DEVELOPER_MODE_KEY, developerMode } from '../shared/developer-settings.js';
import { DebugPanel } from '../debug/debug-panel.js';
import { connectView } from '../view/connect-view.js';
import { byId, setText } from '../view/dom.js';
import { startEarlyCopy } from '../view/early-copy.js';
import { watchServerName } from '../view/server-name.js';
import { showAccessNotice } from './access-notice.js';
import { showChatHeader } from './chat-header.js';
import { Composer } from './composer.js';
import { MessageListView } from './message-list-view.js';
import { showOfflineNotice } from './offline-notice.js';
import { OutboxView } from './outbox-view.js';
import { EARLY_ROWS } from './popup-early.js';
import { SessionList } from './session-list.js';
import { showTyping } from './typing-indicator.js';

/** The port waits this long at most for the first paint from the local copy (see below). */
const FIRST_PAINT_WAIT_MS = 250;

// The chat from the local copy at once, before the worker (perhaps stopped, and starting because
// this popup connects) answers; its snapshot replaces it. popup-early.js started the read while
// the page was parsed.
performance.mark('pushsync:popup-module'); // bench/open.mjs: when the page's module runs
const early = startEarlyCopy(EARLY_ROWS);
const { state, port } = connectView({ connect: false });

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
new MessageListView(byId<HTMLUListElement>('messages'), byId('message-scroller'), byId('empty-note'), state, (start, count) => port.request({ op: 'messages', start, count }));
const painted = early.then((copy) => {
  if (!copy || !state.showLocalCopy(copy.sessionId, copy.messages, copy.gaps)) return;
  performance.mark('pushsync:popup-copy-shown');
  return afterNextFrame();
});
new OutboxView(byId<HTMLUListElement>('outbox'), byId('message-scroller'), state, port, (text) => composer.showError(text));
showTyping(byId('typing'), state);
showAccessNotice(byId('access-notice'), byId('access-origins'), state);
const header = showChatHeader({ status: byId('session-status'), syncNote: byId('sync-note'), server: byId('server-name'), chat: byId('message-scroller') }, state);
showOfflineNotice(byId('offline-notice'), state);
watchServerName((name) => {
  header.setServer(name);
  setText(byId('login-text'), `Not logged in to ${name}.`);
});

// The port starts a stopped worker (its module, the WebAssembly compile: the two cores' work for
// a while), so it connects once the copy's rows are painted, or at once when there are none, or
// after FIRST_PAINT_WAIT_MS whatever happens: the worker's start does not slow the first paint.
// Measured both ways in one run (docs/extension.md, "Opening a view"): the first paint 12-24 ms
// sooner (median), the worker's snapshot 2-53 ms later.
void Promise.race([painted.catch(() => {}), new Promise((resolve) => setTimeout(resolve, FIRST_PAINT_WAIT_MS))]).then(() => port.connect());

/** Resolves once the next frame is drawn (its callbacks ran, then a task after it). */
function afterNextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

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
