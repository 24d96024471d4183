// The local copy's rules as pure functions (extension/src/worker/local-copy-rules.js): the stored
// order is the engine's, what a session reads back as, which sessions are evicted, and how the
// engine's diffs are batched into writes. No browser, no build: `node --test tests/extension/`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MESSAGES_PER_SESSION,
  PendingWrites,
  SESSIONS_KEPT,
  cachedList,
  compareMessages,
  copyOwner,
  messageKey,
  sessionsToEvict,
} from '../../extension/src/worker/local-copy-rules.js';

const at = (second) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();
const message = (id, second, sequenceNumber = second, extra = {}) => ({ messageId: id, sequenceNumber, role: 'assistant', content: id, status: 'sent', timestamp: at(second), ...extra });
const ids = (list) => list.map((m) => m.messageId);
const diff = (sessionId, fields = {}) => ({ sessionId, reset: false, removedFront: 0, inserted: [], updated: [], size: 0, ...fields });

test('the key orders by session, then time, sequence number and id, as the engine does', () => {
  assert.deepEqual(messageKey('s1', message('m1', 5, 7)), ['s1', Date.parse(at(5)), 7, 'm1']);
  // Unnumbered (0) sits among the rest by its time; same millisecond: sequence, then id.
  const shuffled = [message('c', 2, 3), message('a', 1, 1), message('u', 2, 0), message('b', 2, 3), message('z', 3, 2)];
  assert.deepEqual(ids([...shuffled].sort(compareMessages)), ['a', 'u', 'b', 'c', 'z']);
  // A timestamp that does not parse keys as time 0 (first), never NaN (IndexedDB refuses NaN keys).
  assert.deepEqual(messageKey('s', message('x', 1, 1, { timestamp: 'nonsense' })), ['s', 0, 1, 'x']);
});

test('a stored session reads back once per id, in order, the newest up to the cap', () => {
  assert.deepEqual(ids(cachedList([message('a', 1), message('b', 2), message('c', 3)])), ['a', 'b', 'c']);
  // A message whose time changed left its old record: the copy written last wins, and the order holds.
  const moved = [message('a', 1), message('b', 2, 2, { content: 'old' }), message('c', 3), message('b', 4, 2, { content: 'new' })];
  const read = cachedList(moved);
  assert.deepEqual(ids(read), ['a', 'c', 'b']);
  assert.equal(read[2].content, 'new');
  const many = Array.from({ length: 12 }, (_, i) => message(`m${i}`, i));
  assert.deepEqual(ids(cachedList(many, 5)), ['m7', 'm8', 'm9', 'm10', 'm11']);
  assert.equal(MESSAGES_PER_SESSION, 1000);
});

test('sessions beyond the kept count go, the least recently selected first', () => {
  const sessions = [
    { sessionId: 'old', usedAt: 1 },
    { sessionId: 'new', usedAt: 9 },
    { sessionId: 'mid', usedAt: 5 },
    { sessionId: 'older', usedAt: 0 },
  ];
  assert.deepEqual(sessionsToEvict(sessions, 2), ['old', 'older']);
  assert.deepEqual(sessionsToEvict(sessions, 4), []);
  assert.deepEqual(sessionsToEvict(sessions, 0), ['new', 'mid', 'old', 'older']);
  const full = Array.from({ length: SESSIONS_KEPT + 3 }, (_, i) => ({ sessionId: `s${i}`, usedAt: i }));
  assert.deepEqual(sessionsToEvict(full), ['s2', 's1', 's0']);
});

test('diffs batch into one write per session: the latest copy of each id, a reset replaces', () => {
  const pending = new PendingWrites();
  assert.equal(pending.empty, true);
  pending.note(diff('s1', { inserted: [0, 1], size: 2 }), [message('a', 1), message('b', 2)], []);
  pending.note(diff('s1', { updated: [1], size: 2 }), [], [message('b', 2, 2, { status: 'failure' })]);
  pending.note(diff('s2', { inserted: [0], size: 1 }), [message('x', 1)], []);
  assert.equal(pending.count, 3);
  const batch = pending.take();
  assert.deepEqual(batch.map((w) => [w.sessionId, w.replace, ids(w.messages)]), [['s1', false, ['a', 'b']], ['s2', false, ['x']]]);
  assert.equal(batch[0].messages[1].status, 'failure');
  assert.equal(pending.empty, true);
  assert.equal(pending.count, 0);

  // A reset drops what was noted before it and replaces the stored session.
  pending.note(diff('s1', { inserted: [0], size: 1 }), [message('stale', 1)], []);
  pending.note(diff('s1', { reset: true, inserted: [0, 1], size: 2 }), [message('p', 1), message('q', 2)], []);
  pending.note(diff('s1', { inserted: [2], size: 3 }), [message('r', 3)], []);
  assert.equal(pending.count, 3);
  assert.deepEqual(pending.take().map((w) => [w.sessionId, w.replace, ids(w.messages)]), [['s1', true, ['p', 'q', 'r']]]);
  // Dropped from the front only: nothing to write (the copy trims to its own cap).
  pending.note(diff('s1', { removedFront: 3, size: 0 }), [], []);
  assert.deepEqual(pending.take().map((w) => ids(w.messages)), [[]]);
});

test('the owner is the server and the account; logged out, nobody', () => {
  assert.equal(copyOwner('http://127.0.0.1:3000', 'alice@example.com', 't'), 'http://127.0.0.1:3000 alice@example.com');
  assert.notEqual(copyOwner('http://127.0.0.1:3000', 'bob@example.com', 't'), copyOwner('http://127.0.0.1:3000', 'alice@example.com', 't'));
  assert.notEqual(copyOwner('https://chat.example.com', 'alice@example.com', 't'), copyOwner('http://127.0.0.1:3000', 'alice@example.com', 't'));
  assert.equal(copyOwner('http://127.0.0.1:3000', 'alice@example.com', null), null);
});
