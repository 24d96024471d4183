// The outbox's decisions as pure functions (the worker's outbox.ts does the I/O; the popup's
// outbox-view.ts uses the match too): what a failed send means, how long to wait before the next
// attempt, which entry goes next, and which message of the server is an entry's. Time is always an argument; nothing here reads a clock or a random
// source. Plain JavaScript with JSDoc types, so that the build (esbuild), tsc and `node --test`
// (tests/extension/outbox-rules.test.mjs) all use this one file.
//
// Theory of operation. An entry is `queued` until an attempt starts (`sending`). The attempt ends
// in one of four ways (classifyFailure for the failures):
//   - answered 2xx: the server stored the message; the entry waits, still `sending`, until the
//     server's message is in the engine's store (then it leaves the outbox: no flicker), at most
//     ACKNOWLEDGED_WAIT_MS;
//   - `retry` (network, 408, 425, 429, 5xx): `queued` again, next attempt after backoffMs (or the
//     server's Retry-After when longer);
//   - `wait` (no token, token refused, no host permission): `queued` until the token or the
//     permissions change, or the backoff's cap passes;
//   - `fail` (any other 4xx: the same request would be refused again): `failed` with the code and
//     the reason, until the user retries or discards it.
// An attempt whose request may have reached the server without its answer reaching us (no answer,
// or a 5xx) leaves the entry `uncertain`: before it is sent again, the session's newest messages
// are read and searched for it (findServerMessage), because a backend that does not honour
// clientMessageId would store it twice.

/** The first retry comes after this long; each further one waits twice as long as the one before. */
export const BACKOFF_BASE_MS = 1_000;
/** ...up to this: a server that comes back is used within half a minute (the wake alarm's period). */
export const BACKOFF_CAP_MS = 30_000;
/** A Retry-After longer than this is not believed: the entry is tried again after this long. */
export const RETRY_AFTER_CAP_MS = 10 * 60_000;
/**
 * An answered entry leaves the outbox when the server's message shows in the engine's store, or
 * after this long (the message arrives by push or by the catch-up after `interact_response`; a
 * backend that never sends it must not leave the entry on screen for ever).
 */
export const ACKNOWLEDGED_WAIT_MS = 30_000;
/**
 * How much earlier than the entry's creation (the worker's clock) the server's timestamp of its
 * message may be, when the message can only be found by its content: clocks of two machines differ.
 */
export const CLOCK_SKEW_MS = 60_000;

/**
 * What a failed send means for its entry.
 * `retry`: try again after a backoff (the network or the server may recover).
 * `wait`: nothing changes until the user logs in or grants a host (then the outbox is woken).
 * `fail`: the backend refused this message; the same request would be refused again.
 * @param {{ status: number, code: string }} error an ApiError's HTTP status (0: no answer) and code
 * @returns {'retry' | 'wait' | 'fail'}
 */
export function classifyFailure({ status, code }) {
  if (status === 0) {
    if (code === 'no_host_permission') return 'wait';
    return code === 'unreachable' ? 'retry' : 'fail';
  }
  if (status === 401) return 'wait'; // no token, or an expired one: a login brings a new one
  if (status === 408 || status === 425 || status === 429 || status >= 500) return 'retry';
  return 'fail'; // 400 bad input, 403 not yours, 404 no such session, 409, 413 too large, 422...
}

/**
 * Whether a failed attempt may have stored the message all the same: no answer (the request may
 * have reached the server before the connection broke) or a 5xx (the server may have failed
 * after storing it). A 4xx and a 429 are answers of a server that did not store it.
 * @param {{ status: number, code: string }} error
 * @returns {boolean}
 */
export function outcomeUnknown({ status, code }) {
  if (status === 0) return code === 'unreachable';
  return status >= 500;
}

/**
 * The wait before attempt `failures + 1`: BACKOFF_BASE_MS doubling per failure up to
 * BACKOFF_CAP_MS, scaled by 0.5 + random / 2 so that many clients do not come back in step, and
 * never shorter than the server's Retry-After.
 * @param {number} failures failed attempts so far (1 after the first failure)
 * @param {number} random a number in [0, 1)
 * @param {number | null} [retryAfterMs] the server's Retry-After, if it sent one
 * @returns {number}
 */
