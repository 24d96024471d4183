// The chat's notice that messages cannot come in live, in plain words: the browser is offline
// (state code network_offline), or the server cannot be reached (server_unreachable: the engine
// is retrying, or reading new messages over REST while push is down). Decided on the state code,
// never on the reason's text. It goes away by itself when the connection is back; the connection
// badge itself is the debug panel's (roadmap v1.7), not the chat's.
import { setText } from '../view/dom.js';
import type { ViewState } from '../view/view-state.js';

export function showOfflineNotice(notice: HTMLElement, state: ViewState, server: () => string): void {
  const render = () => {
    const text = noticeText(state, server());
    notice.hidden = text === '';
    notice.dataset['code'] = text === '' ? '' : state.state.code;
    setText(notice, text);
  };
  state.on((change) => {
    if (change === 'snapshot' || change === 'state' || change === 'session') render();
  });
  render();
}

function noticeText(state: ViewState, server: string): string {
  if (state.sessionId === '') return '';
  const where = server === '' ? 'the server' : server;
  switch (state.state.code) {
    case 'network_offline':
      return 'You are offline. New messages will show up when the network is back.';
    case 'server_unreachable':
      return state.state.state === 'polling'
        ? `Live updates are paused: ${where} cannot be reached right now. New messages are still checked for every few seconds.`
        : `Cannot reach ${where}. Trying again…`;
    default:
      return '';
  }
}
