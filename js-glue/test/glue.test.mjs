// The glue against a local Pusher-protocol WebSocket server and a local app-server stub: the
// socket, timer, fetch and storage handling of createSync. Every server and Sync is closed by
// the test that made it.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, afterEach, describe, test } from 'node:test';
import { createSync, fileStorage, loadModule, memoryStorage, PERSIST_KEY } from '../dist/index.js';
import { stubServersEachTest } from './support/stub-servers.mjs';
import { waitFor } from './support/wait.mjs';
import { stubSyncOptions } from './support/stub-sync.mjs';

assert.equal(typeof WebSocket, 'function', 'run with --experimental-websocket on Node 20 (scripts/test.mjs does)');

const servers = stubServersEachTest();
const { syncs } = servers;
const dirs = [];
let pusher;
let app;
beforeEach(() => {
  ({ pusher, app } = servers);
});

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A Sync on the local servers; the fast backoff keeps retries in the test's time. */
function makeSync(options = {}) {
  const sync = createSync(stubSyncOptions(app, pusher, {
    ...options,
    engineConfig: { backoffBaseMs: 200, ...options.engineConfig },
  }));
  syncs.push(sync);
  return sync;
}

/** Records every event of a Sync, in order. */
function record(sync) {
  const log = { state: [], messages: [], error: [], persist: [], session: [], typing: [] };
  for (const name of Object.keys(log)) sync.on(name, (value) => log[name].push(value));
  return log;
}

const ids = (messages) => messages.map((m) => m.messageId);
const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => `m${from + i}`);

function assertOrderedUnique(messages) {
  const seen = new Set();
  for (let i = 0; i < messages.length; i++) {
    assert.ok(!seen.has(messages[i].messageId), `duplicate ${messages[i].messageId}`);
    seen.add(messages[i].messageId);
    if (i > 0) assert.ok(messages[i - 1].sequenceNumber < messages[i].sequenceNumber, `order at ${i}`);
  }
}

test('readMessages reads the engine\'s store; messages() made late is the same list and follows it', async () => {
  for (let s = 1; s <= 4; s++) app.addMessage('s1', s, { push: false });
  const sync = makeSync();
  const log = record(sync);
  sync.selectSession('s1');
  await waitFor(() => sync.state().state === 'connected' && sync.messageCount() === 4, { what: 'the backlog' });
  assert.deepEqual(ids(sync.readMessages()), range(1, 4));
  assert.deepEqual(ids(sync.readMessages(1, 2)), range(2, 3));
  assert.deepEqual(ids(sync.readMessages(3, 10)), ['m4'], 'a count past the end is clamped');
  assert.deepEqual(sync.readMessages(9), [], 'a start past the end reads nothing');
  assert.notEqual(sync.readMessages(0, 1)[0], sync.readMessages(0, 1)[0], 'new objects on each read');
  for (const [start, count] of [[-1, 1], [0.5, 1], [0, -2], [0, 1.5], [Number.NaN, 1]]) {
    assert.throws(() => sync.readMessages(start, count), RangeError, `readMessages(${start}, ${count})`);
  }
  // The events' versions count the diffs, one each, and the last is the store's.
  assert.deepEqual(log.messages.map((event) => event.version), log.messages.map((_, i) => i + 1));
  assert.equal(sync.messagesVersion(), log.messages.at(-1).version);

  // The JS list, made only now, starts as the store and follows the next diffs.
  assert.deepEqual(ids(sync.messages()), range(1, 4));
  app.addMessage('s1', 5);
  await waitFor(() => sync.messages().length === 5, { what: 'the pushed m5 in messages()' });
  assert.deepEqual(ids(sync.messages()), range(1, 5));
  assert.deepEqual(sync.readMessages(), [...sync.messages()]);
  assert.equal(sync.messagesVersion(), log.messages.at(-1).version);
});

