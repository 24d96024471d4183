// The popup's chats: a vertical list (it scrolls, however many there are), the selected one
// marked, each named by its first message (chat-names.ts) with the time it was last active, so
// that two chats of the same name can be told apart. "New chat" creates a session and selects
// it. Without a login it shows the way to the options page instead. A list that failed to load
// (the worker restarting, the server away) loads again by itself once the connection is back.
import type { SessionSummary } from '../shared/protocol.js';
import { el, setText } from '../view/dom.js';
import type { ViewState } from '../view/view-state.js';
import type { WorkerPort } from '../view/worker-port.js';
import { ChatNames } from './chat-names.js';

export interface SessionListParts {
  list: HTMLUListElement;
  newButton: HTMLButtonElement;
  loginNotice: HTMLElement;
  title: HTMLElement;
  count: HTMLElement;
}

const WHEN = new Intl.DateTimeFormat([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const TODAY = new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit' });

export class SessionList {
  private sessions: SessionSummary[] = [];
  private loading = 0;
  /** The last load failed: load again when the connection comes back. */
  private failed = false;
  private readonly names = new ChatNames();

  constructor(
    private readonly parts: SessionListParts,
    private readonly state: ViewState,
    private readonly port: WorkerPort,
    private readonly showError: (text: string) => void,
  ) {
    parts.newButton.addEventListener('click', () => void this.create());
    this.names.onChange(() => this.render());
    state.on((change) => {
      if (change === 'snapshot' || change === 'account') void this.load();
      else if (change === 'state') {
        const live = state.state.state === 'connected' || state.state.state === 'polling';
        if (this.failed && live) void this.load();
      } else if (change === 'session') {
        // Selected in another view: a session this list may not have yet.
        const known = state.sessionId === '' || this.sessions.some((session) => session.sessionId === state.sessionId);
        if (known) this.render();
        else void this.load();
      } else if (change === 'messages' && this.names.isNew(state.sessionId)) {
        this.names.noteFirst(state.sessionId, state.at(0)); // the chat's first message, when this view holds it
      }
    });
  }

  async load(): Promise<void> {
    const ticket = ++this.loading;
    if (!this.state.account.loggedIn) {
      this.sessions = [];
      this.failed = false;
      this.render();
      return;
    }
    try {
      const sessions = await this.port.request<SessionSummary[]>({ op: 'listSessions' });
      if (ticket !== this.loading) return; // a later load is under way
      this.sessions = sessions;
      this.failed = false;
    } catch (error) {
      this.failed = true;
      if ((error as { code?: string }).code !== 'disconnected') this.showError(`Chats: ${(error as Error).message}`);
    }
    this.render();
  }

  private async create(): Promise<void> {
    try {
      const session = await this.port.request<SessionSummary>({ op: 'createSession' });
      await this.names.expect(session.sessionId);
      this.sessions = [session, ...this.sessions.filter((s) => s.sessionId !== session.sessionId)];
      await this.port.request({ op: 'selectSession', sessionId: session.sessionId });
      this.render();
    } catch (error) {
      this.showError(`New chat: ${(error as Error).message}`);
    }
  }

  private select(sessionId: string): void {
    this.port.request({ op: 'selectSession', sessionId }).catch((error: Error) => this.showError(`Select: ${error.message}`));
  }

  private render(): void {
    const { list, newButton, loginNotice, title, count } = this.parts;
    const loggedIn = this.state.account.loggedIn;
    loginNotice.hidden = loggedIn;
    newButton.disabled = !loggedIn;
    const current = this.state.sessionId;
    list.replaceChildren(
      ...this.sessions.map((session) => {
        const selected = session.sessionId === current;
        const name = this.names.nameOf(session);
        const when = session.updatedAt ?? session.createdAt;
        const button = el(
          'button',
          {
            className: 'session',
            title: `${name} · started ${formatWhen(session.createdAt)}`,
            attrs: { type: 'button', ...(selected ? { 'aria-current': 'true' } : {}) },
            data: { sessionId: session.sessionId },
          },
          el('span', { className: 'session-name', text: name }),
          el('span', { className: 'session-time', text: formatWhen(when) }),
        );
        button.addEventListener('click', () => this.select(session.sessionId));
        return el('li', {}, button);
      }),
    );
    if (loggedIn && this.sessions.length === 0 && !this.failed) list.append(el('li', { className: 'none', text: 'No chats yet: start one with New chat.' }));
    setText(count, this.sessions.length > 0 ? String(this.sessions.length) : '');
    const chosen = this.sessions.find((session) => session.sessionId === current);
    setText(title, current ? (chosen ? this.names.nameOf(chosen) : 'Chat') : 'pushsync');
    list.querySelector<HTMLElement>('[aria-current=true]')?.scrollIntoView({ block: 'nearest' });
  }
}

function formatWhen(timestamp: string | undefined): string {
  const date = new Date(timestamp ?? '');
  if (Number.isNaN(date.getTime())) return '';
  return date.toDateString() === new Date().toDateString() ? TODAY.format(date) : WHEN.format(date);
}
