// The message mirror against a fake engine view: diffs in final positions, evictions, resets,
// updates, and a drifted mirror reloading itself.
import assert from 'node:assert/strict';
import test from 'node:test';
import { MessageMirror } from '../dist/mirror.js';

/** A store that is just an array of messages, seen through the EngineView calls the mirror uses. */
function view(store) {
  let calls = 0;
  return {
    size: () => store.length,
    messagesJson: (first, count) => {
      calls++;
      return JSON.stringify(store.slice(first, first + count));
    },
    get calls() {
      return calls;
    },
  };
}
const m = (id, status = 'sent') => ({ messageId: id, sequenceNumber: Number(id.slice(1)), role: 'user', content: id, status, timestamp: '' });
const diff = (fields) => ({ sessionId: 's', reset: false, removedFront: 0, inserted: [], updated: [], ...fields });
const ids = (mirror) => mirror.messages.map((x) => x.messageId);

test('inserts at final positions, evicts from the front, updates in place', () => {
  const mirror = new MessageMirror();
  let store = [m('m2'), m('m5')];
  let applied = mirror.apply(diff({ reset: true, inserted: [0, 1], size: 2 }), view(store));
  assert.deepEqual(ids(mirror), ['m2', 'm5']);
  assert.deepEqual(applied.inserted.map((x) => x.messageId), ['m2', 'm5']);

  // m1, m3, m4 arrive; m6 too; the cap (5) evicts m1 from the front.
  store = [m('m2'), m('m3'), m('m4'), m('m5'), m('m6')];
  applied = mirror.apply(diff({ removedFront: 0, inserted: [1, 2, 4], size: 5 }), view(store));
  assert.deepEqual(ids(mirror), ['m2', 'm3', 'm4', 'm5', 'm6']);
  assert.equal(applied.resynced, false);

  store = [m('m3'), m('m4', 'failed'), m('m5'), m('m6'), m('m7')];
  applied = mirror.apply(diff({ removedFront: 1, inserted: [4], updated: [1], size: 5 }), view(store));
  assert.deepEqual(ids(mirror), ['m3', 'm4', 'm5', 'm6', 'm7']);
  assert.equal(mirror.messages[1].status, 'failed');
  assert.equal(applied.updated[0].status, 'failed');
});

test('reads nearby positions in one call', () => {
  const store = Array.from({ length: 100 }, (_, i) => m(`m${i + 1}`));
  const v = view(store);
  const mirror = new MessageMirror();
  mirror.apply(diff({ reset: true, inserted: store.map((_, i) => i), size: 100 }), v);
  assert.equal(v.calls, 1);
  assert.equal(mirror.messages.length, 100);
});

test('a diff that does not add up reloads the whole store', () => {
  const mirror = new MessageMirror();
  const store = [m('m1'), m('m2'), m('m3')];
  const applied = mirror.apply(diff({ inserted: [0], size: 3 }), view(store));
  assert.equal(applied.resynced, true);
  assert.deepEqual(ids(mirror), ['m1', 'm2', 'm3']);
});

test('a diff that carries its messages is applied without reading the store', () => {
  const mirror = new MessageMirror();
  const store = [m('m1'), m('m2', 'failed'), m('m3')];
  const v = view(store);
  mirror.apply(diff({ reset: true, inserted: [0, 1], size: 2 }), v, { insertedMessages: [m('m1'), m('m2')], updatedMessages: [] });
  const applied = mirror.apply(diff({ inserted: [2], updated: [1], size: 3 }), v, { insertedMessages: [m('m3')], updatedMessages: [m('m2', 'failed')] });
  assert.equal(v.calls, 0);
  assert.deepEqual(ids(mirror), ['m1', 'm2', 'm3']);
  assert.equal(mirror.messages[1].status, 'failed');
  assert.deepEqual(applied.inserted.map((x) => x.messageId), ['m3']);
  assert.equal(applied.resynced, false);
});
