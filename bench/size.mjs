// Size and start in Node: the module and glue, raw and gzip, against pusher-js's worker build, and
// the time to instantiate the module (cold, in fresh processes; and again, in one process).
// Run it with `bench/run size`; results: bench/results/size.json.
// (Service-worker start to subscribed, in Chromium, is `bench/run start`: bench/start.mjs.)
//
//   node bench/size.mjs [--cold 10] [--warm 20]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { build } from 'esbuild';
import { command, machine, median, OUT, parseArgs, quantile, ROOT, round, versions, writeResult } from './lib/env.mjs';
import { codeParts, wasmCodeSizes } from './lib/wasm-code-sizes.mjs';

const options = parseArgs(process.argv.slice(2), { cold: 10, warm: 20, name: 'size' });
const WASM_DIR = path.join(ROOT, 'js-glue', 'dist', 'wasm');
// The same build with a name section (--profiling-funcs; bench/run size makes it): its code section
// is the shipped module's, byte for byte, so its names say where the shipped bytes go.
const NAMED_WASM = path.join(ROOT, 'build-wasm-prof', 'wasm-bindings', 'pushsync.wasm');

/** The shipped module's code by part (CODE_PARTS), from the named build; null without it or when its code differs. */
function codeBreakdown(shipped) {
  if (!fs.existsSync(NAMED_WASM)) return null;
  const named = wasmCodeSizes(new Uint8Array(fs.readFileSync(NAMED_WASM)));
  const plain = wasmCodeSizes(new Uint8Array(shipped));
  if (named.sections[10] !== plain.sections[10] || named.functions.length !== plain.functions.length) return null;
  const codeBytes = named.sections[10];
  return {
    codeBytes,
    dataBytes: named.dataBytes,
    parts: codeParts(named.functions).map((part) => ({ ...part, share: round(part.bytes / codeBytes, 3) })),
  };
}

