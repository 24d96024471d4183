// Latency: one Sockudo and the reference app server (bench/lib/stack.mjs, ports 3400/3405), messages
// stored and pushed through the server's admin routes, received at the same time by pusher-js 8.6.0
// (its Node build) and by pushsync (createSync: the WASM engine with its own WebSocket), both in
// this process, so one clock (performance.now()) times the trigger and both stores.
// Run it with `bench/run latency`; results: bench/results/latency.json.
//
//   node --experimental-websocket --expose-gc bench/latency.mjs [--rounds 12] [--steady 500]
//        [--rate 100] [--bursts 5] [--burst-size 100] [--burst-gap-ms 400]
//
// Rounds alternate between a steady rate (one message per HTTP call, `rate` per second) and
// bursts (`burst-size` messages in one batch call, which the server pushes ten per request). Each
// round uses a new session and new connections for both clients, made in alternating order, so
// neither client is always the first socket Sockudo writes to or Node reads from.
//
// Per message and client:
//   trigger-to-store  performance.now() just before the HTTP call that stores and pushes it, to the
//                     moment the client's message list holds it;
//   stamp-to-store    the same from the message's server timestamp (Date-based, ms resolution);
//   client share      the client's own work for the message, receive to store updated: for
//                     pusher-js its socket handler up to the end of our bind callback, which
//                     applies the message to a careful merge (bench/lib/merges.mjs, (b) of the
//                     ingest benchmark); for pushsync the frames of one task go to the engine
//                     together at the task's end (docs/core.md "Bursts"), so its share is the
//                     task's work spread over its frames: their socket handlers (each frame copied
//                     into the module) plus the module's call for all of them and the glue's
//                     answer, up to the `messages` event (from the last handler's end to the
//                     event), divided by the frames.
//                     A message counts as stored when the host could see it: pusher-js's in the
//                     bind callback, pushsync's in the `messages` event.
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { createSync, loadModule, memoryStorage } from '../js-glue/dist/index.js';
import { command, machine, median, parseArgs, quantile, round, versions, writeResult } from './lib/env.mjs';
import { body, prng } from './lib/frames.mjs';
import { APP_KEY, startStack } from './lib/stack.mjs';

const options = parseArgs(process.argv.slice(2), {
  rounds: 12,
  steady: 500, // messages per steady round
  rate: 100, // per second, in steady rounds
  bursts: 5, // per burst round
  'burst-size': 100,
  'burst-gap-ms': 400,
  seed: 1,
  name: 'latency',
});

if (typeof WebSocket !== 'function') throw new Error('run node with --experimental-websocket (Node 20): pushsync uses the global WebSocket');
const require = createRequire(import.meta.url);
const Pusher = require('pusher-js');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const TAG = /^bench#(\d+)#(\d+) /;

// ---- hooks on both sockets --------------------------------------------------------------------

/**
 * Wraps the `onmessage` a library sets on a socket so that its handler is timed: `current` is the
 * frame being handled (its start), `last` the one handled last (start and end).
 */
function timeOnMessage(socket, clock) {
  // undici's WebSocket keeps `onmessage` as an accessor on its prototype (it registers a listener):
  // call it with the wrapped handler. faye-websocket's is a plain property its dispatch reads.
  let inherited;
  for (let proto = Object.getPrototypeOf(socket); proto && !inherited; proto = Object.getPrototypeOf(proto)) {
    inherited = Object.getOwnPropertyDescriptor(proto, 'onmessage');
  }
  const native = inherited?.set ? inherited.set : undefined;
  let handler = null;
  let wrapped = null;
  Object.defineProperty(socket, 'onmessage', {
    configurable: true,
    get: () => wrapped,
    set: (fn) => {
      handler = fn;
      wrapped = typeof fn === 'function'
        ? function onmessage(event) {
          const start = performance.now();
          clock.current = start;
          try {
            return handler.call(this, event);
          } finally {
            const end = performance.now();
            clock.last = { start, end };
            clock.current = undefined;
            clock.frames++;
            clock.handled.ms += end - start;
            clock.handled.frames++;
          }
        }
        : fn;
      if (native) native.call(socket, wrapped);
    },
  });
}

