// The line under the chat's name: the session's status as the backend last reported it
// (session_update), "Syncing…" while the list shown came from the local copy and the server has
// not confirmed it yet (the list a little dimmed meanwhile), and the server the chat lives on.
import { el, setText } from '../view/dom.js';
import type { ViewState } from '../view/view-state.js';

export interface ChatHeaderParts {
  status: HTMLElement;
  syncNote: HTMLElement;
  server: HTMLElement;
  /** Marked data-confirmed=false while unconfirmed (styles.css dims the list a little). */
  chat: HTMLElement;
}

const SESSION_STATUS_WORDS: Record<string, string> = {
  active: 'Active',
  completed: 'Completed',
  failed: 'Failed',
  interrupted: 'Interrupted',
};

export function showChatHeader(parts: ChatHeaderParts, state: ViewState): { setServer(name: string): void } {
  const render = () => {
    const info = state.sessionInfo;
    const status = info && info.sessionId === state.sessionId && info.status ? info.status : '';
    parts.status.hidden = status === '';
    parts.status.dataset['status'] = status;
    setText(parts.status, SESSION_STATUS_WORDS[status] ?? status);
    parts.syncNote.hidden = state.confirmed || state.sessionId === '';
    parts.chat.dataset['confirmed'] = String(state.confirmed);
  };
  state.on((change) => {
    if (change === 'snapshot' || change === 'session' || change === 'sessionInfo' || change === 'confirmed' || change === 'localCopy') render();
  });
  render();
  return {
    setServer(name: string) {
      parts.server.replaceChildren(el('span', { className: 'server-dot', attrs: { 'aria-hidden': 'true' } }), document.createTextNode(name));
      parts.server.title = `Server: ${name}`;
    },
  };
}
