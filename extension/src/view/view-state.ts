// A view's copy of what the worker knows: replaced by each snapshot, then kept current by the
// changes that follow it. Components subscribe and redraw the part that changed.
import type { Gap, Message } from 'pushsync';
import { applyDiff } from '../shared/message-list.js';
import type { Account, ErrorNote, Figures, OutboxEntry, ToView, Typing, ViewStateInfo } from '../shared/protocol.js';

export type Change = 'snapshot' | 'state' | 'session' | 'messages' | 'gaps' | 'outbox' | 'typing' | 'figures' | 'account' | 'error' | 'link';

const KEPT_ERRORS = 10;

export class ViewState {
  state: ViewStateInfo = { state: 'disconnected', code: 'not_started', reason: 'Waiting for the service worker' };
  sessionId = '';
  typing: Typing = { isTyping: false, context: '' };
  messages: Message[] = [];
  gaps: Gap[] = [];
  /** The worker's outbox: sends not yet confirmed by the backend, of every session, oldest first. */
  outbox: OutboxEntry[] = [];
  figures: Figures | null = null;
  account: Account = { loggedIn: false, email: '' };
  errors: ErrorNote[] = [];
  /** Host permissions the settings need and Chrome did not grant (the worker runs no engine then). */
  missingOrigins: readonly string[] = [];
  /** Whether the port to the worker is open. */
  linked = false;
  private readonly listeners = new Set<(change: Change) => void>();

  on(listener: (change: Change) => void): void {
    this.listeners.add(listener);
  }

  setLinked(linked: boolean): void {
    this.linked = linked;
    this.emit('link');
  }

  /** Returns false when a diff did not fit: the caller asks the worker for a fresh snapshot. */
  receive(message: ToView): boolean {
    switch (message.type) {
      case 'snapshot':
        this.state = message.state;
        this.sessionId = message.sessionId;
        this.typing = message.typing;
        this.messages = [...message.messages];
        this.gaps = [...message.gaps];
        this.outbox = [...message.outbox];
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
        this.emit('session');
        return true;
      case 'messages': {
        const fits = applyDiff(this.messages, message.diff, message.inserted, message.updated);
        this.emit('messages');
        return fits;
      }
      case 'gaps':
        this.gaps = [...message.gaps];
        this.emit('gaps');
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
      case 'outbox':
        this.outbox = [...message.entries];
        this.emit('outbox');
        return true;
      case 'confirmed':
      case 'sessionInfo':
        return true; // shown by the views once the local copy, the outbox and session_update land (issue 10)
      case 'reply':
        return true;
    }
  }

  private emit(change: Change): void {
    for (const listener of this.listeners) listener(change);
  }
}
