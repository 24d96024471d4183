// Smoke test of the offline benchmarks (bench/): each runs on a tiny size and writes a result file
// of the expected shape. Nothing is timed or compared: benchmarks are measured, never asserted
// (docs/benchmarks.md). Results go to a temporary folder, never to the committed bench/results/.
//
// Needs the built module and glue (toolchain/build-wasm, npm run build -w js-glue); the native
// variant of ingest runs only when bench/out/ingest_driver exists (bench/run ingest builds it).
// Run: node --test tests/bench/
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('benchmarks (smoke, offline)', { timeout: 120_000 }, () => {
  let dir;
  let env;
  const bench = (script, args, flags = []) =>
    run(process.execPath, [...flags, path.join(ROOT, 'bench', script), ...args], { cwd: ROOT, env, timeout: 90_000, maxBuffer: 16 << 20 });
  const result = (name) => JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8'));

  before(() => {
    assert.ok(fs.existsSync(path.join(ROOT, 'js-glue', 'dist', 'wasm', 'pushsync.wasm')), 'build the module first (toolchain/build-wasm)');
    assert.ok(fs.existsSync(path.join(ROOT, 'js-glue', 'dist', 'index.js')), 'build js-glue first (npm run build -w js-glue)');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pushsync-bench-smoke-'));
    env = { ...process.env, BENCH_RESULTS_DIR: dir, BENCH_DOC: path.join(dir, 'benchmarks.md'), BENCH_COMMAND: 'smoke test' };
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function checkCommon(r, name) {
    assert.equal(r.benchmark, name);
    assert.equal(r.command, 'smoke test');
    assert.ok(r.machine.nproc >= 1 && typeof r.machine.cpuModel === 'string' && r.machine.memoryBytes > 0, 'machine');
    assert.match(r.versions.node, /^v\d+/);
    assert.ok(Date.parse(r.startedAt) <= Date.parse(r.finishedAt));
  }

  test('ingest: every variant applies 200 messages, in order and shuffled, and checks its store', async () => {
    await bench('ingest.mjs', ['--sizes', '200', '--trials', '1', '--trials-large', '1', '--roadmap-trials', '1'], ['--expose-gc']);
    const r = result('ingest');
    checkCommon(r, 'ingest');
    for (const m of ['roadmap', 'careful', 'wasm', 'wasmString', 'wasmMirror']) assert.ok(r.methods[m], m);
    assert.deepEqual(r.cases.map((c) => `${c.n} ${c.order}`), ['200 ordered', '200 shuffled']);
    for (const c of r.cases) {
      assert.equal(c.uniqueMessages, 200);
      assert.equal(c.frames, c.order === 'ordered' ? 200 : 220);
      for (const [method, x] of Object.entries(c.results)) {
        assert.equal(x.check, 'ok', `${method} at ${c.n} ${c.order}`);
        assert.ok(x.usPerFrame > 0 && x.trialMs.length >= 1, `${method} timing recorded`);
      }
      assert.ok(c.ratios.roadmapOverWasm > 0 && c.ratios.carefulOverWasm > 0);
    }
    for (const m of Object.keys(r.methods)) assert.equal(r.cold[m].check, 'ok');
    assert.ok(Array.isArray(r.goals));
  });

  test('size: module, glue and pusher-js sizes; instantiation in Node', async () => {
    await bench('size.mjs', ['--cold', '1', '--warm', '2']);
    const r = result('size');
    checkCommon(r, 'size');
    const wasm = r.files['pushsync.wasm'];
    assert.ok(wasm.raw > wasm.gzip && wasm.gzip > 0);
    assert.ok(r.files['pushsync total'].raw > wasm.raw);
    assert.ok(r.files['pusher-js 8.6.0 worker build (pusher.worker.min.js)'].raw > 0);
    for (const key of ['coldInstantiateMs', 'warmInstantiateMs', 'compileOnlyMs']) assert.ok(r.nodeStart[key].median > 0, key);
  });

  test('memory: WASM heap per message against the content', async () => {
    await bench('memory.mjs', ['--sizes', '200'], ['--expose-gc']);
    const r = result('memory');
    checkCommon(r, 'memory');
    assert.equal(r.cases.length, 2);
    for (const c of r.cases) {
      assert.deepEqual(c.checks, { wasmStored: 'ok', carefulStored: 'ok', mirrorStored: 'ok', syncStored: 'ok' });
      assert.ok(c.perMessage.contentUtf8Bytes > 0 && c.perMessage.wasmHeapUsed > 0);
    }
  });

  test('report: the page and the plot from those results', async () => {
    await bench('report.mjs', []);
    const page = fs.readFileSync(path.join(dir, 'benchmarks.md'), 'utf8');
    for (const heading of ['## 1. Ingest', '## 2. Latency', '## 3. Size and start', '## 4. Memory']) assert.ok(page.includes(heading), heading);
    assert.match(fs.readFileSync(path.join(dir, 'ingest.svg'), 'utf8'), /^<svg /);
  });
});
