// Bursts through the module's own WebSocket handling in Node: Node's WebSocket fires every frame of
// one socket read in one task, and the module hands those frames to the engine in one call
// (wasm-bindings/websocket_text.js, Engine::handle_some), so a burst costs fewer `messages` events
// than frames. What must not change: every message stored once, in order, and a socket's close
// handled after the frames that came before it, even when both come in one read or one task.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { createSync } from '../dist/index.js';
import { stubServersEachTest } from './support/stub-servers.mjs';
import { waitFor } from './support/wait.mjs';
import { stubSyncOptions } from './support/stub-sync.mjs';

const servers = stubServersEachTest();
const { syncs } = servers;
let pusher;
let app;
beforeEach(() => {
  ({ pusher, app } = servers);
});

const channel = 'private-session-s1';

/** Connected to s1 with an empty backlog, recording every event in one ordered log. */
async function connected() {
  const sync = createSync(stubSyncOptions(app, pusher, { engineConfig: { backoffBaseMs: 200 } }));
  syncs.push(sync);
  const log = [];
  for (const name of ['state', 'messages', 'error']) sync.on(name, (value) => log.push({ name, value }));
  sync.selectSession('s1');
  await waitFor(() => sync.state().state === 'connected' && sync.loaded(), { what: 'connected and loaded' });
  return { sync, log };
}

/**
 * `count` of the assistant's messages from sequence `from`, stored by the app server but not
 * pushed, and their frames (in `order`). The assistant's: a user's message starts the assistant's
 * turn (a typing change), which the engine reports where one call per frame would, ending a run.
 */
function messages(from, count, order = (list) => list) {
  const stored = [];
  for (let s = from; s < from + count; s++) stored.push(app.addMessage('s1', s, { push: false, role: 'assistant' }));
  return order(stored).map((message) => ({ event: 'new_message', data: { type: 'new_message', sessionId: 's1', message } }));
}

const ids = (list) => list.map((m) => m.messageId);
const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => `m${from + i}`);

test('a burst read in one chunk is stored whole, in order, in fewer messages events than frames', async () => {
  const { sync, log } = await connected();
  const before = log.filter((e) => e.name === 'messages').length;
  // Reversed within the burst: the store orders them, and nothing is missing once all are in.
  pusher.burst(channel, messages(1, 300, (list) => list.reverse()));
  await waitFor(() => sync.messageCount() === 300, { what: '300 messages' });
  assert.deepEqual(ids(sync.readMessages()), range(1, 300));
  const events = log.filter((e) => e.name === 'messages').slice(before);
  const inserted = events.flatMap((e) => e.value.inserted.map((m) => m.messageId));
  assert.deepEqual([...inserted].sort(), range(1, 300).sort(), 'each message inserted once, by the events');
  assert.ok(events.length < 300 / 10, `${events.length} messages events for 300 frames read in a few chunks`);
  assert.equal(events.at(-1).value.diff.size, 300);
  assert.equal(sync.counters().framesReceived >= 300, true);
  assert.equal(sync.counters().syncs, 1, 'no catch-up: nothing was missing (only the first read)');
  assert.deepEqual(log.filter((e) => e.name === 'error'), []);
});

test('frames read together with the connection\'s end are stored before the close is handled', async () => {
  const { sync, log } = await connected();
  const start = log.length;
  pusher.burst(channel, messages(1, 50), { thenEnd: true });
  await waitFor(() => log.slice(start).some((e) => e.name === 'state' && e.value.state !== 'connected'), { what: 'the close seen' });
  // Everything the socket delivered came before the close: all 50 in the events before the state
  // changed, none left for a catch-up to find.
  const closedAt = log.findIndex((e, i) => i >= start && e.name === 'state' && e.value.state !== 'connected');
  const insertedBefore = log.slice(start, closedAt).filter((e) => e.name === 'messages').flatMap((e) => e.value.inserted.map((m) => m.messageId));
  assert.deepEqual([...insertedBefore].sort(), range(1, 50).sort());
  assert.deepEqual(ids(sync.readMessages()), range(1, 50));
  await waitFor(() => sync.state().state === 'connected', { what: 'reconnected' });
  assert.deepEqual(ids(sync.readMessages()), range(1, 50));
});

