// The worker's outbox (extension/src/worker/outbox.ts) through its public methods, with a fake
// chrome.storage.local, a fake backend and a fake clock: the entry's state transitions (queued,
// sending, answered, failed, retried, discarded), order, the restart of a worker that stopped
// with a request out, the look-up before a repeat, and the removal when the server's message
// shows. No browser: the TypeScript file is bundled in memory (bundled.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importBundled } from './bundled.mjs';

// One bundle for the outbox and the ApiError it tests with `instanceof`.
const { Outbox, ApiError } = await importBundled("export { Outbox } from './worker/outbox.ts'; export { ApiError } from './shared/http.ts';");

/** A chrome.storage.local that keeps values as JSON, as Chrome does. */
function fakeChrome(initial = {}) {
  const data = structuredClone(initial);
  return {
    data,
    storage: {
      local: {
        async get(key) {
          return key in data ? { [key]: structuredClone(data[key]) } : {};
        },
        async set(items) {
          for (const [key, value] of Object.entries(items)) data[key] = JSON.parse(JSON.stringify(value));
        },
      },
    },
  };
}

/**
 * One outbox with fakes around it. `answers` decides each send: a function of the request that
 * returns `{messageId}` or throws. Returns the outbox, what it broadcast and sent, and knobs.
 */
async function setUp({ stored, online = true, answers = () => ({ messageId: null }), recent = () => [] } = {}) {
  const chrome = fakeChrome(stored ? { 'pushsync.outbox': stored } : {});
  globalThis.chrome = chrome;
  const sends = [];
  const reads = [];
  const views = [];
  const store = { sessionId: 's1', messages: [], loaded: true };
  let now = Date.parse('2026-12-01T12:00:00Z');
  const host = {
    started: Promise.resolve(),
    backend: () => ({
      async send(sessionId, content, clientMessageId) {
        sends.push({ sessionId, content, clientMessageId });
        return answers({ sessionId, content, clientMessageId }, ApiError);
      },
      async recentMessages(sessionId, since) {
        reads.push({ sessionId, since });
        return recent();
      },
    }),
    store: () => store,
    refresh() {},
    checkNetwork() {},
    broadcast: (message) => views.push(message),
    failedChanged() {},
  };
  const outbox = new Outbox(host, { now: () => now, random: () => 0.5 }, online);
  await outbox.ready;
  return { outbox, chrome, sends, reads, views, store, advance: (ms) => (now += ms) };
}

