// The ingest variants, shared by bench/ingest.mjs (timing) and bench/profile.mjs (profiles).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { MessageMirror } from '../../js-glue/dist/mirror.js';
import { NOW, storeIds, subscribedEngine } from './engine.mjs';
import { OUT } from './env.mjs';
import { expectedPrefix } from './frames.mjs';
import { CarefulMerge, RoadmapMerge } from './merges.mjs';

export const DRIVER = path.join(OUT, 'ingest_driver');

export const METHODS = {
  api: { label: '(p) public API: createSync', what: "createSync (the glue's Client and its 'messages' events, each with the diff's messages), each frame as a WebSocket message event on a stand-in for the global WebSocket, the frames of each 64 KiB read in one task as Node's WebSocket fires a burst (the module hands them to the engine in one call), every queued event run: what every createSync user pays" },
  apiOneByOne: { label: '(p1) public API, one frame per task', what: "as (p), but each frame in a task of its own, as a browser fires them (what the extension's worker pays): an event-loop turn (setImmediate) after every frame, which the other variants do not pay" },
  roadmap: { label: '(a) roadmap merge (JS)', what: 'JSON.parse twice, new Date, findIndex by id, push, sort the whole array, per message' },
  careful: { label: '(b) careful merge (JS)', what: 'JSON.parse twice, Map for dedup, binary-search insert (append fast path)' },
  wasm: { label: '(c) WASM core, buffer path', what: 'frame bytes copied into HEAPU8 (inputBuffer), socketTextFromBuffer, JSON.parse of the effects: one call per frame' },
  wasmString: { label: '(c1) WASM core from JS strings', what: 'as (c), but from the JS string a WebSocket gives: TextEncoder.encodeInto straight into HEAPU8' },
  wasmMirror: { label: '(c2) WASM core + glue mirror', what: "as (c), plus the glue's MessageMirror (what createSync keeps once a host calls messages()): the messages carried in the effect (carryMessages), spliced into a JS array" },
  native: { label: '(d) native core', what: 'Engine::handle(SocketText) per frame, g++ -O3, no JSON out' },
  nativeJson: { label: '(d1) native core + effects JSON', what: 'as (d) plus effects_to_json of every answer (what the WASM binding adds)' },
};

// ---- the variants ---------------------------------------------------------------------------

export function runMerge(Merge, data, budgetMs) {
  const merge = new Merge(data.sessionId);
  const frames = data.frames;
  let done = frames.length;
  const started = performance.now();
  if (budgetMs === undefined) {
    for (let i = 0; i < frames.length; i++) merge.frame(frames[i]);
  } else {
    for (let i = 0; i < frames.length; i++) {
      merge.frame(frames[i]);
      if ((i & 63) === 63 && performance.now() - started > budgetMs) {
        done = i + 1;
        break;
      }
    }
  }
  const ms = performance.now() - started;
  const expected = done === frames.length ? data.expectedIds : expectedPrefix(data, done);
  return { ms, frames: done, check: compare(merge.ids(), expected) };
}

/** Every frame's UTF-8 bytes in one buffer (as read from a socket or a file), with offsets. */
export function encodeFrames(data) {
  if (data.bytes) return data;
  const parts = data.frames.map((f) => Buffer.from(f, 'utf8'));
  const offsets = new Uint32Array(parts.length + 1);
  for (let i = 0; i < parts.length; i++) offsets[i + 1] = offsets[i] + parts[i].length;
  data.bytes = Buffer.concat(parts);
  data.offsets = offsets;
  data.maxFrameBytes = parts.reduce((max, p) => Math.max(max, p.length), 0);
  return data;
}

