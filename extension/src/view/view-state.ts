// A view's copy of what the worker knows: replaced by each snapshot, then kept current by the
// changes that follow it. Components subscribe and redraw the part that changed; a component that
// renders the messages in O(changed) reads `lastDiff` in its 'messages' listener (the engine's
// positional diff just applied, in final positions) instead of comparing whole lists.
//
// Of the messages, a view holds a window (message-window.ts): one run of the worker's list, the
// newest ones from the snapshot, other runs as the message list asks for them (`range`), trimmed
// back to what is near the rows it shows. Positions (`lastDiff`, `at`, `total`) are the whole
// list's.
import type { Gap, Message, MessagesDiff } from 'pushsync';
import { applyWindowDiff, mergeRange, trimWindow, type MessageWindow } from '../shared/message-window.js';
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
  | 'localCopy'
  /** A run of messages the view asked for came (`window` grew or moved; no message changed). */
  | 'range'
  /** The view let go of messages far from the rows it shows (keepOnly). */
  | 'trimmed';

const KEPT_ERRORS = 10;
/** A view holds at most this many messages (past it, it lets go of those far from what it shows). */
export const HELD_MAX = 600;

export class ViewState {
  state: ViewStateInfo = { state: 'disconnected', code: 'not_started', reason: 'Waiting for the service worker' };
  sessionId = '';
  typing: Typing = { isTyping: false, context: '' };
  /** The run of the worker's list this view holds, its offset there, and the list's size. */
  window: MessageWindow = { messages: [], offset: 0, total: 0 };
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
  /**
   * Whether the state lets go of messages itself, keeping the newest HELD_MAX. A view that shows
   * messages at a place of its choosing (the message list) turns it off and calls keepOnly.
   */
  trimsItself = true;
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

  /** The messages this view holds: a run of the worker's list (see `window`). */
  get messages(): Message[] {
    return this.window.messages;
  }

  /** The size of the worker's list. */
  get total(): number {
    return this.window.total;
  }

  /** Whether this view holds the newest messages (its run ends the list). */
  get holdsEnd(): boolean {
    return this.window.offset + this.window.messages.length === this.window.total;
  }

  /** The message at `index` of the worker's list, if this view holds it. */
  at(index: number): Message | undefined {
    return this.window.messages[index - this.window.offset];
  }

  /** The part of list[start, end) this view holds. */
  held(start: number, end: number): { start: number; end: number } {
    const from = Math.max(start, this.window.offset);
    const to = Math.min(end, this.window.offset + this.window.messages.length);
    return to > from ? { start: from, end: to } : { start, end: start };
  }

  /** Keeps only list[from, to) of what the view holds (the rows near those shown). */
  keepOnly(from: number, to: number): void {
    const before = this.window.messages.length;
    trimWindow(this.window, from, to);
    if (this.window.messages.length !== before) this.emit('trimmed');
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
    this.window = { messages, offset: 0, total: messages.length };
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
        // Older workers (and the tests' stubs) may leave out the window's place: the whole list.
        this.window = { messages: [...message.messages], offset: message.offset ?? 0, total: message.total ?? message.messages.length };
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
        const fits = applyWindowDiff(this.window, message.diff, message.inserted, message.updated);
        if (this.trimsItself && this.window.messages.length > HELD_MAX) trimWindow(this.window, this.window.total - HELD_MAX, this.window.total);
        this.lastDiff = fits ? message.diff : null;
        this.emit('messages');
        this.lastDiff = null;
        return fits;
      }
      case 'range':
        // Asked for after a snapshot, posted in line with the diffs: it fits the list as it stands
        // here. One that does not (asked for before the snapshot came) is dropped.
        if (!this.snapshotSeen || message.total !== this.window.total) return true;
        mergeRange(this.window, message.start, message.messages);
        this.emit('range');
        return true;
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
