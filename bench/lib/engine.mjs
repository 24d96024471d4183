// The bare WASM engine (mod.Engine) brought to "subscribed" without a network, exactly as
// `pushsync replay` does (js-glue/src/cli/replay.ts): configure, token, select, then the answers
// Sockudo and the app server would give.
import { loadModule } from '../../js-glue/dist/module.js';

export const NOW = 1_000;

export { loadModule };

/** A fresh engine subscribed to `sessionId`; returns {engine, socket}. */
export function subscribedEngine(mod, sessionId, { maxMessages = 1_000_000 } = {}) {
  const engine = new mod.Engine();
  const run = (input) => JSON.parse(engine.handle(JSON.stringify(input), NOW));
  const find = (effects, type, what) => {
    const found = effects.find((effect) => effect.type === type);
    if (!found) throw new Error(`the engine did not ${what}: ${JSON.stringify(effects).slice(0, 300)}`);
    return found;
  };
  run({
    type: 'configure',
    config: { apiBase: 'http://bench.invalid', wsHost: 'bench.invalid', wsPort: 443, appKey: 'bench', protocol: 7, jitterSeed: 1, maxMessages },
  });
  run({ type: 'setToken', token: 'bench' });
  const socket = find(run({ type: 'selectSession', sessionId }), 'openSocket', 'open a socket').socket;
  run({ type: 'socketOpened', socket });
  const established = JSON.stringify({ event: 'pusher:connection_established', data: JSON.stringify({ socket_id: '1.1', activity_timeout: 120 }) });
  const auth = find(JSON.parse(engine.socketText(socket, established, NOW)), 'httpRequest', 'ask for channel auth');
  const subscribe = find(run({ type: 'httpResult', id: auth.id, status: 200, body: '{"auth":"x:y"}' }), 'sendFrame', 'subscribe');
  const channel = JSON.parse(subscribe.text).data.channel;
  const succeeded = JSON.stringify({ event: 'pusher_internal:subscription_succeeded', channel, data: '{}' });
  const backfill = find(JSON.parse(engine.socketText(socket, succeeded, NOW)), 'httpRequest', 'ask for the backfill');
  run({ type: 'httpResult', id: backfill.id, status: 200, body: '{"messages":[],"hasMore":false}' });
  if (engine.state() !== 'connected') throw new Error(`the engine did not subscribe (state ${engine.state()})`);
  return { engine, socket };
}

/** The store's ids in order, read in chunks (a 100,000-message store is never one string). */
export function storeIds(engine) {
  const ids = [];
  const size = engine.size();
  for (let first = 0; first < size; first += 2_000) {
    for (const m of JSON.parse(engine.messagesJson(first, 2_000))) ids.push(m.messageId);
  }
  return ids;
}
