// The popup's chat sessions: the user's list (from the backend, through the worker), the selected
// one marked, "New chat" creating and selecting a session. Without a login it shows the way to
// the options page instead.
import type { SessionSummary } from '../shared/protocol.js';
import { el, setText } from '../view/dom.js';
import type { ViewState } from '../view/view-state.js';
import type { WorkerPort } from '../view/worker-port.js';

export interface SessionListParts {
  list: HTMLUListElement;
  newButton: HTMLButtonElement;
  loginNotice: HTMLElement;
  title: HTMLElement;
}

export class SessionList {
  private sessions: SessionSummary[] = [];
  private loading = 0;

  constructor(
    private readonly parts: SessionListParts,
    private readonly state: ViewState,
    private readonly port: WorkerPort,
    private readonly showError: (text: string) => void,
  ) {
    parts.newButton.addEventListener('click', () => void this.create());
    state.on((change) => {
      if (change === 'snapshot' || change === 'account') void this.load();
      else if (change === 'session') {
        // Selected in another view: a session this list may not have yet.
        const known = state.sessionId === '' || this.sessions.some((session) => session.sessionId === state.sessionId);
        if (known) this.render();
        else void this.load();
      }
    });
  }

  async load(): Promise<void> {
    const ticket = ++this.loading;
    if (!this.state.account.loggedIn) {
      this.sessions = [];
      this.render();
      return;
    }
    try {
      const sessions = await this.port.request<SessionSummary[]>({ op: 'listSessions' });
      if (ticket !== this.loading) return; // a later load is under way
      this.sessions = sessions;
    } catch (error) {
      if ((error as { code?: string }).code !== 'disconnected') this.showError(`Sessions: ${(error as Error).message}`);
    }
    this.render();
  }

  private async create(): Promise<void> {
    try {
      const title = `Chat ${new Date().toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' })}`;
      const session = await this.port.request<SessionSummary>({ op: 'createSession', title });
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
    const { list, newButton, loginNotice, title } = this.parts;
    const loggedIn = this.state.account.loggedIn;
    loginNotice.hidden = loggedIn;
    newButton.disabled = !loggedIn;
    const current = this.state.sessionId;
    list.replaceChildren(
      ...this.sessions.map((session) => {
        const selected = session.sessionId === current;
        const button = el('button', {
          className: 'session',
          text: session.title || 'Untitled',
          title: `${session.title} · created ${new Date(session.createdAt).toLocaleString()}`,
          attrs: { type: 'button', ...(selected ? { 'aria-current': 'true' } : {}) },
          data: { sessionId: session.sessionId },
        });
        button.addEventListener('click', () => this.select(session.sessionId));
        return el('li', {}, button);
      }),
    );
    const chosen = this.sessions.find((session) => session.sessionId === current);
    setText(title, current ? (chosen?.title ?? 'Chat') : '');
  }
}
