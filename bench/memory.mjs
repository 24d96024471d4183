// Memory: bytes of WASM heap per stored message, at 10,000 and 100,000 messages, against the size
// of the message content itself; what createSync keeps on the JavaScript heap next to the engine's
// store (the goal: no second full copy); and, for scale, what the same messages take in the
// careful merge and in the glue's mirror (the list createSync keeps once a host calls messages()).
// Run it with `bench/run memory`; results: bench/results/memory.json.
//
//   node --expose-gc bench/memory.mjs [--sizes 10000,100000]
//
// Each size gets a fresh module instance. Two measures of the WASM heap:
//   used   where the allocator's top is: the address malloc gives a block larger than any free
//          one (so it must come from the top), before and after the messages; this counts the
//          allocator's overhead and any free holes inside the used part, not untouched memory;
//   grown  how much the module's memory (HEAPU8.length) grew: what the process pays, in 64 KiB
//          pages, grown geometrically by Emscripten (up to ~20 % more than needed).
import { MessageMirror } from '../js-glue/dist/mirror.js';
import { loadModule, NOW, subscribedEngine } from './lib/engine.mjs';
import { command, machine, parseArgs, ROOT, round, versions, writeResult } from './lib/env.mjs';
import { dataset } from './lib/frames.mjs';
import { CarefulMerge } from './lib/merges.mjs';
import { READ_BYTES, readEnds, subscribedSync } from './lib/variants.mjs';
import fs from 'node:fs';
import path from 'node:path';

const options = parseArgs(process.argv.slice(2), { sizes: '10000,100000', orders: 'ordered,shuffled', seed: 1, name: 'memory' });
const gc = globalThis.gc;
if (!gc) throw new Error('run node with --expose-gc');
const WASM = path.join(ROOT, 'js-glue', 'dist', 'wasm', 'pushsync.wasm');

/** The allocator's top: a block larger than the whole heap cannot come from a free hole. */
function top(mod) {
  const size = mod.HEAPU8.length;
  const block = mod._malloc(size);
  if (!block) throw new Error('malloc failed while probing the heap top');
  mod._free(block);
  return block;
}

