// Where the time of the WASM ingest path goes, and why it is slower than the careful JavaScript
// merge where it is. Run it with `bench/run profile`; results: bench/results/profile.json.
//
// Three views of the same work (and a fourth for the public API):
// 1. Attribution by subtraction (no profiler): per frame, the cost of copying the bytes into
//    HEAPU8, of one call that decodes a frame and returns "[]" (a pusher:pong: the crossing, the
//    frame decode, the embind string return), of JSON.parse of the effects, and the rest (the
//    engine's work on a new_message: payload decode, store insert, diff, effects JSON), next to
//    the native core doing the same (d1).
// 2. A V8 CPU profile (node:inspector) of the measured loop only, with a WASM build that keeps
//    function names (build-wasm-prof, linked with --profiling-funcs; otherwise wasm-function[N]).
// 3. perf on the native driver (the core's own hot spots, without WASM).
// 4. A V8 CPU profile of ingest's (p), createSync on the named module: what the glue adds.
//
//   node --expose-gc bench/profile.mjs [--sizes 10000,100000] [--module DIR] [--perf auto|off]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { shorten, summarise } from './lib/cpuprofile.mjs';
import { loadModule, NOW, subscribedEngine } from './lib/engine.mjs';
import { command, machine, median, OUT, parseArgs, ROOT, round, versions, writeResult } from './lib/env.mjs';
import { dataset } from './lib/frames.mjs';
import { CarefulMerge } from './lib/merges.mjs';
import { DRIVER, encodeFrames, framesFile, runApi, runVariant } from './lib/variants.mjs';

const options = parseArgs(process.argv.slice(2), {
  cases: '10000:ordered,100000:shuffled',
  trials: 3,
  module: path.join(ROOT, 'build-wasm-prof', 'wasm-bindings'),
  perf: 'auto',
  seed: 1,
  name: 'profile',
});
const gc = globalThis.gc ?? (() => {});
const PROF = path.join(OUT, 'profiles');

async function namedModule() {
  const glue = path.join(options.module, 'pushsync.mjs');
  const wasm = path.join(options.module, 'pushsync.wasm');
  if (!fs.existsSync(glue) || !fs.existsSync(wasm)) return { mod: await loadModule(), named: false };
  const { default: create } = await import(glue);
  const mod = await create({ wasmBinary: fs.readFileSync(wasm) });
  // The named build must behave like the release one (an incremental build that caught a source
  // file in the middle of an edit would not): check the handshake, else profile without names.
  try {
    subscribedEngine(mod, 'profile-check').engine.delete();
  } catch (error) {
    console.warn(`profile: the named build in ${options.module} does not work like the release module (${String(error).slice(0, 200)}); ` +
      'profiling the release module without WASM names. Remove that folder and run bench/run profile again to rebuild it.');
    return { mod: await loadModule(), named: false };
  }
  return { mod, named: true };
}

