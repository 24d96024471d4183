// A view's copy of what the worker knows: replaced by each snapshot, then kept current by the
// changes that follow it. Components subscribe and redraw the part that changed; a component that
// renders the messages in O(changed) reads `lastDiff` in its 'messages' listener (the engine's
// positional diff just applied, in final positions) instead of comparing whole lists.
import type { Gap, Message, MessagesDiff } from 'pushsync';
import { applyDiff } from '../shared/message-list.js';
import type { Account, ErrorNote, Figures, OutboxEntry, SessionInfo, ToView, Typing, ViewStateInfo } from '../shared/protocol.js';

export type Change =
  | 'snapshot'
  | 'state'
  | 'session'
  | 'messages'
  | 'gaps'
  | 'typing'
  | 'figures'
  | 'account'
  | 'error'
  | 'link'
  | 'confirmed'
  | 'outbox'
  | 'sessionInfo'
  | 'localCopy';

const KEPT_ERRORS = 10;

export class ViewState {
  state: ViewStateInfo = { state: 'disconnected', code: 'not_started', reason: 'Waiting for the service worker' };
  sessionId = '';
  typing: Typing = { isTyping: false, context: '' };
  messages: Message[] = [];
  /** The diff of the latest 'messages' change (valid during its listeners; a snapshot clears it). */
  lastDiff: MessagesDiff | null = null;
  /** False while `messages` came from the worker's local copy, not yet confirmed by the server. */
  confirmed = true;
  /** Sends the backend has not confirmed yet, of every session, oldest first. */
  outbox: OutboxEntry[] = [];
  /** The selected session's last `session_update` (title, status), if any. */
  sessionInfo: SessionInfo | null = null;
  gaps: Gap[] = [];
  figures: Figures | null = null;
  account: Account = { loggedIn: false, email: '' };
  errors: ErrorNote[] = [];
  /** Host permissions the settings need and Chrome did not grant (the worker runs no engine then). */
  missingOrigins: readonly string[] = [];
  /** Whether the port to the worker is open. */
  linked = false;
  /** A snapshot of the worker came: what the view read itself (showLocalCopy) no longer counts. */
  private snapshotSeen = false;
  private readonly listeners = new Set<(change: Change) => void>();

  on(listener: (change: Change) => void): void {
    this.listeners.add(listener);
  }

  setLinked(linked: boolean): void {
    this.linked = linked;
    this.emit('link');
  }

  /** The outbox entries of the selected session, oldest first. */
  sessionOutbox(): OutboxEntry[] {
    return this.outbox.filter((entry) => entry.sessionId === this.sessionId);
  }

  /**
   * The local copy's newest messages of `sessionId`, read by the view itself (early-copy.ts) while
   * the worker has yet to answer: shown not confirmed, until the worker's first snapshot replaces
   * them. Ignored once a snapshot came (the worker knows better). Emits 'localCopy'.
   */
  showLocalCopy(sessionId: string, messages: Message[], gaps: Gap[]): boolean {
    if (this.snapshotSeen) return false;
    this.sessionId = sessionId;
    this.messages = messages;
    this.gaps = [...gaps];
    this.lastDiff = null;
    this.confirmed = false;
    this.emit('localCopy');
    return true;
  }

  /** Returns false when a diff did not fit: the caller asks the worker for a fresh snapshot. */
  receive(message: ToView): boolean {
    switch (message.type) {
      case 'snapshot':
        this.snapshotSeen = true;
        this.state = message.state;
        this.sessionId = message.sessionId;
        this.typing = message.typing;
        this.messages = [...message.messages];
        this.lastDiff = null;
        // Older workers (and the tests' stubs) may leave out the fields added with issue 10.
        this.confirmed = message.confirmed ?? true;
        this.outbox = [...(message.outbox ?? [])];
        this.sessionInfo = message.sessionInfo ?? null;
        this.gaps = [...message.gaps];
        this.figures = message.figures;
        this.account = message.account;
        this.errors = [...message.errors];
        this.missingOrigins = message.missingOrigins;
        this.emit('snapshot');
        return true;
      case 'state':
        this.state = { state: message.state, code: message.code, reason: message.reason };
        this.emit('state');
        return true;
      case 'session':
        this.sessionId = message.sessionId;
        // session_update describes one session: another one's info does not carry over.
        if (this.sessionInfo && this.sessionInfo.sessionId !== message.sessionId) {
          this.sessionInfo = null;
          this.emit('sessionInfo');
        }
        this.emit('session');
        return true;
      case 'messages': {
        const fits = applyDiff(this.messages, message.diff, message.inserted, message.updated);
        this.lastDiff = fits ? message.diff : null;
        this.emit('messages');
        this.lastDiff = null;
        return fits;
      }
      case 'gaps':
        this.gaps = [...message.gaps];
        this.emit('gaps');
        return true;
      case 'confirmed':
        this.confirmed = message.confirmed;
        this.emit('confirmed');
        return true;
      case 'outbox':
        this.outbox = [...message.entries];
        this.emit('outbox');
        return true;
      case 'sessionInfo':
        this.sessionInfo = message.info;
        this.emit('sessionInfo');
        return true;
      case 'typing':
        this.typing = { isTyping: message.isTyping, context: message.context };
        this.emit('typing');
        return true;
      case 'figures':
        this.figures = message.figures;
        this.emit('figures');
        return true;
      case 'account':
        this.account = { loggedIn: message.loggedIn, email: message.email };
        this.emit('account');
        return true;
      case 'error':
        this.errors = [...this.errors, { code: message.code, message: message.message, at: message.at }].slice(-KEPT_ERRORS);
        this.emit('error');
        return true;
      case 'reply':
        return true;
    }
  }

  private emit(change: Change): void {
    for (const listener of this.listeners) listener(change);
  }
}
