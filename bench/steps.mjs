// Build steps: the same frames through several builds of the module, in one process, interleaved,
// each with its size (name section stripped, so builds linked with --profiling-funcs count as
// shipped) and its speed against the careful JS merge in the same run. Shows what each step of
// the size and speed work did (docs/benchmarks.md, "Build steps").
//
//   node --expose-gc bench/steps.mjs --steps "label=dir,label=dir,..." [--n 10000] [--orders ordered,shuffled]
//        [--trials 3] [--methods wasm,wasmMirror,api] [--name steps]
// Each dir holds pushsync.mjs and pushsync.wasm (a build-wasm*/wasm-bindings folder, or a copy).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { command, machine, median, parseArgs, round, versions, writeResult } from './lib/env.mjs';
import { dataset } from './lib/frames.mjs';
import { METHODS, runVariant } from './lib/variants.mjs';

const options = parseArgs(process.argv.slice(2), { steps: '', n: 10000, orders: 'ordered,shuffled', trials: 3, methods: 'wasm,wasmMirror,api', seed: 1, name: 'steps' });
const gc = globalThis.gc ?? (() => {});

/** The module without its "name" custom section (what --profiling-funcs adds). */
function stripNames(buf) {
  const parts = [buf.subarray(0, 8)];
  let p = 8;
  const leb = () => {
    let r = 0, s = 0, b;
    do { b = buf[p++]; r |= (b & 0x7f) << s; s += 7; } while (b & 0x80);
    return r >>> 0;
  };
  while (p < buf.length) {
    const sectionStart = p;
    const id = buf[p++];
    const size = leb();
    const body = p;
    let keep = true;
    if (id === 0) {
      const length = leb();
      keep = buf.subarray(p, p + length).toString() !== 'name';
    }
    p = body + size;
    if (keep) parts.push(buf.subarray(sectionStart, p));
  }
  return Buffer.concat(parts);
}
const gzip = (b) => zlib.gzipSync(b, { level: 9 }).length;

async function main() {
  const startedAt = new Date().toISOString();
  const steps = options.steps.split(',').filter(Boolean).map((s) => {
    const [label, dir] = s.split('=');
    return { label, dir: path.resolve(dir) };
  });
  const methods = options.methods.split(',');
  for (const step of steps) {
    const wasm = stripNames(fs.readFileSync(path.join(step.dir, 'pushsync.wasm')));
    const glue = fs.readFileSync(path.join(step.dir, 'pushsync.mjs'));
    step.size = { wasmRaw: wasm.length, wasmGzip: gzip(wasm), glueRaw: glue.length, glueGzip: gzip(glue) };
    const { default: create } = await import(path.join(step.dir, 'pushsync.mjs'));
    step.mod = await create({ wasmBinary: fs.readFileSync(path.join(step.dir, 'pushsync.wasm')) });
  }
  const cases = [];
  for (const order of options.orders.split(',')) {
    const data = dataset(options.n, order, options.seed);
    const times = { careful: [] };
    for (let t = 0; t <= options.trials; t++) {
      // Trial 0 warms every variant up and is not counted.
      gc();
      const c = runVariant('careful', null, data);
      if (t) times.careful.push((c.ms * 1000) / c.frames);
      for (let i = 0; i < steps.length; i++) {
        const step = steps[(i + t) % steps.length];
        for (const m of methods) {
          gc();
          const r = await runVariant(m, step.mod, data);
          if (r.check !== 'ok') throw new Error(`${step.label} ${m} ${order}: ${r.check}`);
          if (t) (times[`${step.label}:${m}`] ??= []).push((r.ms * 1000) / r.frames);
        }
      }
    }
    const careful = median(times.careful);
    cases.push({
      n: options.n,
      order,
      carefulUsPerFrame: round(careful),
      steps: steps.map((s) => ({
        label: s.label,
        usPerFrame: Object.fromEntries(methods.map((m) => [m, round(median(times[`${s.label}:${m}`]))])),
        carefulOver: Object.fromEntries(methods.map((m) => [m, round(careful / median(times[`${s.label}:${m}`]), 2)])),
      })),
    });
    console.log(`steps: ${options.n} ${order}: careful ${round(careful)} us; ` + cases.at(-1).steps.map((s) => `${s.label} ${methods.map((m) => `${m} ${s.usPerFrame[m]}`).join(' ')}`).join('; '));
  }
  const file = writeResult(options.name, {
    benchmark: 'steps',
    command: command(),
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: machine(),
    versions: versions(['emcc']),
    settings: options,
    notes: [
      'Sizes: pushsync.wasm without its name section (builds linked with --profiling-funcs for the experiment are counted as shipped), and its Emscripten glue, gzip -9.',
      'Speed: µs per frame, median of the trials after one warm-up trial, the careful JS merge in the same trials; steps interleaved.',
    ],
    methods: Object.fromEntries(['careful', ...methods].map((m) => [m, METHODS[m]])),
    steps: steps.map((s) => ({ label: s.label, dir: path.relative(process.cwd(), s.dir), size: s.size })),
    cases,
  });
  console.log(`steps: wrote ${file}`);
}

await main();