export function runWasm(mod, data, { strings = false, mirror = false } = {}) {
  encodeFrames(data);
  const { engine, socket } = subscribedEngine(mod, data.sessionId);
  try {
    const list = mirror ? new MessageMirror() : undefined;
    // What the glue's Client does: the messages travel in the effect (an older module reads them back).
    if (list && typeof engine.carryMessages === 'function') engine.carryMessages(true);
    const { bytes, offsets, frames } = data;
    // Room for the longest frame; from strings, UTF-8 may take up to 3 bytes per UTF-16 unit.
    const capacity = strings ? 3 * frames.reduce((max, f) => Math.max(max, f.length), 0) : data.maxFrameBytes;
    const address = engine.inputBuffer(capacity);
    const encoder = new TextEncoder();
    let diffs = 0;
    const started = performance.now();
    for (let i = 0; i < frames.length; i++) {
      let length;
      if (strings) {
        // HEAPU8 is read again for every frame: memory may have grown during the previous call.
        length = encoder.encodeInto(frames[i], mod.HEAPU8.subarray(address, address + capacity)).written;
      } else {
        const start = offsets[i];
        length = offsets[i + 1] - start;
        mod.HEAPU8.set(bytes.subarray(start, start + length), address);
      }
      const effects = JSON.parse(engine.socketTextFromBuffer(socket, length, NOW));
      // What the glue's receive() does with each answer: look at every effect's type.
      for (const effect of effects) {
        if (effect.type === 'messages') {
          diffs++;
          if (list) {
            const { type: _, insertedMessages, updatedMessages, ...diff } = effect;
            list.apply(diff, engine, insertedMessages ? { insertedMessages, updatedMessages } : undefined);
          }
        }
      }
    }
    const ms = performance.now() - started;
    const ids = list ? list.messages.map((m) => m.messageId) : storeIds(engine);
    const counters = JSON.parse(engine.countersJson());
    return { ms, frames: frames.length, diffs, rejected: counters.framesRejected, check: compare(ids, data.expectedIds) };
  } finally {
    engine.delete();
  }
}

/**
 * A stand-in for the global WebSocket with the surface Emscripten's WebSocket library uses: the
 * benchmark calls `onmessage` itself, as the browser does for each text frame.
 */
