// The WebAssembly engine replays the shared test vectors (tests/vectors/*.json, recorded from the
// native engine) and must produce exactly the recorded effects and deadlines, step by step.
// A second pass feeds socket frames through the fast buffer path instead of JSON inputs: same
// effects required.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { loadModule } from '../dist/index.js';

const vectorsDir = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..', 'tests', 'vectors');
const files = readdirSync(vectorsDir).filter((name) => name.endsWith('.json')).sort();
const mod = await loadModule();

test('there are vectors to replay', () => {
  assert.ok(files.length >= 4, `found ${files.length} in ${vectorsDir}`);
});

function viaBuffer(engine, step) {
  const bytes = new TextEncoder().encode(step.input.text);
  const address = engine.inputBuffer(bytes.length);
  mod.HEAPU8.set(bytes, address); // HEAPU8 read after inputBuffer: memory may have grown
  return engine.socketTextFromBuffer(step.input.socket, bytes.length, step.at);
}

for (const file of files) {
  for (const path of ['json', 'buffer']) {
    test(`${file} (${path} input)`, () => {
      const doc = JSON.parse(readFileSync(join(vectorsDir, file), 'utf8'));
      const engine = new mod.Engine();
      try {
        doc.steps.forEach((step, index) => {
          const fast = path === 'buffer' && step.input.type === 'socketText';
          const effects = JSON.parse(fast ? viaBuffer(engine, step) : engine.handle(JSON.stringify(step.input), step.at));
          assert.deepStrictEqual(effects, step.effects, `${file} step ${index} (${step.input.type}): effects`);
          const deadline = engine.nextDeadline();
          assert.strictEqual(deadline < 0 ? null : deadline, step.nextDeadline, `${file} step ${index}: next deadline`);
        });
      } finally {
        engine.delete();
      }
    });
  }
}
