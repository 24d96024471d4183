// The worker's model of what the views are told (extension/src/worker/sync-model.ts), fed the
// glue's 'messages' events as createSync emits them: diffs in version order are applied, a diff that
// a reread of the store already holds changes nothing, one that skips a version or does not fit
// is answered by reading the store again, and the local copy's list is shown until the engine has
// the session's messages. No browser: the TypeScript file is bundled in memory (bundled.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importBundled } from './bundled.mjs';

const { SyncModel } = await importBundled("export { SyncModel } from './worker/sync-model.ts';");

const message = (n, status = 'sent') => ({ messageId: `m${n}`, sessionId: 's1', role: 'user', content: `m${n}`, status, timestamp: '', sequenceNumber: n });
const ids = (messages) => messages.map((m) => m.messageId);

/** An engine store and the events createSync would emit for its changes, versioned. */
function engine() {
  let store = [];
  let version = 0;
  return {
    get version() {
      return version;
    },
    read: () => ({ messages: structuredClone(store), version }),
    /** A new newest message (an append), or a reset to `reset`. */
    append(n) {
      store = [...store, message(n)];
      return { diff: { sessionId: 's1', reset: false, removedFront: 0, inserted: [store.length - 1], updated: [], size: store.length }, inserted: [message(n)], updated: [], version: ++version };
    },
    reset(messages) {
      store = messages;
      return { diff: { sessionId: 's1', reset: true, removedFront: 0, inserted: messages.map((_, i) => i), updated: [], size: messages.length }, inserted: messages, updated: [], version: ++version };
    },
    update(n, status) {
      const at = store.findIndex((m) => m.messageId === `m${n}`);
      store = store.map((m, i) => (i === at ? message(n, status) : m));
      return { diff: { sessionId: 's1', reset: false, removedFront: 0, inserted: [], updated: [at], size: store.length }, inserted: [], updated: [message(n, status)], version: ++version };
    },
  };
}

test('diffs in version order are applied; no read of the store', () => {
  const model = new SyncModel();
  const e = engine();
  const reread = () => assert.fail('no reread for diffs that follow each other');
  model.selected('s1');
  assert.equal(model.applyMessages(e.reset([message(1), message(2)]), reread), 'diff');
  assert.equal(model.applyMessages(e.append(3), reread), 'diff');
  assert.equal(model.applyMessages(e.update(2, 'failed'), reread), 'diff');
  assert.deepEqual(ids(model.messages), ['m1', 'm2', 'm3']);
  assert.equal(model.messages[1].status, 'failed');
});

test('a diff that skips a version is answered by reading the store; the diffs it already holds change nothing', () => {
  const model = new SyncModel();
  const e = engine();
  let reads = 0;
  const reread = () => {
    reads++;
    return e.read();
  };
  model.selected('s1');
  model.applyMessages(e.reset([message(1)]), reread);
  e.append(2); // its event never reached the model
  const third = e.append(3);
  const fourth = e.append(4); // already in the store when the model reads it
  assert.equal(model.applyMessages(third, reread), 'drifted');
  assert.equal(reads, 1);
  assert.deepEqual(ids(model.messages), ['m1', 'm2', 'm3', 'm4']);
  assert.equal(model.applyMessages(fourth, reread), 'held', 'version 4 is in the list read at version 4');
  assert.deepEqual(ids(model.messages), ['m1', 'm2', 'm3', 'm4'], 'm4 is not inserted twice');
  assert.equal(model.applyMessages(e.append(5), reread), 'diff');
  assert.deepEqual(ids(model.messages), ['m1', 'm2', 'm3', 'm4', 'm5']);
  assert.equal(reads, 1);
});

test('a diff that does not fit the list is answered by reading the store', () => {
  const model = new SyncModel();
  const e = engine();
  model.selected('s1');
  model.applyMessages(e.reset([message(1)]), e.read);
  const event = e.append(2);
  event.diff.size = 5; // does not add up
  assert.equal(model.applyMessages(event, e.read), 'drifted');
  assert.deepEqual(ids(model.messages), ['m1', 'm2']);
});

test('the local copy is shown until the engine has the session\'s messages; a new engine starts at version 0', () => {
  const model = new SyncModel();
  let e = engine();
  model.showCached('s1', [message(1), message(2)]);
  assert.equal(model.confirmed, false);
  assert.equal(model.applyMessages(e.reset([]), e.read), 'held', 'the selection\'s empty list does not replace the copy');
  assert.deepEqual(ids(model.messages), ['m1', 'm2']);
  assert.equal(model.applyMessages(e.reset([message(1), message(2), message(3)]), e.read), 'snapshot');
  assert.deepEqual(ids(model.messages), ['m1', 'm2', 'm3']);

  // After a settings change the worker makes a new engine: its versions start again.
  model.reset();
  e = engine();
  assert.equal(model.applyMessages(e.reset([message(7)]), () => assert.fail('no reread')), 'diff');
  assert.deepEqual(ids(model.messages), ['m7']);
});