// `handled`: the frames handled (and their handlers' time) since pushsync's last `messages` event.
const pushsyncClock = { current: undefined, last: undefined, frames: 0, handled: { ms: 0, frames: 0 }, share: 0 };
const pusherClock = { current: undefined, last: undefined, frames: 0, handled: { ms: 0, frames: 0 } };

// pushsync's module opens `new WebSocket(url)` on the global it finds then (as the demo's worker
// hooks it, demo/src/worker.js).
const NativeWebSocket = globalThis.WebSocket;
globalThis.WebSocket = class TimedWebSocket extends NativeWebSocket {
  constructor(url, protocols) {
    super(url, protocols);
    timeOnMessage(this, pushsyncClock);
  }
};

// pusher-js's Node build makes its sockets with Runtime.getWebSocketAPI() (faye-websocket).
const FayeClient = Pusher.Runtime.getWebSocketAPI();
Pusher.Runtime.getWebSocketAPI = () =>
  function TimedFayeClient(url, protocols, options) {
    const socket = new FayeClient(url, protocols, options);
    timeOnMessage(socket, pusherClock);
    return socket;
  };

// ---- the clients ------------------------------------------------------------------------------

class Recorder {
  constructor() {
    this.byKey = new Map(); // "round#i" -> {store, share, stamp}
  }
  record(key, store, share, stampMs) {
    if (!this.byKey.has(key)) this.byKey.set(key, { store, share, stampToStore: performance.timeOrigin + store - stampMs });
  }
}

/** pusher-js subscribed to the session's private channel; its store is a careful merge. */
async function pusherClient(stack, token, sessionId, recorder) {
  const { CarefulMerge } = await import('./lib/merges.mjs');
  const store = new CarefulMerge(sessionId);
  const pusher = new Pusher(APP_KEY, {
    cluster: 'local',
    wsHost: '127.0.0.1',
    wsPort: stack.sockudoPort,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    channelAuthorization: { endpoint: `${stack.apiBase}/api/pusher/auth`, transport: 'ajax', headers: { Authorization: `Bearer ${token}` } },
  });
  const channel = pusher.subscribe(`private-session-${sessionId}`);
  channel.bind('new_message', (data) => {
    // The callback runs inside the socket's message handler; the store is updated right here.
    store.insert(data);
    const end = performance.now();
    const match = TAG.exec(data.message.content);
    if (match) recorder.record(`${match[1]}#${match[2]}`, end, end - (pusherClock.current ?? end), Date.parse(data.message.timestamp));
  });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('pusher-js did not subscribe within 15 s')), 15_000);
    channel.bind('pusher:subscription_succeeded', () => {
      clearTimeout(timer);
      resolve();
    });
    channel.bind('pusher:subscription_error', (error) => reject(new Error(`pusher-js subscription error ${JSON.stringify(error)}`)));
  });
  return { name: 'pusher-js', size: () => store.messages.length, close: () => pusher.disconnect() };
}

