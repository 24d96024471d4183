// What every result file carries: the machine, the versions, the exact command, and helpers for
// statistics and writing the results.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BENCH = path.join(ROOT, 'bench');
/** Where results go: bench/results, or BENCH_RESULTS_DIR (the smoke test writes to a temporary folder). */
export const RESULTS = process.env.BENCH_RESULTS_DIR || path.join(BENCH, "results");
/** Scratch space (git-ignored): frame files, profiles, the native driver. */
export const OUT = path.join(BENCH, 'out');

function firstLine(command, args) {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 }).split('\n')[0].trim();
  } catch {
    return null;
  }
}

export function machine() {
  let cpu = null;
  try {
    cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? null;
  } catch { /* not Linux */ }
  return {
    nproc: Number(firstLine('nproc', [])) || os.cpus().length,
    cpuModel: cpu ?? os.cpus()[0]?.model ?? null,
    memoryBytes: os.totalmem(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** Versions of everything a result depends on; `which` picks the slow ones (emcc, sockudo). */
export function versions(which = []) {
  const v = { node: process.version };
  const pkg = (name) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch {
      return null;
    }
  };
  if (which.includes('emcc')) v.emcc = firstLine('emcc', ['--version'])?.replace(/^emcc \(.*?\)\s*/, '') ?? null;
  if (which.includes('g++')) v['g++'] = firstLine('g++', ['--version']);
  if (which.includes('sockudo')) {
    const bin = process.env.SOCKUDO_BIN || firstLine(path.join(ROOT, 'toolchain', 'install-sockudo'), []);
    v.sockudo = bin ? firstLine(bin, ['--version']) : null;
  }
  if (which.includes('pusher-js')) v['pusher-js'] = pkg('pusher-js');
  if (which.includes('chromium')) v.chromium = firstLine(process.env.CHROMIUM_BIN || '/usr/bin/chromium', ['--version']);
  v.pushsync = pkg('pushsync');
  v.git = firstLine('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']);
  const dirty = firstLine('git', ['-C', ROOT, 'status', '--porcelain', '--', 'core', 'wasm-bindings', 'js-glue/src']);
  v.gitWorkTree = dirty ? 'core, wasm-bindings or js-glue/src have uncommitted changes' : 'clean (core, wasm-bindings, js-glue/src)';
  return v;
}

export function writeResult(name, body) {
  fs.mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(body, null, 2) + '\n');
  return file;
}

export function readResult(name) {
  try {
    return JSON.parse(fs.readFileSync(path.join(RESULTS, `${name}.json`), 'utf8'));
  } catch {
    return null;
  }
}

/** The command that made a result, as a person would type it (bench/run sets BENCH_COMMAND). */
export function command() {
  return process.env.BENCH_COMMAND || `node ${path.relative(ROOT, process.argv[1])} ${process.argv.slice(2).join(' ')}`.trim();
}

// ---- statistics -------------------------------------------------------------------------------

export function median(values) {
  return quantile(values, 0.5);
}

/** Linear interpolation between closest ranks (numpy's default); NaN for no values. */
export function quantile(values, q) {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

export function round(x, digits = 3) {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function parseArgs(argv, defaults) {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const [key, inline] = arg.slice(2).split('=', 2);
    if (!(key in defaults)) throw new Error(`unknown option --${key} (known: ${Object.keys(defaults).join(', ')})`);
    const value = inline ?? (typeof defaults[key] === 'boolean' ? 'true' : argv[++i]);
    out[key] = typeof defaults[key] === 'number' ? Number(value) : typeof defaults[key] === 'boolean' ? value !== 'false' : value;
  }
  return out;
}
