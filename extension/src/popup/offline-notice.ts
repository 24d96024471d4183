// The chat's notice that messages cannot come in live, in plain words: the browser is offline
// (state code network_offline), or the server cannot be reached (server_unreachable: the engine
// is retrying, or reading new messages over REST while push is down). Decided on the state code,
// never on the reason's text. It goes away by itself when the connection is back; the connection
// badge itself is the debug panel's (roadmap v1.7), not the chat's.
import { setText } from '../view/dom.js';
import type { ViewState } from '../view/view-state.js';

export function showOfflineNotice(notice: HTMLElement, state: ViewState): void {
  const render = () => {
    const text = noticeText(state);
    notice.hidden = text === '';
    notice.dataset['code'] = text === '' ? '' : state.state.code;
    notice.dataset['state'] = text === '' ? '' : state.state.state;
    setText(notice, text);
  };
  state.on((change) => {
    if (change === 'snapshot' || change === 'state' || change === 'session') render();
  });
  render();
}

function noticeText(state: ViewState): string {
  if (state.sessionId === '') return '';
  switch (state.state.code) {
    case 'network_offline':
      return 'You are offline. New messages will show up when the network is back.';
    case 'server_unreachable':
      // Polling: the app server answers, the push server does not; messages still come, later.
      return state.state.state === 'polling'
        ? 'Live updates are paused: the push server cannot be reached. New messages are still checked for every few seconds.'
        : 'Cannot reach the server. Trying again…';
    default:
      return '';
  }
}