/** pushsync (createSync) selecting the session; its store is the engine's (sync.messageCount()). */
async function pushsyncClient(stack, token, sessionId, recorder, module) {
  const sync = createSync({
    apiBase: stack.apiBase,
    wsHost: '127.0.0.1',
    wsPort: stack.sockudoPort,
    key: APP_KEY,
    protocol: 7,
    token,
    storage: memoryStorage(),
    module,
  });
  const errors = [];
  sync.on('error', (e) => errors.push(e));
  // Emitted in a microtask at the end of the task whose frames it brings: the module took them in
  // one call there, and the glue queued its events behind it. Several events from one task share
  // the share computed at the first.
  sync.on('messages', ({ diff, inserted }) => {
    const now = performance.now();
    const clock = pushsyncClock;
    if (clock.handled.frames > 0 && clock.last) {
      clock.share = (clock.handled.ms + (now - clock.last.end)) / clock.handled.frames;
      clock.handled = { ms: 0, frames: 0 };
    }
    if (diff.reset) return;
    for (const message of inserted) {
      const match = TAG.exec(message.content);
      if (match) recorder.record(`${match[1]}#${match[2]}`, now, clock.share, Date.parse(message.timestamp));
    }
  });
  const connected = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pushsync did not connect within 15 s (state ${JSON.stringify(sync.state())}, errors ${JSON.stringify(errors)})`)), 15_000);
    sync.on('state', ({ state }) => {
      if (state === 'connected') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  sync.selectSession(sessionId);
  await connected;
  return { name: 'pushsync', size: () => sync.messageCount(), close: () => sync.destroy(), errors };
}

// ---- the run ----------------------------------------------------------------------------------

function stats(values) {
  if (values.length === 0) return { count: 0 };
  return {
    count: values.length,
    p50: round(quantile(values, 0.5)),
    p90: round(quantile(values, 0.9)),
    p99: round(quantile(values, 0.99)),
    max: round(Math.max(...values)),
    mean: round(values.reduce((a, b) => a + b, 0) / values.length),
  };
}

async function main() {
  const startedAt = new Date().toISOString();
  const random = prng(options.seed);
  const module = await loadModule();
  const stack = await startStack('latency');
  const triggers = new Map(); // "round#i" -> {at, mode}
  const clients = { pushsync: new Recorder(), 'pusher-js': new Recorder() };
  const rounds = [];
  let lost = 0;
  try {
    const token = await stack.api.login();
    for (let r = 0; r < options.rounds; r++) {
      const mode = r % 2 === 0 ? 'steady' : 'burst';
      const sessionId = await stack.api.createSession(token);
      // New connections each round, made in alternating order.
      const makers = [
        () => pushsyncClient(stack, token, sessionId, clients.pushsync, module),
        () => pusherClient(stack, token, sessionId, clients['pusher-js']),
      ];
      if (Math.floor(r / 2) % 2 === 1) makers.reverse();
      const live = [];
      for (const make of makers) live.push(await make());
      await sleep(200);
      const expected = mode === 'steady' ? options.steady : options.bursts * options['burst-size'];
      const begun = performance.now();
      if (mode === 'steady') {
        const interval = 1000 / options.rate;
        for (let i = 0; i < options.steady; i++) {
          const due = begun + i * interval;
          const wait = due - performance.now();
          if (wait > 1) await sleep(wait);
          const at = performance.now();
          triggers.set(`${r}#${i}`, { at, mode });
          await stack.api.postOne(sessionId, { content: `bench#${r}#${i} ${body(random)}` });
        }
      } else {
        let i = 0;
        for (let b = 0; b < options.bursts; b++) {
          const messages = [];
          const at = performance.now();
          for (let k = 0; k < options['burst-size']; k++, i++) {
            triggers.set(`${r}#${i}`, { at, mode });
            messages.push({ content: `bench#${r}#${i} ${body(random)}` });
          }
          await stack.api.postBatch(sessionId, messages);
          await sleep(options['burst-gap-ms']);
        }
      }
      // Everything delivered to both (or given up after 10 s).
      const deadline = performance.now() + 10_000;
      while (live.some((c) => c.size() < expected) && performance.now() < deadline) await sleep(20);
      const sizes = Object.fromEntries(live.map((c) => [c.name, c.size()]));
      for (const c of live) lost += Math.max(0, expected - c.size());
      rounds.push({ round: r, mode, order: live.map((c) => c.name), messages: expected, received: sizes, seconds: round((performance.now() - begun) / 1000, 2) });
      console.log(`latency: round ${r} ${mode}: ${JSON.stringify(sizes)} of ${expected}`);
      for (const c of live) c.close();
      await sleep(300);
    }
  } finally {
    await stack.down();
  }

  // Per client and mode: trigger-to-store, stamp-to-store, client share; and paired differences.
  const summary = {};
  const series = {};
  let firstPushsync = 0;
  let paired = 0;
  const pairedDiff = { steady: [], burst: [] };
  for (const mode of ['all', 'steady', 'burst']) {
    summary[mode] = {};
    for (const [name, recorder] of Object.entries(clients)) {
      const toStore = [];
      const stamp = [];
      const share = [];
      for (const [key, t] of triggers) {
        if (mode !== 'all' && t.mode !== mode) continue;
        const got = recorder.byKey.get(key);
        if (!got) continue;
        toStore.push(got.store - t.at);
        stamp.push(got.stampToStore);
        share.push(got.share);
      }
      summary[mode][name] = { triggerToStoreMs: stats(toStore), stampToStoreMs: stats(stamp), clientShareMs: stats(share) };
      (series[mode] ??= {})[name] = toStore;
    }
  }
  for (const [key, t] of triggers) {
    const a = clients.pushsync.byKey.get(key);
    const b = clients['pusher-js'].byKey.get(key);
    if (!a || !b) continue;
    paired++;
    if (a.store < b.store) firstPushsync++;
    pairedDiff[t.mode].push(a.store - b.store);
  }
  const goals = [];
  for (const mode of ['all', 'steady', 'burst']) {
    const a = summary[mode].pushsync.triggerToStoreMs;
    const b = summary[mode]['pusher-js'].triggerToStoreMs;
    for (const q of ['p50', 'p99']) {
      goals.push({ goal: `trigger-to-store ${q} no worse than pusher-js (${mode === 'all' ? 'all messages' : `${mode} rounds`}, same run)`, mode, quantile: q, pushsync: a[q], pusherJs: b[q], met: a[q] <= b[q] });
    }
  }
  // Issue 12's goal: the socket handler's share (receive to store updated), p50 and p99.
  for (const q of ['p50', 'p99']) {
    const a = summary.all.pushsync.clientShareMs[q];
    const b = summary.all['pusher-js'].clientShareMs[q];
    goals.push({ goal: `socket handler share ${q} no slower than pusher-js's (all messages, same run)`, mode: 'all', quantile: q, pushsync: a, pusherJs: b, met: a <= b });
  }
  const file = writeResult(options.name, {
    benchmark: 'latency',
    command: command(),
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: machine(),
    versions: versions(['sockudo', 'pusher-js']),
    settings: options,
    notes: [
      'Times in ms. trigger-to-store starts just before the HTTP call to the admin route (single message, or a batch of burst-size in one call: every message of a burst has the same trigger time).',
      'Both clients and the trigger run in this one Node process, so they share one clock and one event loop; each round has new connections, made in alternating order.',
      'client share: the client\'s own work for a message (pusher-js: its socket handler, its decode + our careful-merge callback; pushsync: the work of the task that brought the frame, spread over its frames: their socket handlers (the copy into the module) + the module\'s one call for them (engine, effects JSON) + the glue\'s answer (JSON.parse, the event), up to the messages event). Frame parsing by the WebSocket implementation itself (undici for pushsync, faye-websocket inside pusher-js) is before it.',
      'stored: when the host could see the message: pusher-js\'s in the bind callback (inside its socket handler), pushsync\'s in its messages event (the microtask after the task that brought the frame).',
      'pairedDifferenceMs: per message, pushsync store time minus pusher-js store time (negative: pushsync first).',
    ],
    rounds,
    lostMessages: lost,
    summary,
    pairedDifferenceMs: { steady: stats(pairedDiff.steady), burst: stats(pairedDiff.burst) },
    pushsyncStoredFirstPercent: paired ? round((firstPushsync / paired) * 100, 1) : null,
    /** Per mode and client: trigger-to-store at 0, 1, ..., 100 %. */
    cdf: Object.fromEntries(Object.entries(series).map(([mode, byClient]) => [mode, Object.fromEntries(Object.entries(byClient).map(([name, values]) => [name, cdfPoints(values)]))])),
    goals,
  });
  console.log(`latency: wrote ${file}`);
  for (const [mode, s] of Object.entries(summary)) {
    for (const [name, x] of Object.entries(s)) console.log(`latency: ${mode} ${name}: trigger-to-store ${JSON.stringify(x.triggerToStoreMs)} share ${JSON.stringify(x.clientShareMs)}`);
  }
  for (const g of goals) console.log(`latency: goal ${g.met ? 'met' : 'NOT met'}: ${g.goal} (pushsync ${g.pushsync} ms, pusher-js ${g.pusherJs} ms)`);
}

/** 101 quantiles (0, 1, ..., 100 %) for the plot. */
function cdfPoints(values) {
  const out = [];
  for (let q = 0; q <= 100; q++) out.push(round(quantile(values, q / 100), 3));
  return out;
}

await main();
process.exit(0);