/**
 * A WebSocket that fires what it is told when it is told: Node's and the `ws` package's fire a
 * close in a later task than the frames before it, but nothing promises that, and the module must
 * not let a close overtake frames it still holds.
 */
class ScriptedSocket {
  static last;
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    ScriptedSocket.last = this;
    queueMicrotask(() => {
      this.readyState = 1;
      this.onopen?.({});
    });
  }
  send(text) {
    this.sent.push(JSON.parse(text));
  }
  close() {
    this.readyState = 3;
  }
  /** Each frame as a message event, then the close, all in this task. */
  deliverThenClose(frames, code) {
    for (const frame of frames) this.onmessage({ data: JSON.stringify(frame) });
    this.readyState = 3;
    this.onclose({ code, reason: '', wasClean: false });
  }
}

test('a close fired in the same task as the frames before it is handled after them', async (t) => {
  const saved = globalThis.WebSocket;
  globalThis.WebSocket = ScriptedSocket;
  t.after(() => {
    globalThis.WebSocket = saved;
  });
  const sync = createSync(stubSyncOptions(app, pusher, { engineConfig: { backoffBaseMs: 5_000 } }));
  syncs.push(sync);
  const log = [];
  for (const name of ['state', 'messages', 'error']) sync.on(name, (value) => log.push({ name, value }));
  sync.selectSession('s1');
  await waitFor(() => ScriptedSocket.last?.onmessage, { what: 'the socket' });
  const socket = ScriptedSocket.last;
  socket.onmessage({ data: JSON.stringify({ event: 'pusher:connection_established', data: JSON.stringify({ socket_id: '1.1', activity_timeout: 120 }) }) });
  await waitFor(() => socket.sent.some((f) => f.event === 'pusher:subscribe'), { what: 'the subscribe' });
  socket.onmessage({ data: JSON.stringify({ event: 'pusher_internal:subscription_succeeded', channel, data: '{}' }) });
  await waitFor(() => sync.state().state === 'connected' && sync.loaded(), { what: 'connected and loaded' });

  const start = log.length;
  const frames = messages(1, 20).map(({ event, data }) => ({ event, channel, data: JSON.stringify(data) }));
  socket.deliverThenClose(frames, 1006);
  await waitFor(() => log.slice(start).some((e) => e.name === 'state'), { what: 'the close seen' });
  const closedAt = log.findIndex((e, i) => i >= start && e.name === 'state');
  const insertedBefore = log.slice(start, closedAt).filter((e) => e.name === 'messages').flatMap((e) => e.value.inserted.map((m) => m.messageId));
  assert.deepEqual([...insertedBefore].sort(), range(1, 20).sort());
  assert.equal(log[closedAt].value.state, 'reconnecting');
});

test('a Sync destroyed with frames it has not handed over drops them, and the module goes on', async (t) => {
  const saved = globalThis.WebSocket;
  globalThis.WebSocket = ScriptedSocket;
  t.after(() => {
    globalThis.WebSocket = saved;
  });
  const first = createSync(stubSyncOptions(app, pusher));
  first.selectSession('s1');
  await waitFor(() => ScriptedSocket.last?.onmessage, { what: 'the socket' });
  const socket = ScriptedSocket.last;
  const errors = [];
  first.on('error', (e) => errors.push(e));
  // Frames collected for the next microtask, then the Sync gone before it.
  for (const { event, data } of messages(1, 5)) socket.onmessage({ data: JSON.stringify({ event, channel, data: JSON.stringify(data) }) });
  await first.destroy();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(errors, []);
  // The same module, a new Sync: its frames go where they should.
  const second = createSync(stubSyncOptions(app, pusher));
  syncs.push(second);
  second.selectSession('s1');
  await waitFor(() => ScriptedSocket.last !== socket && ScriptedSocket.last?.onmessage, { what: 'the second socket' });
  const next = ScriptedSocket.last;
  next.onmessage({ data: JSON.stringify({ event: 'pusher:connection_established', data: JSON.stringify({ socket_id: '1.2', activity_timeout: 120 }) }) });
  await waitFor(() => next.sent.some((f) => f.event === 'pusher:subscribe'), { what: 'the second subscribe' });
});
