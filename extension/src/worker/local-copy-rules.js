// The rules of the worker's local copy of the chats, as pure functions (no storage, no clock):
// the order the engine keeps (so a stored session reads back in order), the bounds (a cap per
// session, a count of sessions, the least recently used evicted) and the batching of the engine's
// diffs into writes. Plain JavaScript with JSDoc types, like hosts.js: `node --test
// tests/extension/` imports it as it is, the build bundles it and tsc checks it.

/** @typedef {import('pushsync').Message} Message */
/** @typedef {import('pushsync').MessagesDiff} MessagesDiff */

/**
 * Messages kept per session: the newest ones. A popup paints them at once (IndexedDB reads 1,000
 * in a few tens of milliseconds in a cold worker, 10,000 in 200-400 ms: bench/results/storage.json),
 * and the engine reads everything newer than them; what is older loads as it does without a copy.
 */
export const MESSAGES_PER_SESSION = 1000;
/** Sessions kept: the most recently selected ones; the rest are evicted whole. */
export const SESSIONS_KEPT = 20;
/** A batch is written this long after its first change: a burst of pushes costs one transaction. */
export const FLUSH_DELAY_MS = 250;
/** ... or at once when it holds this many messages (a page of a backfill). */
export const FLUSH_AT = 200;

/**
 * The stored key of a message: its session, then the engine's order (server time, sequence number,
 * id; core/include/pushsync/message_store.h). IndexedDB orders array keys element by element, so a
 * key range over one session reads it in order and the oldest messages are the lowest keys.
 * @param {string} sessionId
 * @param {Message} message
 * @returns {[string, number, number, string]}
 */
export function messageKey(sessionId, message) {
  const time = Date.parse(message.timestamp);
  return [sessionId, Number.isFinite(time) ? time : 0, message.sequenceNumber || 0, message.messageId];
}

/**
 * The engine's order: time, then sequence number, then id.
 * @param {Message} a
 * @param {Message} b
 */
export function compareMessages(a, b) {
  const [, ta, sa, ia] = messageKey('', a);
  const [, tb, sb, ib] = messageKey('', b);
  if (ta !== tb) return ta - tb;
  if (sa !== sb) return sa - sb;
  return ia < ib ? -1 : ia > ib ? 1 : 0;
}

/**
 * What a stored session reads back as: one copy per id (the last one written wins: a message whose
 * time changed leaves its old record behind), in the engine's order, the newest `cap` of them.
 * @param {readonly Message[]} stored in key order
 * @param {number} [cap]
 * @returns {Message[]}
 */
export function cachedList(stored, cap = MESSAGES_PER_SESSION) {
  /** @type {Map<string, Message>} */
  const byId = new Map();
  for (const message of stored) byId.set(message.messageId, message);
  const list = [...byId.values()];
  if (list.length !== stored.length) list.sort(compareMessages);
  return list.length > cap ? list.slice(list.length - cap) : list;
}

/**
 * The sessions to evict: every one but the `kept` most recently used.
 * @param {ReadonlyArray<{sessionId: string, usedAt: number}>} sessions
 * @param {number} [kept]
 * @returns {string[]}
 */
export function sessionsToEvict(sessions, kept = SESSIONS_KEPT) {
  return [...sessions]
    .sort((a, b) => b.usedAt - a.usedAt || (a.sessionId < b.sessionId ? -1 : 1))
    .slice(kept)
    .map((session) => session.sessionId);
}

/**
 * One session's changes waiting to be written.
 * @typedef {object} SessionWrite
 * @property {string} sessionId
 * @property {boolean} replace true: the session is emptied first (the engine reloaded it whole)
 * @property {Message[]} messages to put, one per id, the latest copy
 */

/**
 * The changes of the engine's diffs not yet written, per session: the messages a diff inserted or
 * updated (a later copy of an id replaces an earlier one), and whether the engine reloaded the
 * session whole (a reset: the stored copy is replaced, not merged). Messages the engine dropped
 * from the front need no write: the copy is trimmed to its own cap after each batch.
 */
export class PendingWrites {
  constructor() {
    /** @type {Map<string, {replace: boolean, messages: Map<string, Message>}>} */
    this.sessions = new Map();
    this.count = 0;
  }

  /**
   * @param {MessagesDiff} diff
   * @param {readonly Message[]} inserted
   * @param {readonly Message[]} updated
   */
  note(diff, inserted, updated) {
    let entry = this.sessions.get(diff.sessionId);
    if (!entry || diff.reset) {
      if (entry) this.count -= entry.messages.size;
      entry = { replace: diff.reset || (entry?.replace ?? false), messages: new Map() };
      this.sessions.set(diff.sessionId, entry);
    }
    for (const message of [...inserted, ...updated]) {
      if (!entry.messages.has(message.messageId)) this.count++;
      entry.messages.set(message.messageId, message);
    }
  }

  get empty() {
    return this.sessions.size === 0;
  }

  /** Everything noted, and nothing left: the batch to write. @returns {SessionWrite[]} */
  take() {
    const batch = [...this.sessions].map(([sessionId, entry]) => ({ sessionId, replace: entry.replace, messages: [...entry.messages.values()] }));
    this.sessions.clear();
    this.count = 0;
    return batch;
  }
}

/**
 * Whose copy it is: the server and the account. A copy of another owner is wiped, never shown.
 * Null while logged out (nothing is kept then).
 * @param {string} apiBase
 * @param {string} email
 * @param {string | null} token
 * @returns {string | null}
 */
export function copyOwner(apiBase, email, token) {
  return token ? `${apiBase} ${email}` : null;
}
