// How deep a JSON value the WebAssembly module's decoders survive: every path where the engine
// parses text from outside (a socket frame, a new_message payload, a REST page, an
// interact_response, a host input, a configuration) fed ever deeper nesting through the real
// bindings of a probe module (toolchain/measure-wasm-depth builds it: the same sources and stack,
// the depth limit lifted, every C++ stack pointer change checked) until a call fails, then
// bisected to the deepest that works. A fresh instance for each try: a failed call may leave one
// broken.
//
//   node tests/wasm/measure-depth.mjs build-wasm/wasm-bindings/pushsync-depth-probe.mjs
//
// Prints one line per path (deepest that works, and how the next failed) and a JSON summary.
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

const gluePath = process.argv[2];
if (!gluePath) {
  console.error('usage: node measure-depth.mjs <pushsync-depth-probe.mjs>');
  process.exit(2);
}
const { default: createModule } = await import(pathToFileURL(gluePath).href);
const compiled = await WebAssembly.compile(await readFile(gluePath.replace(/\.mjs$/, '.wasm')));

async function instance() {
  return createModule({
    instantiateWasm(imports, done) {
      WebAssembly.instantiate(compiled, imports).then((i) => done(i));
      return {};
    },
    print() {},
    printErr() {},
  });
}

const arrays = (depth) => '['.repeat(depth) + ']'.repeat(depth);
const objects = (depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

const noError = (effects) => !JSON.parse(effects).some((e) => e.type === 'error');

// An engine subscribed to s1, with its first read still unanswered (the REST path answers it).
function connected(mod) {
  const engine = new mod.Engine();
  const feed = (input) => JSON.parse(engine.handle(JSON.stringify(input), 1_000));
  // The size limits lifted too: they would otherwise end the nesting first (a 1 MiB frame holds at
  // most 512 Ki levels, a 256 KiB message 128 Ki), and this measures the stacks.
  const huge = 2 ** 31;
  feed({ type: 'configure', config: { apiBase: 'http://app.test', wsHost: 'ws.test', appKey: 'k', dialect: 'paged', maxFrameBytes: huge, maxPageBytes: huge, maxMessageBytes: huge } });
  feed({ type: 'setToken', token: 't' });
  const socket = feed({ type: 'selectSession', sessionId: 's1' }).find((e) => e.type === 'openSocket').socket;
  feed({ type: 'socketOpened', socket });
  const auth = feed({ type: 'socketText', socket, text: JSON.stringify({ event: 'pusher:connection_established', data: JSON.stringify({ socket_id: '1.2', activity_timeout: 120 }) }) })
    .find((e) => e.type === 'httpRequest');
  feed({ type: 'httpResult', id: auth.id, status: 200, body: '{"auth":"k:s"}' });
  const read = feed({ type: 'socketText', socket, text: JSON.stringify({ event: 'pusher_internal:subscription_succeeded', channel: 'private-session-s1', data: '{}' }) })
    .find((e) => e.type === 'httpRequest');
  return { engine, socket, read };
}

const message = (payload) =>
  `{"messageId":"m1","sequenceNumber":1,"role":"user","content":"x","timestamp":"2026-11-29T10:00:00Z","actionPayload":${payload}}`;
const inString = (json) => JSON.stringify(json);

// Each path: given a module and a nested value's text, runs it through the bindings; returns what
// must hold when the call went through (so a path that silently refused is not counted as passed).
const paths = {
  'socket frame, data nested (arrays)': (mod, nested) => {
    const { engine, socket } = connected(mod);
    return noError(engine.handle(JSON.stringify({ type: 'socketText', socket, text: `{"event":"x","channel":"private-session-s1","data":${nested(arrays)}}` }), 1_000));
  },
  'socket frame, extra field nested (objects, the scanner)': (mod, nested) => {
    const { engine, socket } = connected(mod);
    return noError(engine.socketText(socket, `{"event":"x","channel":"private-session-s1","data":"{}","y":${nested(objects)}}`, 1_000));
  },
  'new_message, actionPayload nested (then read back)': (mod, nested) => {
    const { engine, socket } = connected(mod);
    const data = inString(`{"sessionId":"s1","message":${message(nested(arrays))}}`);
    engine.socketText(socket, `{"event":"new_message","channel":"private-session-s1","data":${data}}`, 1_000);
    if (engine.size() !== 1) return false;
    engine.messagesJson(0, 1);  // message_to_json parses and writes the payload again
    return true;
  },
  'REST page, actionPayload nested': (mod, nested) => {
    const { engine, read } = connected(mod);
    engine.handle(JSON.stringify({ type: 'httpResult', id: read.id, status: 200, body: `{"messages":[${message(nested(arrays))}],"hasMore":false}` }), 1_000);
    if (engine.size() !== 1) return false;
    engine.messagesJson(0, 1);
    return true;
  },
  'interact_response, data nested (objects; parsed again for the effect)': (mod, nested) => {
    const { engine, socket } = connected(mod);
    const data = inString(`{"sessionId":"s1","data":${nested(objects)}}`);
    const effects = engine.socketText(socket, `{"event":"interact_response","channel":"private-session-s1","data":${data}}`, 1_000);
    return effects.includes('"interactResponse"');
  },
  'host input, a field nested': (mod, nested) => {
    const engine = new mod.Engine();
    return noError(engine.handle(`{"type":"tick","x":${nested(arrays)}}`, 1_000));
  },
  'configuration, a field nested': (mod, nested) => {
    const engine = new mod.Engine();
    return noError(engine.handle(`{"type":"configure","config":{"apiBase":"http://a","x":${nested(objects)}}}`, 1_000));
  },
};

async function attempt(path, depth) {
  const mod = await instance();
  try {
    return paths[path](mod, (shape) => shape(depth)) ? { ok: true } : { ok: false, why: 'refused' };
  } catch (error) {
    return { ok: false, why: `${error?.name}: ${String(error?.message).slice(0, 80)}` };
  }
}

const results = {};
for (const path of Object.keys(paths)) {
  let ok = 64;
  const first = await attempt(path, ok);
  if (!first.ok) {
    console.log(`${path}: FAILS AT THE LIMIT (64): ${first.why}`);
    results[path] = { deepest: 0, failure: first.why };
    continue;
  }
  let bad = 0, failure = '';
  for (let depth = 1024; depth <= 1 << 24; depth *= 2) {
    const r = await attempt(path, depth);
    if (!r.ok) { bad = depth; failure = r.why; break; }
    ok = depth;
  }
  if (!bad) {
    console.log(`${path}: survives ${ok} (the largest tried)`);
    results[path] = { deepest: ok, failure: null };
    continue;
  }
  while (bad - ok > Math.max(1, Math.floor(ok / 200))) {
    const mid = Math.floor((ok + bad) / 2);
    const r = await attempt(path, mid);
    if (r.ok) ok = mid; else { bad = mid; failure = r.why; }
  }
  console.log(`${path}: survives ${ok}; at ${bad}: ${failure}`);
  results[path] = { deepest: ok, failure };
}
const deepest = Math.min(...Object.values(results).map((r) => r.deepest));
console.log(JSON.stringify({ node: process.version, execArgv: process.execArgv, smallest: deepest, results }));