test('reaches connected, loads the backlog, and applies pushed messages in order without duplicates', async () => {
  for (let s = 1; s <= 3; s++) app.addMessage('s1', s, { push: false });
  const sync = makeSync();
  const log = record(sync);
  sync.selectSession('s1');
  await waitFor(() => sync.state().state === 'connected', { what: 'connected' });
  await waitFor(() => sync.messages().length === 3, { what: 'the backlog' });
  assert.deepEqual(ids(sync.messages()), range(1, 3));

  // Pushed out of order and twice: the store orders and deduplicates.
  for (const s of [5, 4, 6, 6, 4, 7]) {
    if (app.sessions.get('s1').some((m) => m.sequenceNumber === s)) {
      const frame = app.sessions.get('s1').find((m) => m.sequenceNumber === s);
      pusher.broadcast('private-session-s1', 'new_message', { type: 'new_message', sessionId: 's1', message: frame });
    } else {
      app.addMessage('s1', s);
    }
  }
  await waitFor(() => sync.messages().length === 7, { what: '7 messages' });
  assert.deepEqual(ids(sync.messages()), range(1, 7));
  assertOrderedUnique(sync.messages());

  // The events describe the same: every message inserted once, the diffs' sizes add up.
  const inserted = log.messages.flatMap((event) => event.inserted.map((m) => m.messageId));
  assert.deepEqual([...inserted].sort(), range(1, 7).sort());
  assert.equal(log.messages.at(-1).diff.size, 7);
  assert.ok(log.state.some((s) => s.state === 'connecting'));
  assert.equal(log.state.at(-1).state, 'connected');
  assert.deepEqual(log.session[0], { sessionId: 's1', status: '' });
  assert.deepEqual(log.error, []);
  assert.equal(sync.counters().socketsOpened, 1);
});

test('a large page and a large copy cross through the module buffer, every character intact', async () => {
  // Over 4,096 characters of input: handed to the module by encodeInto, not as an embind string.
  const text = (s) => `${s}: café ünïcödé Ελληνικά кириллица 漢字かな 😀👍🏽 "quoted" \\ back\nslash `.repeat(12);
  for (let s = 1; s <= 30; s++) app.addMessage('s1', s, { push: false, content: text(s) });
  const mod = await loadModule();
  const buffered = [];
  const original = mod.Client.prototype.handleBuffer;
  mod.Client.prototype.handleBuffer = function (length) {
    buffered.push(length);
    return original.call(this, length);
  };
  try {
    const sync = makeSync({ module: mod });
    sync.selectSession('s1');
    // A copy of the first 10 (a session's copy is one input too), then the page with all 30.
    sync.restoreMessages('s1', app.sessions.get('s1').slice(0, 10));
    await waitFor(() => sync.loaded() && sync.messages().length === 30, { what: 'the page' });
    assert.deepEqual(sync.messages().map((m) => m.content), app.sessions.get('s1').map((m) => m.content));
    assert.ok(buffered.length >= 2, `the copy and the page went through the buffer (${buffered.length} inputs)`);
    // Bytes, not characters: the text is mostly non-ASCII.
    assert.ok(buffered.every((length) => length > 4096));
  } finally {
    mod.Client.prototype.handleBuffer = original;
  }
});

test('a message update is applied in place', async () => {
  app.addMessage('s1', 1, { push: false, status: 'pending' });
  const sync = makeSync();
  const log = record(sync);
  sync.selectSession('s1');
  await waitFor(() => sync.messages().length === 1, { what: 'the backlog' });
  pusher.broadcast('private-session-s1', 'message_update', {
    type: 'message_update',
    sessionId: 's1',
    messageId: 'm1',
    status: 'sent',
    updatedAt: '2026-11-29T12:00:00.000Z',
  });
  await waitFor(() => sync.messages()[0].status === 'sent', { what: 'the update' });
  assert.equal(log.messages.at(-1).updated[0].messageId, 'm1');
  pusher.broadcast('private-session-s1', 'typing', { type: 'typing', sessionId: 's1', isTyping: true, context: 'thinking' });
  await waitFor(() => log.typing.length === 1, { what: 'typing' });
  assert.deepEqual(sync.typing(), { isTyping: true, context: 'thinking' });
  // A context with a quote must come back intact (typingJson escapes it).
  pusher.broadcast('private-session-s1', 'typing', { type: 'typing', sessionId: 's1', isTyping: true, context: 'say "hi"' });
  await waitFor(() => log.typing.length === 2, { what: 'typing again' });
  assert.deepEqual(sync.typing(), { isTyping: true, context: 'say "hi"' });
});

