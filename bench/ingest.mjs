// Ingest: the same generated frames applied by the roadmap's merge, a careful JavaScript merge,
// the WASM core in Node and the native core, in one process run, interleaved, with repeated trials.
// Run it with `bench/run ingest` (which builds what it needs); results: bench/results/ingest.json.
//
//   node --expose-gc bench/ingest.mjs [--sizes 1000,10000,100000] [--trials 5] [--trials-large 3]
//        [--roadmap-budget-ms 30000] [--roadmap-trials 3]
//        [--native auto|off] [--methods all|wasm,careful,...] [--seed 1] [--name ingest]
import fs from 'node:fs';
import path from 'node:path';
import { loadModule } from './lib/engine.mjs';
import { command, machine, median, parseArgs, round, versions, writeResult } from './lib/env.mjs';
import { dataset } from './lib/frames.mjs';
import { DRIVER, METHODS, runVariant } from './lib/variants.mjs';

const options = parseArgs(process.argv.slice(2), {
  sizes: '1000,10000,100000',
  orders: 'ordered,shuffled',
  trials: 5,
  'trials-large': 3, // at 100,000 and more
  'roadmap-budget-ms': 30000, // (a) stops after this long in one trial and reports the prefix it did
  native: 'auto', // 'off': skip (d) (the smoke test, when build-bench is not there)
  methods: 'all', // or a comma list of variants (profiling runs one alone)
  'roadmap-trials': 3, // (a) is 50-1000 times slower: fewer trials of it are enough for a ratio
  seed: 1,
  name: 'ingest',
});
const gc = globalThis.gc ?? (() => {});
if (!globalThis.gc) console.warn('ingest: run node with --expose-gc for steadier numbers');

const useNative = options.native !== 'off' && fs.existsSync(DRIVER);
if (options.native === 'on' && !useNative) throw new Error(`${DRIVER} is missing: bench/run builds it`);

// ---- the run --------------------------------------------------------------------------------

