// The WASM engine's bounds, where its stack is smallest: a frame nested 100,000 deep (200 KB) is
// refused with an error and changes nothing (the native core had overflowed its stack on it), a
// frame nested at the limit (64) is read, and one past it is refused; the engine goes on working.
// The depth the module survives is measured by toolchain/measure-wasm-depth (docs/security.md).
import assert from 'node:assert/strict';
import test from 'node:test';
import { loadModule } from '../dist/index.js';

const mod = await loadModule();

function connected() {
  const engine = new mod.Engine();
  const feed = (input, at = 1_000) => JSON.parse(engine.handle(JSON.stringify(input), at));
  feed({ type: 'configure', config: { apiBase: 'http://app.test', wsHost: 'ws.test', appKey: 'k', dialect: 'paged' } });
  feed({ type: 'setToken', token: 't' });
  const socket = feed({ type: 'selectSession', sessionId: 's1' }).find((e) => e.type === 'openSocket').socket;
  feed({ type: 'socketOpened', socket });
  const auth = feed({ type: 'socketText', socket, text: JSON.stringify({ event: 'pusher:connection_established', data: JSON.stringify({ socket_id: '1.2', activity_timeout: 120 }) }) })
    .find((e) => e.type === 'httpRequest');
  feed({ type: 'httpResult', id: auth.id, status: 200, body: '{"auth":"k:s"}' });
  const read = feed({ type: 'socketText', socket, text: JSON.stringify({ event: 'pusher_internal:subscription_succeeded', channel: 'private-session-s1', data: '{}' }) })
    .find((e) => e.type === 'httpRequest');
  feed({ type: 'httpResult', id: read.id, status: 200, body: '{"messages":[],"hasMore":false}' });
  const frame = (data) => feed({ type: 'socketText', socket, text: `{"event":"new_message","channel":"private-session-s1","data":${data}}` });
  return { engine, feed, frame };
}

const nested = (depth) => '['.repeat(depth) + ']'.repeat(depth);
const message = (id, seq, extra = '') =>
  JSON.stringify(JSON.stringify({ sessionId: 's1', message: { messageId: id, sequenceNumber: seq, role: 'user', content: 'x', timestamp: '2026-11-29T10:00:00Z' } })).replace('}}"', `${extra}}}"`);

test('a frame nested 100,000 deep is refused with an error, and the engine goes on', () => {
  const { engine, frame } = connected();
  try {
    const effects = frame(nested(100_000));
    const error = effects.find((e) => e.type === 'error');
    assert.equal(error?.code, 'bad_frame', JSON.stringify(effects).slice(0, 300));
    assert.match(error.message, /too deeply/);
    assert.equal(engine.size(), 0);
    frame(message('m1', 1));
    assert.equal(engine.size(), 1);
  } finally {
    engine.delete();
  }
});

test('an actionPayload nested at the limit is read; one level more is refused', () => {
  const { engine, frame } = connected();
  try {
    // The payload (double-encoded: a text of its own) and its message take 2 levels: 62 more reach
    // the limit of 64.
    const at = frame(message('m1', 1, `,\\"actionPayload\\":${nested(62)}`));
    assert.ok(!at.some((e) => e.type === 'error'), JSON.stringify(at).slice(0, 300));
    assert.equal(engine.size(), 1);
    const over = frame(message('m2', 2, `,\\"actionPayload\\":${nested(63)}`));
    assert.ok(over.some((e) => e.type === 'error'), JSON.stringify(over).slice(0, 300));
    assert.equal(engine.size(), 1);
  } finally {
    engine.delete();
  }
});

test('through the module: a configuration that would spin the timer is refused, and a number past its type is bad input', () => {
  const engine = new mod.Engine();
  try {
    const feed = (input) => JSON.parse(engine.handle(JSON.stringify(input), 1_000));
    const base = { apiBase: 'http://app.test', wsHost: 'ws.test', appKey: 'k' };
    assert.ok(!feed({ type: 'configure', config: base }).some((e) => e.type === 'error'));
    const spin = feed({ type: 'configure', config: { ...base, resyncIntervalMs: 0 } });
    assert.deepEqual(spin.filter((e) => e.type === 'error').map((e) => [e.code, e.message]),
      [['bad_config', 'configuration refused: resync_interval must be 1-604800000 ms']]);
    // 2^64 as JavaScript sends it (a double): refused, never converted (that was undefined behaviour).
    const huge = feed({ type: 'configure', config: { ...base, jitterSeed: 2 ** 64 } });
    assert.equal(huge.length, 1);
    assert.equal(huge[0].code, 'bad_payload');
    assert.match(huge[0].message, /'jitterSeed' must be an integer in range/);
    // The accepted configuration stayed: a session still connects with it.
    feed({ type: 'setToken', token: 't' });
    assert.ok(feed({ type: 'selectSession', sessionId: 's1' }).some((e) => e.type === 'openSocket'));
  } finally {
    engine.delete();
  }
});