test('the timer drives a reconnect after the server drops the socket, and the gap is backfilled', async () => {
  app.addMessage('s1', 1, { push: false });
  const sync = makeSync({ engineConfig: { backoffBaseMs: 1000 } }); // the engine's default backoff
  const log = record(sync);
  sync.selectSession('s1');
  await waitFor(() => sync.state().state === 'connected' && sync.messages().length === 1, { what: 'connected' });

  pusher.dropAll();
  await waitFor(() => sync.state().state === 'reconnecting', { what: 'reconnecting' });
  // Stored while the client was away: no push reaches it, the backfill after resubscribing must.
  app.addMessage('s1', 2, { push: false });
  app.addMessage('s1', 3, { push: false });
  const dropped = Date.now();
  await waitFor(() => sync.state().state === 'connected', { timeout: 10_000, what: 'connected again' });
  const waited = Date.now() - dropped;
  assert.ok(waited >= 500, `reconnected after ${waited} ms: the backoff (about 1 s) comes from the timer`);
  await waitFor(() => sync.messages().length === 3, { what: 'the backfill' });
  assert.deepEqual(ids(sync.messages()), range(1, 3));
  assert.equal(pusher.connections, 2);
  assert.equal(sync.counters().reconnects, 1);
  assert.deepEqual(
    log.state.map((s) => s.state).filter((s, i, all) => s !== all[i - 1]),
    ['disconnected', 'connecting', 'connected', 'reconnecting', 'connected'].slice(log.state[0].state === 'disconnected' ? 0 : 1),
  );
});

test('keepalive: the timer pings after the configured silence and the pong keeps the socket', async () => {
  const sync = makeSync({ keepaliveSeconds: 0.3 });
  sync.selectSession('s1');
  await waitFor(() => sync.state().state === 'connected', { what: 'connected' });
  await waitFor(() => pusher.received.filter((r) => r.frame.event === 'pusher:ping').length >= 2, {
    timeout: 5_000,
    what: 'two pings',
  });
  assert.equal(sync.state().state, 'connected');
  assert.equal(pusher.connections, 1);
});

test('failed requests are retried: 500s, a dropped connection, and a fetch that throws', async () => {
  for (let s = 1; s <= 4; s++) app.addMessage('s1', s, { push: false });
  app.failures.auth.push(500);
  app.failures.messages.push(500, 'reset');
  let thrown = 0;
  const sync = makeSync({
    fetch: (url, init) => {
      if (url.includes('/messages') && thrown === 0) {
        thrown++;
        throw new TypeError('fetch exploded');
      }
      return fetch(url, init);
    },
  });
  const log = record(sync);
  sync.selectSession('s1');
  await waitFor(() => sync.state().state === 'connected' && sync.messages().length === 4, {
    timeout: 15_000,
    what: 'connected with all messages',
  });
  assert.deepEqual(ids(sync.messages()), range(1, 4));
  assert.equal(thrown, 1);
  assert.ok(app.count('auth') >= 2, 'the auth was retried');
  assert.ok(app.requests.filter((r) => r.route === 'messages' && r.status !== 200).length === 2, 'both failures were seen');
  assert.ok(log.error.some((e) => e.code === 'http_failed'), 'the engine reported the failures');
});

test('fileStorage persists the session and a new Sync restores it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pushsync-'));
  dirs.push(dir);
  const file = join(dir, 'state.json');
  for (let s = 1; s <= 2; s++) app.addMessage('s2', s, { push: false });

  const first = makeSync({ storage: fileStorage(file) });
  const log = record(first);
  first.selectSession('s2');
  await waitFor(() => first.state().state === 'connected' && first.messages().length === 2, { what: 'first connected' });
  await waitFor(() => log.persist.some((p) => JSON.parse(p.value).wasConnected), { what: 'a persist' });
  await waitFor(() => {
    try {
      return JSON.parse(JSON.parse(readFileSync(file, 'utf8'))[PERSIST_KEY]).wasConnected;
    } catch {
      return false;
    }
  }, { what: 'the file' });
  await first.destroy();

  const saved = JSON.parse(JSON.parse(readFileSync(file, 'utf8'))[PERSIST_KEY]);
  assert.equal(saved.sessionId, 's2');

  const second = makeSync({ storage: fileStorage(file) });
  await second.ready;
  assert.equal(second.sessionId(), 's2', 'restored before any selection');
  await waitFor(() => second.state().state === 'connected' && second.messages().length === 2, { what: 'restored and synced' });
  assert.deepEqual(ids(second.messages()), range(1, 2));
  // Selecting the restored session again changes nothing.
  second.selectSession('s2');
  assert.equal(second.messages().length, 2);
});