class BenchSocket {
  static last = undefined;
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.binaryType = 'blob';
    this.sent = [];
    BenchSocket.last = this;
    queueMicrotask(() => {
      this.readyState = 1;
      this.onopen?.({});
    });
  }
  send(text) {
    this.sent.push(text);
  }
  close() {
    this.readyState = 3;
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/**
 * What Node's WebSocket (undici) fires in one task: every frame of one socket read, and a burst
 * from a local server is read 64 KiB at a time (79 frames of 830 bytes a task, measured).
 */
export const READ_BYTES = 65536;

/** The index after the last frame of each read of `readBytes` (0: each frame a read of its own). */
export function readEnds(frames, readBytes) {
  const ends = [];
  let bytes = 0;
  for (let i = 0; i < frames.length; i++) {
    bytes += Buffer.byteLength(frames[i]);
    if (bytes >= readBytes) {
      ends.push(i + 1);
      bytes = 0;
    }
  }
  if (ends.at(-1) !== frames.length) ends.push(frames.length);
  return ends;
}

/**
 * createSync with the module's Client on a BenchSocket, fetch answering the channel auth and an
 * empty backfill, subscribed to `data`'s session. `feed(frames, ends)` gives each frame as one message
 * event, in tasks that end at `ends` (readEnds; default: one task), and lets the queued jobs (the
 * 'messages' events) run; `close()` destroys it.
 */
export async function subscribedSync(mod, data) {
  const { createSync } = await import('../../js-glue/dist/index.js');
  const saved = globalThis.WebSocket;
  globalThis.WebSocket = BenchSocket;
  BenchSocket.last = undefined;
  const answer = (body) => ({ status: 200, text: async () => body, headers: { get: () => null } });
  const fetch = async (url) => answer(String(url).includes('auth') ? '{"auth":"x:y"}' : '{"messages":[],"hasMore":false}');
  const sync = createSync({ apiBase: 'http://bench.invalid', wsHost: 'bench.invalid', wsPort: 443, key: 'bench', token: 'bench', fetch, module: mod, jitterSeed: 1, maxMessages: 1_000_000 });
  const close = async () => {
    await sync.destroy();
    globalThis.WebSocket = saved;
  };
  try {
    await sync.ready;
    sync.selectSession(data.sessionId);
    for (let i = 0; i < 50 && !BenchSocket.last?.onmessage; i++) await tick();
    const socket = BenchSocket.last;
    if (!socket) throw new Error('createSync opened no socket');
    socket.onmessage({ data: JSON.stringify({ event: 'pusher:connection_established', data: JSON.stringify({ socket_id: '1.1', activity_timeout: 120 }) }) });
    let channel;
    for (let i = 0; i < 50 && !channel; i++) {
      await tick();
      const subscribe = socket.sent.map((t) => JSON.parse(t)).find((f) => f.event === 'pusher:subscribe');
      channel = subscribe?.data.channel;
    }
    if (!channel) throw new Error(`createSync did not subscribe (state ${sync.state().state})`);
    socket.onmessage({ data: JSON.stringify({ event: 'pusher_internal:subscription_succeeded', channel, data: '{}' }) });
    for (let i = 0; i < 50 && !sync.loaded(); i++) await tick();
    if (sync.state().state !== 'connected' || !sync.loaded()) throw new Error(`createSync is not subscribed (state ${sync.state().state})`);
    // `ends` (readEnds) splits the frames into tasks: each a socket read, a task of its own.
    const feed = async (frames, ends = [frames.length]) => {
      let i = 0;
      for (const end of ends) {
        for (; i < end; i++) socket.onmessage({ data: frames[i] });
        await tick(); // the task ends: its microtasks (the module's flush, the queued events) run
      }
    };
    return { sync, feed, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * The public API: createSync subscribed (subscribedSync), then every frame as one message event,
 * in tasks of one socket read of `readBytes` each (0: a task per frame), then the queued jobs (the
 * 'messages' events to a listener) run before the clock stops.
 * `afterTimed` runs right after the clock stops, before the store is read for the check (a
 * profiler stops there); what it resolves to is returned as `afterTimed`.
 */
export async function runApi(mod, data, { afterTimed, readBytes = READ_BYTES } = {}) {
  const { sync, feed, close } = await subscribedSync(mod, data);
  try {
    let events = 0;
    sync.on('messages', () => events++);
    const ends = readEnds(data.frames, readBytes);
    const started = performance.now();
    await feed(data.frames, ends);
    const ms = performance.now() - started;
    const timed = afterTimed ? await afterTimed() : undefined;
    const ids = sync.readMessages().map((m) => m.messageId);
    return { ms, frames: data.frames.length, diffs: events, rejected: sync.counters().framesRejected, check: compare(ids, data.expectedIds), afterTimed: timed };
  } finally {
    await close();
  }
}

const written = new Set();

export function framesFile(data) {
  fs.mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, `frames-${data.n}-${data.order}-seed${data.seed}.ndjson`);
  // Written once per process (a file left by an older generator must not be reused).
  if (!written.has(file)) {
    fs.writeFileSync(file, data.frames.join('\n') + '\n');
    written.add(file);
  }
  return file;
}

export function runNative(data, mode, driver = DRIVER) {
  const ids = path.join(OUT, `ids-${process.pid}.txt`);
  const result = spawnSync(driver, [framesFile(data), data.sessionId, mode, ids], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (result.status !== 0) throw new Error(`ingest_driver failed (${result.status}): ${result.stderr}`);
  const out = JSON.parse(result.stdout.trim().split('\n').at(-1));
  const got = fs.readFileSync(ids, 'utf8').split('\n').filter(Boolean);
  fs.rmSync(ids, { force: true });
  return { ms: out.ms, frames: out.frames, rejected: out.rejected, check: compare(got, data.expectedIds) };
}

function compare(got, expected) {
  if (got.length !== expected.length) return `FAIL: ${got.length} messages, expected ${expected.length}`;
  for (let i = 0; i < got.length; i++) {
    if (got[i] !== expected[i]) return `FAIL: position ${i} holds ${got[i]}, expected ${expected[i]}`;
  }
  return 'ok';
}

/** Runs one variant once on `data`; `mod` is the WASM module. A promise for 'api'. */
export function runVariant(method, mod, data, budgetMs) {
  switch (method) {
    case 'api': return runApi(mod, data);
    case 'apiOneByOne': return runApi(mod, data, { readBytes: 0 });
    case 'roadmap': return runMerge(RoadmapMerge, data, budgetMs);
    case 'careful': return runMerge(CarefulMerge, data);
    case 'wasm': return runWasm(mod, data);
    case 'wasmString': return runWasm(mod, data, { strings: true });
    case 'wasmMirror': return runWasm(mod, data, { mirror: true });
    case 'native': return runNative(data, 'engine');
    case 'nativeJson': return runNative(data, 'engine+json');
    default: throw new Error(`unknown variant ${method}`);
  }
}