async function main() {
  const startedAt = new Date().toISOString();
  const mod = await loadModule();
  const wanted = options.methods === 'all' ? Object.keys(METHODS) : options.methods.split(',');
  for (const m of wanted) if (!METHODS[m]) throw new Error(`unknown variant ${m} (known: ${Object.keys(METHODS).join(', ')})`);
  const methods = wanted.filter((m) => useNative || !m.startsWith('native'));
  const run = async (method, data, budget) => {
    gc();
    return runVariant(method, mod, data, budget);
  };

  // A fresh process: the first 1,000 frames of each variant, before any warm-up (JIT tiers, the
  // WASM engine's own tier-up). Recorded apart; the trials below run warm.
  const coldData = dataset(1_000, 'ordered', options.seed + 1000);
  const cold = {};
  for (const method of methods) {
    const r = await run(method, coldData);
    cold[method] = { ms: round(r.ms), usPerFrame: round((r.ms * 1000) / r.frames), check: r.check };
  }
  log(`cold (first 1,000 frames in this process): ${methods.map((m) => `${m} ${cold[m].usPerFrame} us`).join(', ')}`);

  const sizes = options.sizes.split(',').map(Number);
  const orders = options.orders.split(',');
  const cases = [];
  for (const n of sizes) {
    for (const order of orders) {
      const data = dataset(n, order, options.seed);
      const frameBytes = data.frames.reduce((sum, f) => sum + Buffer.byteLength(f), 0);
      const trials = n >= 100_000 ? options['trials-large'] : options.trials;
      const perMethod = Object.fromEntries(methods.map((m) => [m, []]));
      let roadmapCapped = false;
      for (let t = 0; t < trials; t++) {
        // Interleaved: each trial starts with another variant, so a slow phase of the machine
        // does not land on one variant only.
        const rotation = methods.map((_, i) => methods[(i + t) % methods.length]);
        for (const method of rotation) {
          // (a) is quadratic: once one trial had to stop at its budget, one prefix is enough.
          if (method === 'roadmap' && (roadmapCapped || t >= options['roadmap-trials'])) continue;
          const r = await run(method, data, method === 'roadmap' ? options['roadmap-budget-ms'] : undefined);
          if (method === 'roadmap' && r.frames < data.frames.length) roadmapCapped = true;
          perMethod[method].push(r);
          if (r.check !== 'ok') console.error(`ingest: ${method} at ${n} ${order}: ${r.check}`);
        }
      }
      const results = {};
      for (const method of methods) {
        const rs = perMethod[method];
        const usPerFrame = rs.map((r) => (r.ms * 1000) / r.frames);
        const capped = rs.some((r) => r.frames < data.frames.length);
        results[method] = {
          trials: rs.length,
          framesMeasured: capped ? rs[0].frames : data.frames.length,
          capped,
          usPerFrame: round(median(usPerFrame)),
          usPerFrameMin: round(Math.min(...usPerFrame)),
          usPerFrameMax: round(Math.max(...usPerFrame)),
          totalMs: capped ? null : round(median(rs.map((r) => r.ms))),
          prefixMs: capped ? round(rs[0].ms) : undefined,
          trialMs: rs.map((r) => round(r.ms)),
          check: rs.every((r) => r.check === 'ok') ? 'ok' : rs.find((r) => r.check !== 'ok').check,
        };
      }
      const ratio = (x, y) => (results[x] && results[y] ? round(results[x].usPerFrame / results[y].usPerFrame, 2) : null);
      const entry = {
        n,
        order,
        frames: data.frames.length,
        uniqueMessages: data.messages.length,
        frameBytes,
        meanFrameBytes: round(frameBytes / data.frames.length, 1),
        contentBytes: data.contentBytes,
        results,
        ratios: {
          carefulOverApi: ratio('careful', 'api'),
          roadmapOverApi: ratio('roadmap', 'api'),
          roadmapOverWasm: ratio('roadmap', 'wasm'),
          carefulOverWasm: ratio('careful', 'wasm'),
          carefulOverWasmString: ratio('careful', 'wasmString'),
          carefulOverWasmMirror: ratio('careful', 'wasmMirror'),
          roadmapOverCareful: ratio('roadmap', 'careful'),
          wasmOverNative: ratio('wasm', 'native'),
          wasmOverNativeJson: ratio('wasm', 'nativeJson'),
          carefulOverNative: ratio('careful', 'native'),
        },
      };
      cases.push(entry);
      log(`${n} ${order} (${data.frames.length} frames): ` +
        methods.map((m) => `${m} ${results[m].usPerFrame} us${results[m].capped ? ` (prefix ${results[m].framesMeasured})` : ''}`).join(', '));
    }
  }

  const find = (n, order) => cases.find((c) => c.n === n && c.order === order);
  const goals = [];
  const met = (ratio, wanted) => (ratio === null || ratio === undefined ? null : ratio >= wanted);
  for (const order of orders) {
    const c = find(10_000, order);
    if (!c) continue;
    goals.push({ goal: `10,000 ${order}: public API (createSync) no slower than the careful JS merge`, ratio: c.ratios.carefulOverApi, met: met(c.ratios.carefulOverApi, 1), headline: true });
    goals.push({ goal: `10,000 ${order}: WASM at least 30x faster than the roadmap's merge`, ratio: c.ratios.roadmapOverWasm, met: met(c.ratios.roadmapOverWasm, 30) });
    goals.push({ goal: `10,000 ${order}: WASM no slower than the careful JS merge`, ratio: c.ratios.carefulOverWasm, met: met(c.ratios.carefulOverWasm, 1) });
  }
  const big = find(100_000, 'shuffled');
  if (big) goals.push({ goal: '100,000 shuffled: public API (createSync) at least 10x faster than the careful JS merge', ratio: big.ratios.carefulOverApi, met: met(big.ratios.carefulOverApi, 10), headline: true });
  if (big) goals.push({ goal: '100,000 shuffled: WASM at least 5x faster than the careful JS merge', ratio: big.ratios.carefulOverWasm, met: met(big.ratios.carefulOverWasm, 5) });

  const file = writeResult(options.name, {
    benchmark: 'ingest',
    command: command(),
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: machine(),
    versions: versions(['emcc', 'g++']),
    settings: { ...options, nativeIncluded: useNative, roadmapBudgetMs: options['roadmap-budget-ms'] },
    notes: [
      'usPerFrame is the median over trials of (time of the whole run / frames); ratios divide medians.',
      'Trials are interleaved (each trial starts with another variant) after a warm-up; "cold" is the first 1,000 frames of each variant in a fresh process.',
      '(a) is quadratic: where a trial would pass roadmapBudgetMs it stops, and the prefix it did is reported (framesMeasured, prefixMs). Its later frames are slower than those of the prefix, so the prefix figure flatters it.',
      'Every variant checks its final store against the expected ids (unique, in sequence order): check "ok".',
      'WASM variants: one bare Engine per trial (js-glue/dist/wasm/pushsync.wasm, the Release build), one call per frame.',
    ],
    methods: Object.fromEntries(methods.map((m) => [m, METHODS[m]])),
    cold,
    cases,
    goals,
  });
  log(`wrote ${path.relative(process.cwd(), file)}`);
  for (const g of goals) log(`goal ${g.met === null ? 'not measured' : g.met ? 'met' : 'NOT met'}: ${g.goal} (${g.ratio}x)`);
}

function log(line) {
  console.log(`ingest: ${line}`);
}

await main();