test('destroy settles once the last persisted state is in storage', async () => {
  for (let s = 1; s <= 2; s++) app.addMessage('s2', s, { push: false });
  const written = [];
  const slow = {
    async get() { return null; },
    async set(key, value) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      written.push({ key, value });
    },
  };
  const sync = makeSync({ storage: slow });
  const log = record(sync);
  sync.selectSession('s2');
  await waitFor(() => log.persist.length > 0, { what: 'a persist' });
  const asked = log.persist.length;
  assert.equal(written.length, 0, 'the first write is still under way');
  await sync.destroy();
  assert.ok(written.length >= asked, `${written.length} of ${asked} writes landed`);
  assert.deepEqual(written.slice(0, asked), log.persist.slice(0, asked), 'in the order asked');
});

test("restoreMessages: the host's copy shows at once, and the first read asks only for what is newer", async () => {
  for (let s = 1; s <= 5; s++) app.addMessage('s1', s, { push: false, ...(s === 4 ? { clientMessageId: 'c-4' } : {}) });
  const copy = app.sessions.get('s1').slice(0, 3);
  const sync = makeSync();
  const shown = [];
  sync.on('messages', ({ inserted }) => {
    if (inserted.length > 0) shown.push({ ids: ids(inserted), reads: app.count('messages'), loaded: sync.loaded() });
  });
  sync.selectSession('s1');
  sync.restoreMessages('s1', copy);
  await waitFor(() => shown.length > 0, { what: 'the copy shown' });
  assert.deepEqual(shown[0], { ids: range(1, 3), reads: 0, loaded: false }, 'the copy first, before any read, not confirmed');
  await waitFor(() => sync.loaded() && sync.messages().length === 5, { what: 'confirmed and caught up' });
  const reads = app.requests.filter((r) => r.route === 'messages');
  // The backend's dialect is not known yet: a read since the newest cached message (m3, less the
  // 1 ms overlap), then, the answer showing a paged backend, what follows m3. Never the whole session.
  assert.match(reads[0].path, /since=2026-11-29T00%3A00%3A02\.999Z/, `the first read: ${reads[0].path}`);
  for (const read of reads) assert.doesNotMatch(read.path, /afterSequence=[0-2](&|$)/, `a read from before the copy: ${read.path}`);
  assert.deepEqual(ids(sync.messages()), range(1, 5));
  assert.equal(sync.messages()[3].clientMessageId, 'c-4', "the backend's clientMessageId reaches the host");
  // A copy of another session, or once loaded, is ignored; a copy that does not decode is reported.
  sync.restoreMessages('s1', copy);
  sync.restoreMessages('s9', copy);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(sync.messages().length, 5);
});

test('restoreMessages with a copy that does not decode: a bad_restore error, nothing shown', async () => {
  app.addMessage('s1', 1, { push: false });
  const sync = makeSync();
  const log = record(sync);
  sync.selectSession('s1');
  sync.restoreMessages('s1', [{ messageId: 'broken' }]);
  await waitFor(() => log.error.some((e) => e.code === 'bad_restore'), { what: 'the report' });
  await waitFor(() => sync.loaded(), { what: 'the usual first read' });
  assert.deepEqual(ids(sync.messages()), ['m1']);
});

test('a 429 with Retry-After: the next channel auth waits as told, and it is no auth failure', async () => {
  app.addMessage('s1', 1, { push: false });
  app.failures.auth.push({ status: 429, retryAfter: '2' });
  const sync = makeSync(); // a backoff of 200 ms alone would retry far sooner
  const log = record(sync);
  sync.selectSession('s1');
  await waitFor(() => sync.state().state === 'connected', { what: 'connected after the wait', timeout: 15_000 });
  const auths = app.requests.filter((r) => r.route === 'auth');
  assert.equal(auths[0].status, 429);
  assert.ok(auths[1].at - auths[0].at >= 1_900, `the next auth came ${auths[1].at - auths[0].at} ms later`);
  assert.ok(!log.state.some((s) => s.code === 'auth_failed'), 'never reported as a failed auth');
  assert.ok(log.error.some((e) => e.code === 'http_failed'), 'the refusal was reported');
});

test('fileStorage writes atomically and in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pushsync-'));
  dirs.push(dir);
  const file = join(dir, 'kv.json');
  const storage = fileStorage(file);
  assert.equal(await storage.get('a'), null);
  await Promise.all([storage.set('a', '1'), storage.set('a', '2'), storage.set('b', 'x')]);
  assert.equal(await storage.get('a'), '2');
  assert.equal(await fileStorage(file).get('b'), 'x');
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { a: '2', b: 'x' });
  writeFileSync(file, 'not json');
  await assert.rejects(storage.get('a'));
});