export function backoffMs(failures, random, retryAfterMs = null) {
  const exponent = Math.max(0, failures - 1);
  const full = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(exponent, 30));
  const jittered = Math.round(full * (0.5 + random / 2));
  if (retryAfterMs === null || !(retryAfterMs > 0)) return jittered;
  return Math.max(jittered, Math.min(retryAfterMs, RETRY_AFTER_CAP_MS));
}

/**
 * A Retry-After header in milliseconds from `now`: delta-seconds ("120") or an HTTP date. Null
 * when absent or unreadable, 0 for a date in the past.
 * @param {string | null | undefined} value
 * @param {number} now epoch milliseconds
 * @returns {number | null}
 */
export function parseRetryAfter(value, now) {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  const date = Date.parse(text);
  if (Number.isNaN(date) || !/[a-z]/i.test(text)) return null;
  return Math.max(0, date - now);
}

/**
 * @typedef {object} PendingEntry the fields of an outbox entry these rules read
 * @property {string} clientMessageId
 * @property {string} sessionId
 * @property {string} content
 * @property {string} createdAt ISO-8601, the worker's clock
 * @property {'queued' | 'sending' | 'failed'} status
 * @property {number} attempts
 * @property {number} [nextAttemptAt] epoch ms: not before (a backoff)
 * @property {string} [waitingFor] 'token' | 'permission' | 'network': blocked until that changes
 * @property {boolean} [answered] the send was answered 2xx: stored, waiting to show in the store
 * @property {string} [messageId] the server's id of the message, from the send's answer
 * @property {string} [notBefore] the newest server timestamp the store had when the entry was made
 */

/**
 * The entry to send next, if one may go now: the oldest entry that is not failed or answered, and
 * only when no older entry is in flight (messages go out one at a time, in the order they were
 * written; an answered entry is stored already, and a failed one does not hold back the ones
 * after it: it goes out only when the user retries it). Returns the entry and, when it has to wait, until when (null: it waits
 * for an event, not a time).
 * @template {PendingEntry} E
 * @param {readonly E[]} entries oldest first
 * @param {number} now epoch ms
 * @param {boolean} online
 * @returns {{ entry: E, at: number | null } | null} null: nothing to send
 */
export function nextToSend(entries, now, online) {
  for (const entry of entries) {
    if (entry.status === 'failed' || entry.answered) continue;
    if (entry.status === 'sending') return null; // in flight: one at a time
    if (!online) return { entry, at: null };
    if (entry.waitingFor && entry.nextAttemptAt === undefined) return { entry, at: null };
    const at = entry.nextAttemptAt ?? 0;
    return { entry, at: at <= now ? now : at };
  }
  return null;
}

/**
 * @typedef {object} ServerMessage the fields of a message these rules read
 * @property {string} messageId
 * @property {string} role
 * @property {string} [content]
 * @property {string} timestamp
 * @property {string} [clientMessageId]
 */

/**
 * The server's message for `entry` among `messages`, if it is there: the one carrying its
 * clientMessageId (a backend that echoes it); else the one with the id the send's answer named;
 * else, only after an attempt (before one, the server cannot have it), a user message with the
 * same content that carries no clientMessageId of its own, is not `claimed` by an entry before,
 * and is newer than the store's newest message when the entry was made (`notBefore`, server time)
 * or, without that, no older than the entry's creation less CLOCK_SKEW_MS. The content match is
 * the only evidence a backend that ignores clientMessageId gives: another client's identical
 * message in that window would be taken for this one.
 * @param {PendingEntry} entry
 * @param {readonly ServerMessage[]} messages
 * @param {ReadonlySet<string>} claimed ids of messages already matched to other entries
 * @returns {string | null} the message's id
 */
export function findServerMessage(entry, messages, claimed) {
  for (const message of messages) if (message.clientMessageId === entry.clientMessageId) return message.messageId;
  if (entry.messageId) {
    for (const message of messages) if (message.messageId === entry.messageId) return message.messageId;
  }
  if (entry.attempts === 0) return null;
  const after = entry.notBefore !== undefined ? Date.parse(entry.notBefore) : Date.parse(entry.createdAt) - CLOCK_SKEW_MS - 1;
  for (const message of messages) {
    if (message.role !== 'user' || message.content !== entry.content) continue;
    if (message.clientMessageId !== undefined && message.clientMessageId !== '') continue;
    if (claimed.has(message.messageId)) continue;
    if (!(Date.parse(message.timestamp) > after)) continue;
    return message.messageId;
  }
  return null;
}