/** Lets the outbox's promise chains (storage writes, the fake backend) run. */
async function settle() {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

const statuses = (outbox) => outbox.entries().map((entry) => `${entry.content}:${entry.status}${entry.code ? `(${entry.code})` : ''}`);

test('queued, then sent one at a time in order; answered entries wait for their message, which removes them', async () => {
  const { outbox, sends, store, views } = await setUp({ answers: ({ content }) => ({ messageId: `m-${content}` }) });
  await outbox.enqueue('s1', 'a', 'c-a');
  await outbox.enqueue('s1', 'b', 'c-b');
  await settle();
  assert.deepEqual(sends.map((send) => send.content), ['a', 'b']);
  assert.deepEqual(statuses(outbox), ['a:sending', 'b:sending'], 'answered, not yet in the store');
  // The engine's list now has a's message (by the answer's id): a leaves, in this very call.
  store.messages = [{ messageId: 'm-a', role: 'user', content: 'a', timestamp: '2026-12-01T12:00:01Z', sequenceNumber: 1, status: 'sent' }];
  const before = views.length;
  outbox.onMessages('s1', store.messages);
  assert.deepEqual(statuses(outbox), ['b:sending']);
  assert.equal(views.length, before + 1);
  assert.deepEqual(views.at(-1), { type: 'outbox', entries: outbox.entries() });
  // The same id twice is one entry (a view repeating a send across a worker restart).
  await outbox.enqueue('s1', 'b', 'c-b');
  assert.equal(outbox.entries().length, 1);
  await outbox.wipe();
});

test('offline: entries wait for the network, and go in order when it returns', async () => {
  const { outbox, sends } = await setUp({ online: false });
  await outbox.enqueue('s1', 'one', 'c1');
  await outbox.enqueue('s1', 'two', 'c2');
  await settle();
  assert.deepEqual(sends, []);
  assert.deepEqual(statuses(outbox), ['one:queued(network_offline)', 'two:queued(network_offline)']);
  assert.equal(outbox.entries()[0].reason, 'Waiting for network');
  outbox.setOnline(true);
  await settle();
  assert.deepEqual(sends.map((send) => send.content), ['one', 'two']);
  await outbox.wipe();
});

test('failures: a 4xx fails with its code and reason, later entries go past it; retry and discard', async () => {
  let refuse = true;
  const { outbox, sends } = await setUp({
    answers: ({ content }, ApiError) => {
      if (content === 'big' && refuse) throw new ApiError(413, 'too_large', 'Too large');
      return { messageId: null };
    },
  });
  await outbox.enqueue('s1', 'big', 'c-big');
  await outbox.enqueue('s1', 'small', 'c-small');
  await settle();
  const [big] = outbox.entries();
  assert.equal(big.status, 'failed');
  assert.equal(big.code, 'too_large');
  assert.equal(big.reason, 'Too large');
  assert.deepEqual(sends.map((send) => send.content), ['big', 'small']);
  await outbox.retry('c-big');
  await settle();
  assert.equal(outbox.entries()[0].status, 'failed', 'refused again');
  assert.equal(outbox.entries()[0].attempts, 2);
  await outbox.discard('c-big');
  assert.equal(outbox.entries().some((entry) => entry.clientMessageId === 'c-big'), false);
  await assert.rejects(outbox.retry('c-big'), { code: 'not_in_outbox' });
  refuse = false;
  await outbox.wipe();
});

test('a network error or a 5xx is retried after a backoff; a 401 waits for a login', async () => {
  let fail = 'network';
  const { outbox, sends, reads, advance } = await setUp({
    answers: (_, ApiError) => {
      if (fail === 'network') throw new ApiError(0, 'unreachable', 'unreachable');
      if (fail === 'login') throw new ApiError(401, 'no_token', 'Not logged in');
      return { messageId: null };
    },
  });
  await outbox.enqueue('s1', 'x', 'c-x');
  await settle();
  assert.deepEqual(statuses(outbox), ['x:queued(unreachable)']);
  assert.equal(sends.length, 1);
  // Push connected again: the server is back, the backoff ends at once.
  fail = 'login';
  advance(10);
  outbox.onState({ state: 'connected' });
  await settle();
  assert.equal(reads.length, 1, 'the outcome was unknown: looked for first');
  assert.equal(sends.length, 2, 'not found: sent again');
  assert.deepEqual(statuses(outbox), ['x:queued(no_token)']);
  fail = 'none';
  outbox.credentialsChanged();
  await settle();
  assert.deepEqual(statuses(outbox), ['x:sending']);
  await outbox.wipe();
});

test('a worker that stopped with a request out: the entry is looked for before it is sent again', async () => {
  const entry = { clientMessageId: 'c-lost', sessionId: 's1', content: 'lost', createdAt: '2026-12-01T11:59:00.000Z', status: 'sending', attempts: 1 };
  // Found on the server (the backend ignores clientMessageId: by its text, from the user, newer).
  const found = await setUp({
    stored: { entries: [entry], claimed: [] },
    recent: () => [{ messageId: 'm-lost', role: 'user', content: 'lost', timestamp: '2026-12-01T11:59:01.000Z' }],
  });
  await settle();
  assert.equal(found.reads.length, 1);
  assert.deepEqual(found.sends, [], 'not sent again');
  assert.deepEqual(statuses(found.outbox), ['lost:sending'], 'answered: waits for its message in the store');
  found.store.messages = [{ messageId: 'm-lost', role: 'user', content: 'lost', timestamp: '2026-12-01T11:59:01.000Z', sequenceNumber: 1, status: 'sent' }];
  found.outbox.onMessages('s1', found.store.messages);
  assert.deepEqual(found.outbox.entries(), []);
  await settle();
  assert.deepEqual(found.chrome.data['pushsync.outbox'].claimed, ['m-lost']);

  // Not found: sent again, with the same clientMessageId.
  const missing = await setUp({ stored: { entries: [entry], claimed: [] } });
  await settle();
  assert.equal(missing.reads.length, 1);
  assert.deepEqual(missing.sends, [{ sessionId: 's1', content: 'lost', clientMessageId: 'c-lost' }]);
  await missing.outbox.wipe();
});

test('an entry in flight leaves when its message arrives first (the server pushed it before answering)', async () => {
  let answer;
  const { outbox, store } = await setUp({ answers: () => new Promise((resolve) => (answer = resolve)) });
  await outbox.enqueue('s1', 'quick', 'c-quick');
  await settle();
  assert.deepEqual(statuses(outbox), ['quick:sending']);
  store.messages = [{ messageId: 'm-q', role: 'user', content: 'quick', timestamp: '2026-12-01T12:00:00.500Z', sequenceNumber: 1, status: 'sent', clientMessageId: 'c-quick' }];
  outbox.onMessages('s1', store.messages);
  assert.deepEqual(outbox.entries(), []);
  answer({ messageId: 'm-q' });
  await settle();
  assert.deepEqual(outbox.entries(), [], 'the late answer changes nothing');
});

test('two entries with the same text are two messages', async () => {
  const { outbox } = await setUp({ answers: () => ({ messageId: null }) });
  await outbox.enqueue('s1', 'ok', 'c1');
  await outbox.enqueue('s1', 'ok', 'c2');
  await settle();
  const first = { messageId: 'm1', role: 'user', content: 'ok', timestamp: '2026-12-01T12:00:01Z', sequenceNumber: 1, status: 'sent' };
  outbox.onMessages('s1', [first]);
  assert.deepEqual(outbox.entries().map((entry) => entry.clientMessageId), ['c2'], 'one message, one entry');
  const second = { ...first, messageId: 'm2', sequenceNumber: 2, timestamp: '2026-12-01T12:00:02Z' };
  outbox.onMessages('s1', [first, second]);
  assert.deepEqual(outbox.entries(), []);
});