function sizes(bytes) {
  return {
    raw: bytes.length,
    gzip: zlib.gzipSync(bytes, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

/** js-glue's own JavaScript (dist/*.js) as one minified bundle, without Emscripten's glue. */
async function glueBundle() {
  const result = await build({
    entryPoints: [path.join(ROOT, 'js-glue', 'dist', 'index.js')],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    external: ['./wasm/pushsync.mjs', 'node:*'],
    logLevel: 'silent',
  });
  return Buffer.from(result.outputFiles[0].contents);
}

/** A child process that loads the module once and reports its own timings (a cold start). */
const CHILD = `
// Node does not count a pending WebAssembly compile as work: keep the process alive meanwhile.
const keepAlive = setInterval(() => {}, 1000);
const t0 = performance.now();
const { default: create } = await import(process.argv[2]);
const t1 = performance.now();
const bytes = (await import('node:fs')).readFileSync(process.argv[3]);
const t2 = performance.now();
const mod = await create({ wasmBinary: bytes });
const t3 = performance.now();
const engine = new mod.Engine();
engine.handle('{"type":"configure","config":{"apiBase":"http://x.invalid","wsHost":"x.invalid","appKey":"k"}}', 0);
const t4 = performance.now();
engine.delete();
console.log(JSON.stringify({ importGlueMs: t1 - t0, readWasmMs: t2 - t1, instantiateMs: t3 - t2, firstEngineMs: t4 - t3, processUptimeMs: process.uptime() * 1000 }));
clearInterval(keepAlive);
`;

const PUSHER_CHILD = `
const t0 = performance.now();
const Pusher = (await import('node:module')).createRequire(process.argv[2])(process.argv[2]);
const t1 = performance.now();
console.log(JSON.stringify({ requireMs: t1 - t0, type: typeof Pusher }));
`;

function stat(values) {
  return { median: round(median(values)), p90: round(quantile(values, 0.9)), min: round(Math.min(...values)), max: round(Math.max(...values)), runs: values.length };
}

async function main() {
  const startedAt = new Date().toISOString();
  const wasm = fs.readFileSync(path.join(WASM_DIR, 'pushsync.wasm'));
  const emscriptenGlue = fs.readFileSync(path.join(WASM_DIR, 'pushsync.mjs'));
  const glue = await glueBundle();
  const pusherWorker = fs.readFileSync(path.join(ROOT, 'node_modules', 'pusher-js', 'dist', 'worker', 'pusher.worker.min.js'));
  const files = {
    'pushsync.wasm': sizes(wasm),
    'pushsync.mjs (Emscripten glue)': sizes(emscriptenGlue),
    'js-glue (dist/*.js bundled, minified)': sizes(glue),
  };
  const total = Object.values(files).reduce((sum, s) => ({ raw: sum.raw + s.raw, gzip: sum.gzip + s.gzip, brotli: sum.brotli + s.brotli }), { raw: 0, gzip: 0, brotli: 0 });
  files['pushsync total'] = total;
  files['pusher-js 8.6.0 worker build (pusher.worker.min.js)'] = sizes(pusherWorker);

  // Cold: a fresh Node process per run (compile + instantiate with nothing cached).
  fs.mkdirSync(OUT, { recursive: true });
  const child = path.join(OUT, 'size-child.mjs');
  fs.writeFileSync(child, CHILD);
  const pusherChild = path.join(OUT, 'size-pusher-child.mjs');
  fs.writeFileSync(pusherChild, PUSHER_CHILD);
  const cold = [];
  const pusherCold = [];
  for (let i = 0; i < options.cold; i++) {
    cold.push(JSON.parse(execFileSync(process.execPath, [child, path.join(WASM_DIR, 'pushsync.mjs'), path.join(WASM_DIR, 'pushsync.wasm')], { encoding: 'utf8' })));
    pusherCold.push(JSON.parse(execFileSync(process.execPath, [pusherChild, path.join(ROOT, 'node_modules', 'pusher-js', 'dist', 'node', 'pusher.js')], { encoding: 'utf8' })));
  }
  // Warm: the same process instantiates the module again and again (V8 compiles it each time).
  const { default: create } = await import(path.join(WASM_DIR, 'pushsync.mjs'));
  const warm = [];
  for (let i = 0; i < options.warm; i++) {
    const t = performance.now();
    await create({ wasmBinary: wasm });
    warm.push(performance.now() - t);
  }
  // Compile alone (no instantiation, no glue): what the engine pays for the bytes.
  const compile = [];
  for (let i = 0; i < options.warm; i++) {
    const t = performance.now();
    await WebAssembly.compile(wasm);
    compile.push(performance.now() - t);
  }
  const file = writeResult(options.name, {
    benchmark: 'size',
    command: command(),
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: machine(),
    versions: versions(['emcc', 'pusher-js']),
    settings: options,
    notes: [
      'Bytes; gzip level 9 and brotli quality 11 of each file alone.',
      'js-glue is bundled from js-glue/dist/index.js by esbuild (minified, ESM), with Emscripten\'s pushsync.mjs left out (counted on its own line).',
      'pusher-js is only the Pusher socket protocol; pushsync also carries the message store, recovery, polling and the JSON decoder.',
      'Cold: a fresh Node process per run: import of pushsync.mjs, then createPushsyncModule({wasmBinary}) (compile + instantiate), then a first Engine. Warm: the same in one process, again and again.',
    ],
    files,
    code: codeBreakdown(wasm),
    goals: [{
      goal: 'WASM + glue at most 64 KB gzip',
      measured: `${Math.round(total.gzip / 100) / 10} KB gzip (pushsync.wasm ${Math.round(files['pushsync.wasm'].gzip / 100) / 10} KB)`,
      met: total.gzip <= 64_000,
    }],
    nodeStart: {
      coldImportGlueMs: stat(cold.map((c) => c.importGlueMs)),
      coldInstantiateMs: stat(cold.map((c) => c.instantiateMs)),
      coldFirstEngineMs: stat(cold.map((c) => c.firstEngineMs)),
      warmInstantiateMs: stat(warm),
      compileOnlyMs: stat(compile),
      pusherJsColdRequireMs: stat(pusherCold.map((c) => c.requireMs)),
    },
  });
  console.log(`size: ${JSON.stringify(files)}`);
  console.log(`size: cold instantiate median ${round(median(cold.map((c) => c.instantiateMs)))} ms, warm ${round(median(warm))} ms`);
  console.log(`size: wrote ${file}`);
}

await main();