function jsHeap() {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function wasmHeap(data, probe) {
  // A fresh instance: nothing of an earlier run in its heap.
  const mod = await loadModule({ wasmBinary: fs.readFileSync(WASM) });
  const { engine, socket } = subscribedEngine(mod, data.sessionId);
  const bytes = data.frames.map((f) => Buffer.from(f, 'utf8'));
  const capacity = bytes.reduce((max, b) => Math.max(max, b.length), 0);
  const address = engine.inputBuffer(capacity);
  // A probe doubles the heap; "grown" is measured in another instance that is never probed.
  const lengthBefore = mod.HEAPU8.length;
  const topBefore = probe ? top(mod) : 0;
  for (const frame of bytes) {
    mod.HEAPU8.set(frame, address);
    engine.socketTextFromBuffer(socket, frame.length, NOW);
  }
  const lengthAfter = mod.HEAPU8.length;
  const topAfter = probe ? top(mod) : 0;
  const stored = engine.size();
  engine.delete();
  return { stored, usedBytes: topAfter - topBefore, grownBytes: lengthAfter - lengthBefore, heapBytesBefore: lengthBefore, heapBytesAfter: lengthAfter };
}

function carefulHeap(data) {
  const before = jsHeap();
  let merge = new CarefulMerge(data.sessionId);
  for (const frame of data.frames) merge.frame(frame);
  const after = jsHeap();
  const stored = merge.messages.length;
  merge = null;
  return { stored, bytes: after - before };
}

/** The glue's mirror: the same JS objects createSync's messages() holds, filled from the engine. */
async function mirrorHeap(data) {
  const mod = await loadModule({ wasmBinary: fs.readFileSync(WASM) });
  const { engine, socket } = subscribedEngine(mod, data.sessionId);
  for (const frame of data.frames) engine.socketText(socket, frame, NOW);
  const before = jsHeap();
  const mirror = new MessageMirror();
  mirror.reload(engine);
  const after = jsHeap();
  const stored = mirror.messages.length;
  engine.delete();
  return { stored, bytes: after - before };
}

/**
 * What createSync itself keeps in JS for the messages: its JS heap after every frame went through
 * it (a 'messages' listener that keeps nothing, as a host with its own list has), against before.
 */
async function syncHeap(data) {
  const mod = await loadModule({ wasmBinary: fs.readFileSync(WASM) });
  const { sync, feed, close } = await subscribedSync(mod, data);
  try {
    let events = 0;
    sync.on('messages', () => events++);
    const before = jsHeap();
    await feed(data.frames, readEnds(data.frames, READ_BYTES));
    const after = jsHeap();
    return { stored: sync.messageCount(), events, bytes: after - before };
  } finally {
    await close();
  }
}

async function main() {
  const startedAt = new Date().toISOString();
  const cases = [];
  for (const n of options.sizes.split(',').map(Number)) {
    for (const order of options.orders.split(',')) {
      const data = dataset(n, order, options.seed);
      const wasm = await wasmHeap(data, true);
      const unprobed = await wasmHeap(data, false);
      const careful = carefulHeap(data);
      const mirror = await mirrorHeap(data);
      const kept = await syncHeap(data);
      const per = (bytes) => round(bytes / n, 1);
      const entry = {
        n,
        order,
        frames: data.frames.length,
        storedMessages: wasm.stored,
        perMessage: {
          contentUtf8Bytes: per(data.contentBytes),
          messageJsonBytes: per(data.messageJsonBytes),
          frameBytes: per(data.frames.reduce((sum, f) => sum + Buffer.byteLength(f), 0) / (data.frames.length / n)),
          wasmHeapUsed: per(wasm.usedBytes),
          wasmHeapGrown: per(unprobed.grownBytes),
          carefulMergeJsHeap: per(careful.bytes),
          glueMirrorJsHeap: per(mirror.bytes),
          createSyncJsHeap: per(kept.bytes),
        },
        wasmHeapUsedOverContent: round(wasm.usedBytes / data.contentBytes, 2),
        wasmHeapUsedOverMessageJson: round(wasm.usedBytes / data.messageJsonBytes, 2),
        wasmHeapBytesBefore: unprobed.heapBytesBefore,
        wasmHeapBytesAfter: unprobed.heapBytesAfter,
        checks: { wasmStored: wasm.stored === n ? 'ok' : `FAIL ${wasm.stored}`, carefulStored: careful.stored === n ? 'ok' : `FAIL ${careful.stored}`, mirrorStored: mirror.stored === n ? 'ok' : `FAIL ${mirror.stored}`, syncStored: kept.stored === n ? 'ok' : `FAIL ${kept.stored}` },
      };
      cases.push(entry);
      console.log(`memory: ${n} ${order}: ${JSON.stringify(entry.perMessage)}`);
    }
  }
  const file = writeResult(options.name, {
    benchmark: 'memory',
    command: command(),
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: machine(),
    versions: versions(['emcc']),
    settings: options,
    notes: [
      'Bytes per stored message. contentUtf8Bytes: the message text alone; messageJsonBytes: the whole message object as JSON (ids, timestamps, role, status, payload).',
      'wasmHeapUsed: growth of the allocator top (malloc of a block larger than the heap, freed at once), i.e. everything the engine keeps plus allocator overhead and holes; wasmHeapGrown: growth of HEAPU8.length (64 KiB pages, grown geometrically).',
      'carefulMergeJsHeap / glueMirrorJsHeap / createSyncJsHeap: process.memoryUsage().heapUsed growth after two forced GCs, for the careful JS merge (b), for the glue\'s MessageMirror (the JS list createSync keeps once a host calls messages()), and for a createSync that took every frame from its socket with a \'messages\' listener that keeps nothing (what createSync itself keeps next to the engine\'s store).',
    ],
    cases,
    goals: [
      ...cases.map((c) => {
        const limit = round(1.5 * c.perMessage.contentUtf8Bytes + 64, 0);
        return { goal: `${c.n.toLocaleString('en-US')} ${c.order}: WASM heap per stored message at most 1.5x content + 64 B`, measured: `${c.perMessage.wasmHeapUsed} B (${c.wasmHeapUsedOverContent}x content; the limit ${limit} B)`, met: c.perMessage.wasmHeapUsed <= limit };
      }),
      // The goal's other half: the engine's store is the copy; a JS list of the same messages kept
      // by createSync would be a second one (met below a tenth of the careful merge's list).
      ...cases.filter((c) => c.order === 'ordered').map((c) => ({
        goal: `${c.n.toLocaleString('en-US')} messages: no second full copy of them in JS`,
        measured: `createSync keeps ${c.perMessage.createSyncJsHeap} B a message in JS (the careful merge's list ${c.perMessage.carefulMergeJsHeap} B; the mirror, kept once a host calls messages(), ${c.perMessage.glueMirrorJsHeap} B)`,
        met: c.perMessage.createSyncJsHeap < 0.1 * c.perMessage.carefulMergeJsHeap,
      })),
    ],
  });
  console.log(`memory: wrote ${file}`);
}

await main();
