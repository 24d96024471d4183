// The frame decoder, chosen by measurement (issue 12): the core's scanner against RapidJSON and
// simdjson On-Demand on the same Pusher `new_message` frames, natively and in WebAssembly, each
// giving the core's NewMessageEvent (bench/native/json_decoders.cpp checks it against the core's
// for every frame). Run it with `bench/run json-decoders` (which builds the core and installs the
// libraries); results: bench/results/json-decoders.json.
//
//   node bench/json-decoders.mjs [--n 10000] [--trials 5] [--repeats 5] [--seed 1]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { command, machine, median, OUT, parseArgs, round, versions, writeResult } from './lib/env.mjs';
import { dataset } from './lib/frames.mjs';
import { framesFile } from './lib/variants.mjs';
import { wasmCodeSizes } from './lib/wasm-code-sizes.mjs';

const options = parseArgs(process.argv.slice(2), { n: 10000, trials: 5, repeats: 5, seed: 1, name: 'json-decoders' });

// Each build of the program (bench/run json-decoders makes them) and the decoders it holds.
const BUILDS = [
  { key: 'native', label: 'native (g++ -O3)', run: [path.join(OUT, 'json_decoders')], decoders: ['pushsync', 'rapidjson', 'simdjson'] },
  { key: 'nativeCpu', label: 'native, built for this CPU (g++ -O3 -march=native: simdjson\'s SIMD kernels)', run: [path.join(OUT, 'json_decoders_cpu')], decoders: ['pushsync', 'rapidjson', 'simdjson'] },
  // Emscripten 3.1.6's Node glue fetches the .wasm with Node's fetch when there is one, which
  // cannot read a file path: the program runs without it.
  { key: 'wasm', label: 'WebAssembly (em++ -O3 -msimd128, in Node)', run: [process.execPath, '--no-experimental-fetch', path.join(OUT, 'json_decoders.cjs')], decoders: ['pushsync', 'rapidjson'] },
];

const LABELS = {
  pushsync: "the core's scanner (decode_frame_into, the one pass)",
  rapidjson: 'RapidJSON DOM (UTF-8 validated), the frame and then its data',
  simdjson: 'simdjson On-Demand, the frame and then its data',
};

function runOnce(build, decoder, file) {
  const [program, ...args] = build.run;
  const out = execFileSync(program, [...args, file, decoder, String(options.repeats)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').at(-1));
}

/** Code bytes of the WebAssembly build's functions, by decoder (from its name section). */
function wasmCode() {
  const named = path.join(OUT, 'json_decoders_named.wasm');
  if (!fs.existsSync(named)) return null;
  const { functions } = wasmCodeSizes(new Uint8Array(fs.readFileSync(named)));
  const sum = (test) => functions.filter((f) => test(f.name)).reduce((total, f) => total + f.bytes, 0);
  return {
    rapidjson: sum((name) => name.includes('rapidjson')),
    pushsync: sum((name) => /pushsync::(scan::|.*decode_frame|.*read_new_message|.*read_message|.*decode_app_event)/.test(name)),
  };
}

async function main() {
  const startedAt = new Date().toISOString();
  const data = dataset(options.n, 'ordered', options.seed);
  const file = framesFile(data);
  const results = {};
  for (const build of BUILDS) {
    const times = Object.fromEntries(build.decoders.map((d) => [d, []]));
    for (let t = 0; t < options.trials; t++) {
      // Interleaved, in a new order each trial: the machine's noise falls on every decoder alike.
      for (let i = 0; i < build.decoders.length; i++) {
        const decoder = build.decoders[(i + t) % build.decoders.length];
        const r = runOnce(build, decoder, file);
        if (r.checked !== data.frames.length) throw new Error(`${build.key} ${decoder}: checked ${r.checked} of ${data.frames.length}`);
        times[decoder].push((r.ms * 1000) / r.frames);
      }
    }
    const core = median(times.pushsync);
    results[build.key] = {
      label: build.label,
      decoders: Object.fromEntries(build.decoders.map((d) => [d, { usPerFrame: round(median(times[d])), overCore: round(median(times[d]) / core, 2) }])),
    };
    console.log(`json-decoders: ${build.key}: ${build.decoders.map((d) => `${d} ${results[build.key].decoders[d].usPerFrame} us`).join(', ')}`);
  }
  const out = writeResult(options.name, {
    benchmark: 'json-decoders',
    command: command(),
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: machine(),
    versions: { ...versions(['emcc']), rapidjson: debVersion('rapidjson-dev'), simdjson: debVersion('libsimdjson-dev') },
    settings: options,
    notes: [
      'µs per frame: the best of `repeats` passes over the frames in one process, median over `trials` processes; every decoder\'s event is checked against the core\'s in a first, untimed pass.',
      'Each decoder gives the core\'s NewMessageEvent: strings copied, the timestamp parsed, actionPayload kept as JSON text (the libraries in the order sent; the core sorts its keys, as nlohmann writes them).',
      'simdjson runs natively only: Debian ships it as a library built for the host, not its source, and its On-Demand API picks its kernel when compiled (no -march: the portable fallback).',
    ],
    decoders: LABELS,
    frames: data.frames.length,
    results,
    wasmCodeBytes: wasmCode(),
  });
  console.log(`json-decoders: wrote ${out}`);
}

function debVersion(pkg) {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

await main();