/** Per-frame costs by subtraction, on the release module (what ingest measures). */
function attribution(mod, data) {
  encodeFrames(data);
  const { bytes, offsets, frames } = data;
  const n = frames.length;
  const us = (ms) => round((ms * 1000) / n);
  const trial = () => {
    const out = {};
    // The whole path, as ingest's (c), keeping the effects' text for the parse step.
    gc();
    let { engine, socket } = subscribedEngine(mod, data.sessionId);
    let address = engine.inputBuffer(data.maxFrameBytes);
    const texts = new Array(n);
    let t = performance.now();
    for (let i = 0; i < n; i++) {
      const start = offsets[i];
      const length = offsets[i + 1] - start;
      mod.HEAPU8.set(bytes.subarray(start, start + length), address);
      texts[i] = engine.socketTextFromBuffer(socket, length, NOW);
    }
    out.callsMs = performance.now() - t;
    engine.delete();
    // JSON.parse of those effects, as the glue does.
    gc();
    t = performance.now();
    let count = 0;
    for (let i = 0; i < n; i++) count += JSON.parse(texts[i]).length;
    out.parseMs = performance.now() - t;
    out.effectsBytes = texts.reduce((sum, s) => sum + s.length, 0) / n;
    // The copies alone.
    ({ engine, socket } = subscribedEngine(mod, data.sessionId));
    address = engine.inputBuffer(data.maxFrameBytes);
    gc();
    t = performance.now();
    for (let i = 0; i < n; i++) {
      const start = offsets[i];
      mod.HEAPU8.set(bytes.subarray(start, offsets[i + 1]), address);
    }
    out.copyMs = performance.now() - t;
    // One crossing with a frame the engine decodes and answers with "[]".
    const pong = Buffer.from('{"event":"pusher:pong","data":"{}"}');
    mod.HEAPU8.set(pong, address);
    gc();
    t = performance.now();
    for (let i = 0; i < n; i++) engine.socketTextFromBuffer(socket, pong.length, NOW);
    out.pongCallMs = performance.now() - t;
    engine.delete();
    return { ...out, count };
  };
  trial(); // warm-up
  const trials = [];
  for (let i = 0; i < options.trials; i++) trials.push(trial());
  const m = (key) => median(trials.map((x) => x[key]));
  const calls = us(m('callsMs'));
  const pong = us(m('pongCallMs'));
  const parse = us(m('parseMs'));
  const copy = us(m('copyMs'));
  // Native (d1) on the same frames: the core's own work plus effects_to_json, no WASM.
  let nativeJson = null;
  let native = null;
  if (fs.existsSync(DRIVER)) {
    const runs = [];
    const runsPlain = [];
    for (let i = 0; i < options.trials; i++) {
      runs.push(runVariant('nativeJson', null, data).ms);
      runsPlain.push(runVariant('native', null, data).ms);
    }
    nativeJson = us(median(runs));
    native = us(median(runsPlain));
  }
  const engineWork = round(calls - copy - pong);
  return {
    n: data.n,
    order: data.order,
    frames: n,
    meanFrameBytes: round(bytes.length / n, 1),
    meanEffectsJsonChars: round(m('effectsBytes'), 1),
    usPerFrame: {
      copyIntoHeap: copy,
      crossingAndPongDecode: pong,
      engineWorkOnNewMessage: engineWork,
      callsTotal: calls,
      jsonParseOfEffects: parse,
      wholePath: round(calls + parse),
      nativeCoreWithEffectsJson: nativeJson,
      nativeCore: native,
    },
    wasmOverNativeForEngineWork: nativeJson ? round(engineWork / nativeJson, 2) : null,
  };
}

/** The measured loop of ingest's (c) or (b), alone: no store check, no engine set-up. */
function loop(variant, mod, data) {
  if (variant === 'careful') {
    const merge = new CarefulMerge(data.sessionId);
    return { merge, run: () => { for (const frame of data.frames) merge.frame(frame); } };
  }
  encodeFrames(data);
  const { engine, socket } = subscribedEngine(mod, data.sessionId);
  const address = engine.inputBuffer(data.maxFrameBytes);
  const { bytes, offsets } = data;
  return {
    engine,
    run: () => {
      for (let i = 0; i < data.frames.length; i++) {
        const start = offsets[i];
        const length = offsets[i + 1] - start;
        mod.HEAPU8.set(bytes.subarray(start, start + length), address);
        const effects = JSON.parse(engine.socketTextFromBuffer(socket, length, NOW));
        for (const effect of effects) if (effect.type === 'messages') void effect.size;
      }
    },
  };
}

async function cpuProfile(mod, data, variant, label) {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 50 });
  const warm = loop(variant, mod, data);
  warm.run();
  warm.engine?.delete();
  const measured = loop(variant, mod, data);
  gc();
  await session.post('Profiler.start');
  const started = performance.now();
  measured.run();
  const ms = performance.now() - started;
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  measured.engine?.delete();
  fs.mkdirSync(PROF, { recursive: true });
  const file = path.join(PROF, `${label}.cpuprofile`);
  fs.writeFileSync(file, JSON.stringify(profile));
  const summary = summarise(file, { top: 20 });
  return { variant, usPerFrameWhileProfiled: round((ms * 1000) / data.frames.length), file: path.relative(ROOT, file), ...summary };
}

/**
 * The public API path, ingest's (p): one whole runApi (createSync, the handshake, every frame as a
 * WebSocket message event, the queued 'messages' events) after a warm-up one, up to the end of its
 * timed part (not the check's read of the store); the set-up is a few milliseconds of it.
 */
