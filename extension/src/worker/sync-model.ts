// What the views are told, kept by the worker from the glue's events alone: the state, the
// selected session, typing, the recent errors and the ordered messages (a copy built from the
// event diffs, so that a view's snapshot and the diffs it receives afterwards always fit together,
// even while the glue's own list is already ahead of the events still queued).
import type { Gap, Message, MessagesDiff } from 'pushsync';
import { applyDiff } from '../shared/message-list.js';
import type { ErrorNote, Typing, ViewStateInfo } from '../shared/protocol.js';

const STARTING: ViewStateInfo = { state: 'disconnected', code: 'not_started', reason: 'Starting' };

const KEPT_ERRORS = 10;

export class SyncModel {
  state: ViewStateInfo = STARTING;
  sessionId = '';
  typing: Typing = { isTyping: false, context: '' };
  messages: Message[] = [];
  gaps: Gap[] = [];
  errors: ErrorNote[] = [];

  /** Returns false when the copy drifted and was replaced from `fallback` (views need a snapshot). */
  applyMessages(diff: MessagesDiff, inserted: readonly Message[], updated: readonly Message[], fallback: () => readonly Message[]): boolean {
    if (applyDiff(this.messages, diff, inserted, updated)) return true;
    this.messages = [...fallback()];
    return false;
  }

  noteError(code: string, message: string): ErrorNote {
    const note = { code, message, at: new Date().toISOString() };
    this.errors = [...this.errors, note].slice(-KEPT_ERRORS);
    return note;
  }

  /** A new engine starts from nothing (after a settings change). */
  reset(): void {
    this.state = STARTING;
    this.typing = { isTyping: false, context: '' };
    this.messages = [];
    this.gaps = [];
  }
}
