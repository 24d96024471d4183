// The toolbar's unread count and badge face as pure functions (extension/src/worker/unread-rules.js):
// the assistant's messages after the seen one count once, history never counts, a failed send
// shows first. No browser, no build: `node --test tests/extension/`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { badgeFace, countInserted, markSeen, noUnread } from '../../extension/src/worker/unread-rules.js';

const at = (second) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();
const message = (id, second, role = 'assistant') => ({ messageId: id, sequenceNumber: second, role, content: id, status: 'sent', timestamp: at(second) });

test('after a view saw the chat, the assistant\'s new messages count, each once', () => {
  let unread = markSeen('s1', message('m5', 5));
  unread = countInserted(unread, 's1', [message('m6', 6, 'user'), message('m7', 7)]);
  assert.deepEqual(unread.ids, ['m7']);
  // The same message again (the engine reloaded the session after a restart), and an older one.
  unread = countInserted(unread, 's1', [message('m4', 4), message('m5', 5), message('m7', 7), message('m8', 8)]);
  assert.deepEqual(unread.ids, ['m7', 'm8']);
  // Nothing new: the very same object (nothing to persist).
  assert.equal(countInserted(unread, 's1', [message('m8', 8)]), unread);
  // Another session's messages are not this chat's.
  assert.equal(countInserted(unread, 's2', [message('x', 9)]), unread);
  // A view opens: all seen.
  assert.deepEqual(markSeen('s1', message('m8', 8)).ids, []);
});

test('a session no view ever showed counts nothing: that is its history loading', () => {
  const unread = noUnread('s1');
  assert.equal(countInserted(unread, 's1', [message('a', 1), message('b', 2)]), unread);
  // Seen while empty: everything after counts.
  const empty = markSeen('s1', null);
  assert.equal(empty.seen, null);
  assert.equal(countInserted(empty, 's1', [message('a', 1)]), empty);
});

test('the badge: a failed send first, else the count (99+ beyond 99), else nothing', () => {
  assert.deepEqual(badgeFace({ unread: 0, failedSends: 0 }), { text: '', color: '#1a73e8', title: 'pushsync' });
  assert.deepEqual(badgeFace({ unread: 3, failedSends: 0 }), { text: '3', color: '#1a73e8', title: 'pushsync: 3 new messages' });
  assert.equal(badgeFace({ unread: 1, failedSends: 0 }).title, 'pushsync: 1 new message');
  assert.equal(badgeFace({ unread: 100, failedSends: 0 }).text, '99+');
  assert.deepEqual(badgeFace({ unread: 2, failedSends: 1 }), { text: '!', color: '#d93025', title: 'pushsync: 1 message not sent, 2 new messages' });
  assert.equal(badgeFace({ unread: 0, failedSends: 4 }).title, 'pushsync: 4 messages not sent');
});
