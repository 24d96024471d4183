// The toolbar's unread count and what the action badge shows, as pure functions (no chrome.*, no
// clock): which of the engine's new messages count as unread while no view shows the chat, and the
// badge's text, colour and tooltip for the unread count and the failed sends. Plain JavaScript
// with JSDoc types (`node --test tests/extension/` imports it as it is).
import { compareMessages } from './local-copy-rules.js';

/** @typedef {import('pushsync').Message} Message */

/**
 * What the badge remembers of one session (persisted, so a worker Chrome stopped keeps counting):
 * the newest message a view showed, and the ids of the assistant's messages after it.
 * @typedef {object} Unread
 * @property {string} sessionId
 * @property {Message | null} seen the newest message shown when a view last had the chat open
 * @property {string[]} ids unread assistant messages (each counted once, whatever reloads them)
 */

/** The badge shows at most this; beyond it "99+". */
const SHOWN_MAX = 99;

/** @param {string} sessionId @returns {Unread} */
export function noUnread(sessionId) {
  return { sessionId, seen: null, ids: [] };
}

/**
 * A view shows the chat: everything up to `newest` is seen, nothing is unread.
 * @param {string} sessionId
 * @param {Message | null | undefined} newest
 * @returns {Unread}
 */
export function markSeen(sessionId, newest) {
  return { sessionId, seen: newest ?? null, ids: [] };
}

/**
 * The engine inserted `inserted` into `sessionId` while no view shows it. An assistant's message
 * after the seen one counts once. Without a seen message (no view ever showed this session) nothing
 * counts: that is the session's history loading, not news. Returns the same object when nothing
 * changed (no write needed).
 * @param {Unread} unread
 * @param {string} sessionId
 * @param {readonly Message[]} inserted
 * @returns {Unread}
 */
export function countInserted(unread, sessionId, inserted) {
  if (unread.sessionId !== sessionId || unread.seen === null) return unread;
  const seen = unread.seen;
  const fresh = inserted.filter(
    (message) => message.role === 'assistant' && message.messageId !== seen.messageId && compareMessages(message, seen) > 0 && !unread.ids.includes(message.messageId),
  );
  if (fresh.length === 0) return unread;
  return { ...unread, ids: [...unread.ids, ...fresh.map((message) => message.messageId)] };
}

/**
 * What the action badge shows: a failed send first (it needs the user), else the unread count.
 * @param {{unread: number, failedSends: number}} counts
 * @returns {{text: string, color: string, title: string}}
 */
export function badgeFace({ unread, failedSends }) {
  /** @type {(n: number, one: string, many: string) => string} */
  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
  const parts = [];
  if (failedSends > 0) parts.push(plural(failedSends, 'message not sent', 'messages not sent'));
  if (unread > 0) parts.push(plural(unread, 'new message', 'new messages'));
  const title = parts.length > 0 ? `pushsync: ${parts.join(', ')}` : 'pushsync';
  if (failedSends > 0) return { text: '!', color: '#d93025', title };
  if (unread > 0) return { text: unread > SHOWN_MAX ? `${SHOWN_MAX}+` : String(unread), color: '#1a73e8', title };
  return { text: '', color: '#1a73e8', title };
}
