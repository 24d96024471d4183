// The messages a `messages` effect carries (Engine.carryMessages, always on in the Client) are
// exactly the store's at those positions: the same JSON text messagesJson gives, for frames with
// quotes, backslashes, control characters and every script the benchmark frames hold. (Both are
// written by the core's append_message_json; that it writes what nlohmann's message_to_json does
// is checked natively: tests/unit/message_json_test.cpp and the message_page_fuzz target.)
import assert from 'node:assert/strict';
import test from 'node:test';
import { subscribedEngine, NOW } from '../../bench/lib/engine.mjs';
import { dataset } from '../../bench/lib/frames.mjs';
import { loadModule } from '../dist/index.js';

const mod = await loadModule();

test('carried messages equal the store, frame by frame (shuffled, with duplicates)', () => {
  const data = dataset(300, 'shuffled', 7);
  const { engine, socket } = subscribedEngine(mod, data.sessionId);
  try {
    engine.carryMessages(true);
    let carried = 0;
    for (const frame of data.frames) {
      for (const effect of JSON.parse(engine.socketText(socket, frame, NOW))) {
        if (effect.type !== 'messages') continue;
        assert.equal(effect.insertedMessages.length, effect.inserted.length);
        assert.equal(effect.updatedMessages.length, effect.updated.length);
        effect.inserted.forEach((position, i) => {
          assert.equal(JSON.stringify(effect.insertedMessages[i]), JSON.stringify(JSON.parse(engine.messagesJson(position, 1))[0]));
          carried++;
        });
      }
    }
    assert.equal(carried, data.messages.length);
  } finally {
    engine.delete();
  }
});

test('without carryMessages the bare engine answers in the core\'s own shape', () => {
  const data = dataset(3, 'ordered', 7);
  const { engine, socket } = subscribedEngine(mod, data.sessionId);
  try {
    const effects = JSON.parse(engine.socketText(socket, data.frames[0], NOW));
    const diff = effects.find((e) => e.type === 'messages');
    assert.ok(diff);
    assert.equal(diff.insertedMessages, undefined);
  } finally {
    engine.delete();
  }
});

test('carried messages with action payloads are the bytes messagesJson writes', async () => {
  const { message, newMessageFrame } = await import('./support/frames.mjs');
  const sessionId = 'payloads';
  const { engine, socket } = subscribedEngine(mod, sessionId);
  // A stored payload is copied as it is (the decoder keeps nlohmann's dump of what it parsed).
  const payloads = [
    { action: 'echo', taskId: 't1' },
    { z: 1, a: [1.5, -0, 1e21, 12345678901234567890, 0.1], nested: { deeper: { deepest: [null, true, false] } } },
    { text: 'quote " backslash \\ tab \t newline \n bell \u0007 é ✓ 😀 \u2028', empty: {}, list: [] },
    'just a string',
    42,
    [3, 2, 1],
  ];
  try {
    engine.carryMessages(true);
    payloads.forEach((actionPayload, i) => {
      const answer = engine.socketText(socket, newMessageFrame(sessionId, message(sessionId, i + 1, { actionPayload })), NOW);
      const diff = JSON.parse(answer).find((e) => e.type === 'messages');
      assert.ok(diff, `payload ${i} stored`);
      assert.deepEqual(diff.inserted, [i]);
      assert.ok(answer.includes(`"insertedMessages":${engine.messagesJson(i, 1)}`), `payload ${i}: ${answer}`);
    });
  } finally {
    engine.delete();
  }
});