async function cpuProfileApi(mod, data, label) {
  await runVariant('api', mod, data); // warm-up
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 50 });
  gc();
  await session.post('Profiler.start');
  // Stopped when the frames are through, before the store is read back for the check.
  const r = await runApi(mod, data, { afterTimed: () => session.post('Profiler.stop') });
  const { profile } = r.afterTimed;
  session.disconnect();
  fs.mkdirSync(PROF, { recursive: true });
  const file = path.join(PROF, `${label}.cpuprofile`);
  fs.writeFileSync(file, JSON.stringify(profile));
  const summary = summarise(file, { top: 20 });
  return { variant: 'api', usPerFrameWhileProfiled: round((r.ms * 1000) / r.frames), check: r.check, file: path.relative(ROOT, file), ...summary };
}

function perfNative(data) {
  if (options.perf === 'off' || !fs.existsSync(DRIVER)) return null;
  const has = spawnSync('perf', ['--version'], { encoding: 'utf8' });
  if (has.status !== 0) return { skipped: 'perf is not installed (apt-get install linux-perf)' };
  fs.mkdirSync(PROF, { recursive: true });
  const out = path.join(PROF, `perf-${data.n}-${data.order}.data`);
  const record = spawnSync('perf', ['record', '-F', '4000', '-o', out, '--', DRIVER, framesFile(data), data.sessionId, 'engine+json', '-'], { encoding: 'utf8' });
  if (record.status !== 0) return { skipped: `perf record failed: ${record.stderr.slice(-300)}` };
  const report = spawnSync('perf', ['report', '-i', out, '--stdio', '--no-children', '--sort', 'symbol', '--percent-limit', '1.5'], { encoding: 'utf8', maxBuffer: 16 << 20 });
  const top = [];
  for (const line of report.stdout.split('\n')) {
    const match = /^\s+([\d.]+)%\s+\[(.)\]\s+(.*?)\s*$/.exec(line);
    if (!match) continue;
    // nlohmann's and libstdc++'s template arguments say little and take a whole screen.
    const symbol = shorten(match[3].replace(/\s+-\s+-\s*$/, '').replace(/std::__cxx11::/g, 'std::'));
    top.push({ percent: Number(match[1]), kernel: match[2] === 'k', symbol });
  }
  return { note: 'whole driver process (reading the frames file and the handshake included), engine+json mode', top: top.slice(0, 20) };
}

async function main() {
  const startedAt = new Date().toISOString();
  const release = await loadModule();
  const { mod: named, named: hasNames } = await namedModule();
  const cases = [];
  for (const spec of options.cases.split(',')) {
    const [n, order] = spec.split(':');
    const data = dataset(Number(n), order, options.seed);
    console.log(`profile: ${n} ${order}: attribution`);
    const split = attribution(release, data);
    console.log(`profile: ${JSON.stringify(split.usPerFrame)}`);
    console.log(`profile: ${n} ${order}: CPU profiles`);
    const wasm = await cpuProfile(named, data, 'wasm', `wasm-${n}-${order}`);
    const careful = await cpuProfile(named, data, 'careful', `careful-${n}-${order}`);
    const api = await cpuProfileApi(named, data, `api-${n}-${order}`);
    const perf = perfNative(data);
    cases.push({ n: Number(n), order, attribution: split, cpuProfiles: { wasm, careful, api }, perfNative: perf });
  }
  const file = writeResult(options.name, {
    benchmark: 'profile',
    command: command(),
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: machine(),
    versions: versions(['emcc', 'g++']),
    settings: { ...options, wasmFunctionNames: hasNames },
    notes: [
      'attribution: medians of trials after a warm-up; engineWorkOnNewMessage = callsTotal - copyIntoHeap - crossingAndPongDecode.',
      'cpuProfiles: V8 sampling profiles (50 us) of the frame loop alone (no set-up, no store check), after a warm-up run; WASM function names come from a --profiling-funcs build of the same sources (build-wasm-prof), whose code is the same -O3 code as the release module.',
      'cpuProfiles.api: the same for one whole run of ingest\'s (p) up to its last frame (createSync on the named module, its handshake included: a few ms of the run; the check\'s read of the store after it is not profiled).',
      'perfNative: perf record of the native driver; the percentages are of the whole process.',
    ],
    cases,
  });
  console.log(`profile: wrote ${path.relative(process.cwd(), file)}`);
}

await main();