test('a throwing listener, storage or token source does not break sync', async () => {
  for (let s = 1; s <= 2; s++) app.addMessage('s1', s, { push: false });
  const failing = memoryStorage();
  failing.set = async () => {
    throw new Error('disk full');
  };
  const sync = makeSync({ storage: failing });
  const errors = [];
  const seen = [];
  sync.on('messages', () => {
    throw new Error('listener bug');
  });
  sync.on('state', () => {
    throw new Error('another listener bug');
  });
  sync.on('messages', (event) => seen.push(...event.inserted.map((m) => m.messageId)));
  sync.on('error', (error) => errors.push(error));
  sync.on('error', () => {
    throw new Error('even the error listener throws');
  });
  sync.selectSession('s1');
  await waitFor(() => sync.state().state === 'connected' && sync.messages().length === 2, { what: 'connected' });
  for (let s = 3; s <= 5; s++) app.addMessage('s1', s);
  await waitFor(() => sync.messages().length === 5, { what: 'pushed messages' });
  assert.deepEqual(ids(sync.messages()), range(1, 5));
  assert.deepEqual(seen, range(1, 5), 'the other listener saw every message');
  assert.ok(errors.some((e) => e.code === 'listener' && /listener bug/.test(e.message)));
  assert.ok(errors.some((e) => e.code === 'storage' && /disk full/.test(e.message)));

  const viaGetToken = makeSync({
    token: undefined,
    getToken: () => {
      throw new Error('no token service');
    },
  });
  const tokenErrors = [];
  viaGetToken.on('error', (e) => tokenErrors.push(e));
  viaGetToken.selectSession('s1');
  await waitFor(() => viaGetToken.state().reason === 'No token', { what: 'polling without a token' });
  assert.ok(tokenErrors.some((e) => e.code === 'token'));
  viaGetToken.setToken('token-1');
  await waitFor(() => viaGetToken.state().state === 'connected', { what: 'connected after setToken' });
});

test('getToken is asked at start and again after "Auth failed"', async () => {
  let asked = 0;
  const sync = makeSync({
    token: undefined,
    getToken: async () => (++asked === 1 ? 'expired-token' : 'token-1'),
  });
  sync.selectSession('s1');
  await waitFor(() => sync.state().state === 'connected', { timeout: 10_000, what: 'connected with the new token' });
  assert.equal(asked, 2);
});

test('session switch, stop and destroy: the socket is closed and nothing runs afterwards', async () => {
  app.addMessage('a', 1, { push: false });
  app.addMessage('b', 1, { push: false });
  app.addMessage('b', 2, { push: false });
  const sync = makeSync();
  sync.selectSession('a');
  await waitFor(() => sync.state().state === 'connected' && sync.messages().length === 1, { what: 'a' });
  sync.selectSession('b');
  assert.equal(sync.messages().length, 0, 'the switch resets the messages at once');
  await waitFor(() => sync.state().state === 'connected' && sync.messages().length === 2, { what: 'b' });
  assert.equal(pusher.subscribers('private-session-a'), 0);
  assert.equal(pusher.subscribers('private-session-b'), 1);
  sync.stop();
  await waitFor(() => sync.state().state === 'disconnected', { what: 'stopped' });
  assert.equal(sync.messages().length, 2, 'the store stays readable');
  sync.selectSession('b');
  await waitFor(() => sync.state().state === 'connected', { what: 'started again' });
  sync.destroy();
  await waitFor(() => pusher.sockets.size === 0, { what: 'the socket to close' });
  sync.selectSession('a'); // ignored, no throw
  assert.equal(sync.state().reason, 'Not started');
});

test("'loaded' comes once per selection, for an empty session too, after its messages", async () => {
  for (let s = 1; s <= 2; s++) app.addMessage('s1', s, { push: false });
  const sync = makeSync();
  const order = [];
  sync.on('messages', () => order.push('messages'));
  sync.on('loaded', ({ sessionId }) => order.push(`loaded ${sessionId}`));
  assert.equal(sync.loaded(), false);
  sync.selectSession('s1');
  await waitFor(() => order.includes('loaded s1'), { what: "'loaded' for s1" });
  assert.equal(sync.messages().length, 2);
  assert.ok(order.indexOf('messages') < order.indexOf('loaded s1'), order.join(', '));
  sync.selectSession('empty');
  await waitFor(() => order.includes('loaded empty'), { what: "'loaded' for an empty session" });
  assert.equal(sync.loaded(), true);
  assert.equal(sync.messages().length, 0);
  assert.equal(order.filter((o) => o === 'loaded s1').length, 1);
});
