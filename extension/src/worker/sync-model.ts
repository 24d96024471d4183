// What the views are told, kept by the worker from the glue's events alone: the state, the
// selected session, typing, the recent errors and the ordered messages (the worker's one list of
// them, built from the event diffs, so that a view's snapshot and the diffs it receives afterwards
// always fit together, even while the engine's store is already ahead of the events still queued;
// the events' versions tell what a reread of the store already holds).
//
// Until the engine has a session's messages, the views are shown the local copy's list of it
// instead (`showCached`), marked as not confirmed; the engine's own list replaces it as soon as it
// has messages of that session (or its first read completed), in a new snapshot.
import type { Gap, Message, SyncEvents } from 'pushsync';
import { applyDiff } from '../shared/message-list.js';
import type { ErrorNote, Typing, ViewStateInfo } from '../shared/protocol.js';

const STARTING: ViewStateInfo = { state: 'disconnected', code: 'not_started', reason: 'Starting' };

const KEPT_ERRORS = 10;

function sameIds(a: readonly Message[], b: readonly Message[]): boolean {
  return a.length === b.length && a.every((message, i) => message.messageId === b[i]!.messageId);
}

/**
 * What a messages event means for the views: `diff` broadcast it; `snapshot` the list was replaced
 * (the local copy's by the engine's) and views need a snapshot; `drifted` the same, after the copy
 * was rebuilt from the engine; `held` nothing to tell (the views still show the local copy, or the
 * engine's list is that very copy, handed to it by restoreMessages).
 */
export type MessagesOutcome = 'diff' | 'snapshot' | 'drifted' | 'held';

/** The engine's whole store as read now, and the version of its last diff. */
export interface StoreRead {
  messages: Message[];
  version: number;
}

export class SyncModel {
  state: ViewStateInfo = STARTING;
  sessionId = '';
  typing: Typing = { isTyping: false, context: '' };
  gaps: Gap[] = [];
  errors: ErrorNote[] = [];
  /** False while the list is the local copy's and the engine's first read of it has not completed. */
  confirmed = true;
  /** The engine's list, built from its diffs: what the next diff applies to. */
  private engineList: Message[] = [];
  /** The version of the last diff in engineList (the glue's messagesVersion). */
  private engineVersion = 0;
  /** The local copy's list of `sessionId`, shown until the engine has that session's messages. */
  private cached: Message[] | null = null;

  /** The list the views show. */
  get messages(): Message[] {
    return this.cached ?? this.engineList;
  }

  /** Shows the local copy's messages of `sessionId` until the engine's own replace them. */
  showCached(sessionId: string, messages: Message[]): void {
    this.sessionId = sessionId;
    this.cached = messages;
    this.confirmed = false;
  }

  applyMessages(event: SyncEvents['messages'], reread: () => StoreRead): MessagesOutcome {
    const { diff, inserted, updated, version } = event;
    // A diff that a reread of the store already took in changes nothing the views were told.
    if (version <= this.engineVersion) return 'held';
    let outcome: MessagesOutcome = 'diff';
    if (version !== this.engineVersion + 1 || !applyDiff(this.engineList, diff, inserted, updated)) {
      const read = reread();
      this.engineList = read.messages;
      this.engineVersion = read.version;
      outcome = 'drifted';
    } else {
      this.engineVersion = version;
    }
    if (this.cached === null) return outcome;
    // An empty list of the session (the engine's selection, before its read) does not replace
    // the copy: the first read's end does (loaded).
    if (diff.sessionId !== this.sessionId || this.engineList.length === 0) return 'held';
    const same = sameIds(this.cached, this.engineList);
    this.cached = null;
    if (outcome === 'drifted') return outcome;
    // The engine took the copy as it was (restoreMessages): the views show that list already.
    return same ? 'held' : 'snapshot';
  }

  /**
   * The engine's first read of `sessionId` completed. Returns true when the views need a snapshot
   * (the local copy's list was still shown and gives way to the engine's).
   */
  loaded(sessionId: string): boolean {
    if (sessionId !== this.sessionId) return false;
    this.confirmed = true;
    if (this.cached === null) return false;
    this.cached = null;
    return true;
  }

  /**
   * The engine selected `sessionId`. Returns true when the views need a snapshot (a local copy
   * of another session was shown).
   */
  selected(sessionId: string): boolean {
    const dropped = this.cached !== null && sessionId !== this.sessionId;
    if (dropped) {
      this.cached = null;
      this.confirmed = true;
    }
    this.sessionId = sessionId;
    return dropped;
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
    this.engineList = [];
    this.engineVersion = 0;
    this.cached = null;
    this.confirmed = true;
    this.gaps = [];
  }
}
