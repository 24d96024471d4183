// Shared by the integration tests: the real stack (Sockudo + the reference app server, started and
// stopped through toolchain/stack with its own run folder), pushsync clients (createSync: the WASM
// engine with a real WebSocket) whose every event, frame and HTTP request is recorded, and the
// checks the tests share (the client's store against the server's messages).
//
// Ports: 3200 (app server) and 3205 (Sockudo) unless INTEGRATION_PORT / INTEGRATION_SOCKUDO_PORT
// say otherwise, so that these tests never meet the development stack (3000/3005) or another
// developer's. The test runner runs one file at a time (--test-concurrency=1): each file owns the
// stack while it runs and stops it in `after`.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import Pusher from 'pusher';
import { createSync } from '../../js-glue/dist/index.js';
import { httpClient, roadmapEnv, ALICE, BOB, ADMIN_TOKEN } from '../server/helpers.mjs';
import { isolatedStack } from '../server/stack.mjs';
import { killLeftovers } from '../support/stack-tools.mjs';

export { ALICE, BOB, ADMIN_TOKEN, roadmapEnv };

assert.equal(typeof WebSocket, 'function',
  'the integration tests need a global WebSocket: run node with --experimental-websocket on Node 20 (toolchain/test-integration does)');

export const APP = { id: 'pushsync-app', key: 'pushsync-key', secret: 'pushsync-secret' };

// ---- waiting -------------------------------------------------------------------------------------

/**
 * Resolves with the predicate's first truthy value; rejects after `timeout` ms naming `what` (and
 * `detail()`, evaluated then, for the failure message). Generous defaults: the machines are shared.
 */
export async function waitFor(predicate, { timeout = 30_000, what = 'a condition', detail } = {}) {
  const deadline = performance.now() + timeout;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (performance.now() > deadline) {
      let more = '';
      try { more = detail ? `\n${detail()}` : ''; } catch (error) { more = `\n(detail failed: ${error})`; }
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${more}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// ---- the stack -----------------------------------------------------------------------------------


/**
 * Starts an isolated stack on the integration ports and answers what the tests need of it:
 * `url`, `sockudoPort`, `api` (httpClient: call/login/createSession/adminPost), `alice`/`bob`
 * tokens, `command(name)` (toolchain/stack up/down/status), `pid(part)`, `killSockudo(signal)`,
 * `serverLog()`, `subscriptions(channel)` (Sockudo's HTTP API), `health` (the server's
 * /api/health answer: its profile) and `down()`.
 * `env`: more variables for toolchain/stack and the app server (docs/server.md), e.g.
 * `startStack(roadmapEnv({paging: 'oldest'}))` (tests/server/helpers.mjs) for the roadmap profile;
 * the start fails when the server does not report the profile asked for.
 */
export async function startStack(env = {}) {
  const stack = await isolatedStack({
    PORT: process.env.INTEGRATION_PORT ?? '3200',
    SOCKUDO_PORT: process.env.INTEGRATION_SOCKUDO_PORT ?? '3205',
    QUIET: '0', // request lines in server.log: the tests read them
    ASSISTANT_STEP_MS: '30',
    // These tests do in minutes what a person does in weeks (80 turns in a loop, a reconnect and a
    // channel auth per outage, all as Alice): rate limits far above the server's defaults
    // (docs/security.md), asked for here rather than relaxed for every development server.
    INTERACT_RATE_LIMIT: '100000',
    CHANNEL_AUTH_RATE_LIMIT: '100000',
    LOGIN_RATE_LIMIT: '1000',
    ...env,
  });
  // Whatever happens to this process (a test that throws past `after`, an interrupt), nothing it
  // started may outlive it.
  const onExit = () => killLeftovers(stack.runDir);
  const onSignal = (signal) => {
    killLeftovers(stack.runDir);
    fs.rmSync(stack.runDir, { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('exit', onExit);
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  const forget = () => {
    process.off('exit', onExit);
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  };

  const up = await stack.command('up');
  if (up.code !== 0) {
    await stack.down();
    forget();
    assert.fail(`toolchain/stack up failed (ports ${stack.env.PORT}/${stack.env.SOCKUDO_PORT}; another stack on them?):\n${up.stdout}\n${up.stderr}`);
  }
  const api = httpClient(stack.url);
  // Which backend the server plays (PUSHSYNC_SERVER_PROFILE in `env`; docs/server.md): a test of the
  // roadmap profile must not pass against a full server by accident.
  const health = (await api.call('GET', '/api/health')).body;
  const profile = (env.PUSHSYNC_SERVER_PROFILE ?? 'full').toLowerCase();
  if (health?.profile !== profile) {
    await stack.down();
    forget();
    assert.fail(`the stack's server plays profile ${JSON.stringify(health?.profile)}, not ${JSON.stringify(profile)}`);
  }
  const pusher = new Pusher({
    appId: APP.id, key: APP.key, secret: APP.secret, host: '127.0.0.1', port: stack.env.SOCKUDO_PORT, useTLS: false, timeout: 5000,
  });
  const runFile = (name) => path.join(stack.runDir, name);
  const readLog = (name) => { try { return fs.readFileSync(runFile(name), 'utf8'); } catch { return ''; } };

  return {
    ...stack,
    api,
    health, // /api/health: {ok, profile, ...the roadmap knobs}
    alice: await api.login(ALICE),
    bob: await api.login(BOB),
    pid(part) {
      try { return Number(fs.readFileSync(runFile(`${part}.pid`), 'utf8').trim()) || null; } catch { return null; }
    },
    serverLog: () => readLog('server.log'),
    sockudoLog: () => readLog('sockudo.log'),
    /**
     * How many sockets Sockudo has subscribed to `channel` (`GET /apps/{id}/channels/{name}`).
     * Not `GET /apps/{id}/channels`: Sockudo 5.0.1 answers that list from a cache that keeps the
     * first answer it gave for the same query (a channel that was left stays listed, a new one
     * never appears), while the per-channel route reads the live state.
     */
    async subscriptions(channel) {
      const response = await pusher.get({ path: `/channels/${channel}`, params: { info: 'subscription_count' } });
      if (response.status !== 200) throw new Error(`GET /channels/${channel}: ${response.status}`);
      const info = await response.json();
      return info.subscription_count ?? (info.occupied ? 1 : 0);
    },
    /** Waits until Sockudo counts `expected[channel]` subscriptions for each channel named. */
    async waitSubscriptions(expected, timeout = 30_000) {
      let last = {};
      await waitFor(async () => {
        last = {};
        for (const channel of Object.keys(expected)) last[channel] = await this.subscriptions(channel);
        return Object.keys(expected).every((channel) => last[channel] === expected[channel]);
      }, { timeout, what: `Sockudo's subscriptions ${JSON.stringify(expected)}`, detail: () => `last seen ${JSON.stringify(last)}` });
    },
    /**
     * Sends `signal` to Sockudo and waits until its port refuses connections and the process is
     * gone (after SIGTERM it lingers for its shutdown grace period; `up` meanwhile would take it
     * for the running Sockudo).
     */
    async killSockudo(signal = 'SIGKILL') {
      const pid = this.pid('sockudo');
      assert.ok(pid, 'Sockudo has a PID file');
      process.kill(pid, signal);
      const alive = () => { try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('sockudo'); } catch { return false; } };
      await waitFor(async () => !alive() && !(await portAnswers(this.sockudoPort)), { timeout: 20_000, what: `Sockudo (pid ${pid}) to exit` });
      return pid;
    },
    /** Stops the stack and removes its run folder; the logs are printed when `failed`. */
    async down({ failed = false } = {}) {
      if (failed) {
        console.log(`---- server.log (tail) ----\n${readLog('server.log').split('\n').slice(-60).join('\n')}`);
        console.log(`---- sockudo.log (tail) ----\n${readLog('sockudo.log').split('\n').slice(-30).join('\n')}`);
      }
      const result = await stack.down();
      killLeftovers(stack.runDir); // in case `down` could not (its PID files are gone then anyway)
      forget();
      assert.equal(result.code, 0, `toolchain/stack down failed:\n${result.stdout}\n${result.stderr}`);
    },
  };
}

function portAnswers(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

// ---- the server's side ---------------------------------------------------------------------------

/**
 * Every message of a session as the server has it: GET .../messages paged with afterSequence; for a
 * server playing the roadmap profile, whose REST cannot hand out a whole session (no afterSequence,
 * pages of at most maxLimit), the server's database itself (databaseMessages).
 */
export async function serverMessages(stack, sessionId, token = stack.alice) {
  if (stack.health?.profile === 'roadmap') return databaseMessages(stack, sessionId);
  const all = [];
  for (let after = 0; ;) {
    const page = await stack.api.call('GET', `/api/session/${sessionId}/messages?limit=200&afterSequence=${after}`, { token });
    assert.equal(page.status, 200, `GET messages: ${page.status} ${JSON.stringify(page.body)}`);
    all.push(...page.body.messages);
    if (!page.body.hasMore || page.body.messages.length === 0) return all;
    after = page.body.messages.at(-1).sequenceNumber;
  }
}

/**
 * A session's messages read from the stack's SQLite file (read-only; WAL lets it read while the
 * server writes), in sequence order and in the wire shape of server/src/store.js (toMessage), as
 * the server's profile shows them (roadmap, sequence "some": assistant messages without
 * sequenceNumber). The truth for tests of a backend whose REST cannot list a whole session.
 */
export function databaseMessages(stack, sessionId) {
  const db = new Database(stack.env.DB_PATH ?? path.join(stack.runDir, 'pushsync.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT * FROM messages WHERE session_id = ? ORDER BY sequence ASC').all(sessionId);
    const dropSequence = stack.health?.profile === 'roadmap' && stack.health?.sequence === 'some';
    return rows.map((row) => {
      const message = {
        messageId: row.id, role: row.role, content: row.content, status: row.status,
        timestamp: new Date(row.created_at).toISOString(), sequenceNumber: row.sequence, updatedAt: new Date(row.updated_at).toISOString(),
      };
      if (row.action_payload !== null) message.actionPayload = JSON.parse(row.action_payload);
      if (row.error_code !== null) message.error = { code: row.error_code, message: row.error_message };
      if (row.client_message_id !== null) message.clientMessageId = row.client_message_id;
      if (dropSequence && row.role === 'assistant') delete message.sequenceNumber;
      return message;
    });
  } finally {
    db.close();
  }
}

/** Posts one message through the admin route (single, not batch): answers the stored message. */
export async function adminPostOne(stack, sessionId, content, extra = {}) {
  const response = await stack.api.call('POST', `/api/admin/session/${sessionId}/messages`, {
    headers: { 'x-admin-token': ADMIN_TOKEN },
    body: { content, ...extra },
  });
  assert.equal(response.status, 201, `admin post: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.messages[0];
}

// ---- clients -------------------------------------------------------------------------------------

const syncs = new Set();

/**
 * A pushsync client (createSync, the WASM engine, a real WebSocket) on the stack, recording
 * everything: `log.<event>`, `requests` (every HTTP request the engine made through fetch:
 * `{method, url, status, done}`), `frames` (every received frame: `{frame}` decoded, `data` decoded
 * too when it is JSON). Each entry has `n`, its place in one count across the three (what happened
 * first), and `t`, performance.now() (the engine's clock in Node). Destroy with `await closeAll()` (it waits for their storage writes).
 */
export function client(stack, options = {}) {
  const log = { state: [], messages: [], typing: [], session: [], interactResponse: [], error: [] };
  const requests = [];
  const frames = [];
  let ordinal = 0; // one count across events, requests and frames: the order things happened in
  const loggingFetch = async (url, init) => {
    const entry = { n: ++ordinal, t: performance.now(), method: init.method, url, status: null, done: false };
    requests.push(entry);
    try {
      const response = await fetch(url, init);
      const body = await response.text();
      entry.status = response.status;
      return new Response(body, { status: response.status, headers: response.headers });
    } catch (error) {
      entry.status = 0;
      throw error;
    } finally {
      entry.done = true;
      entry.end = performance.now();
    }
  };
  const sync = createSync({
    apiBase: stack.url,
    wsHost: '127.0.0.1',
    wsPort: stack.sockudoPort,
    key: APP.key,
    token: stack.alice,
    jitterSeed: 7,
    fetch: loggingFetch,
    onFrame: (text) => {
      const frame = JSON.parse(text);
      if (typeof frame.data === 'string') {
        try { frame.data = JSON.parse(frame.data); } catch { /* plain text */ }
      }
      frames.push({ n: ++ordinal, t: performance.now(), frame });
    },
    ...options,
  });
  for (const name of Object.keys(log)) sync.on(name, (value) => log[name].push({ n: ++ordinal, t: performance.now(), ...value }));
  syncs.add(sync);

  const messageRequests = () => requests.filter((r) => /\/api\/session\/[^/]+\/messages/.test(r.url));
  return {
    sync,
    log,
    requests,
    frames,
    messageRequests,
    inFlight: () => requests.filter((r) => !r.done).length,
    /** Connected, with no HTTP request in flight: the backfill after subscribing is done. */
    settled: () => sync.state().state === 'connected' && requests.every((r) => r.done) && messageRequests().length > 0,
    states: () => log.state.map((s) => (s.reason ? `${s.state}(${s.reason})` : s.state)),
    /** What to print when a wait fails. */
    describe: () => JSON.stringify({
      state: sync.state(),
      states: log.state.map((s) => `${s.state}/${s.reason}`),
      counters: sync.counters(),
      stored: sync.messages().length,
      errors: log.error.slice(-10),
      requests: requests.slice(-8).map((r) => `${r.method} ${r.url.replace(stack.url, '')} ${r.status}`),
    }),
    destroy() {
      syncs.delete(sync);
      return sync.destroy();
    },
  };
}

/** A client on `sessionId`, connected and with its first read done. */
export async function connectedClient(stack, sessionId, options) {
  const c = client(stack, options);
  c.sync.selectSession(sessionId);
  await waitFor(c.settled, { what: `connected and settled on ${sessionId}`, detail: c.describe });
  return c;
}

/** Destroys every client still alive (their sockets, timers and requests), once their storage writes landed. */
export async function closeAll() {
  const closing = [...syncs].map((sync) => sync.destroy());
  syncs.clear();
  await Promise.all(closing);
}

// ---- checks --------------------------------------------------------------------------------------

/** The fields that must agree between the client's store and the server. */
export const essence = (m) => ({
  messageId: m.messageId, sequenceNumber: m.sequenceNumber, role: m.role, content: m.content, status: m.status,
});

/** Ordered by sequence number, each message once. */
export function assertOrderedUnique(messages, where = 'the store') {
  const seen = new Set();
  for (let i = 0; i < messages.length; i++) {
    assert.ok(!seen.has(messages[i].messageId), `${where}: ${messages[i].messageId} (#${messages[i].sequenceNumber}) is there twice`);
    seen.add(messages[i].messageId);
    if (i > 0) {
      assert.ok(messages[i - 1].sequenceNumber < messages[i].sequenceNumber,
        `${where}: out of order at ${i}: #${messages[i - 1].sequenceNumber} then #${messages[i].sequenceNumber}`);
    }
  }
}

/** Every message id the client's `messages` events inserted, checking none is inserted twice. */
export function assertInsertedOnce(c) {
  const seen = new Set();
  for (const event of c.log.messages) {
    if (event.diff.reset) seen.clear();
    for (const m of event.inserted) {
      assert.ok(!seen.has(m.messageId), `message ${m.messageId} (#${m.sequenceNumber}) was inserted twice`);
      seen.add(m.messageId);
    }
  }
  return seen;
}

/** Waits until the client's store equals the server's messages of the session, then checks it all. */
export async function assertConverges(stack, c, sessionId, { timeout = 60_000, token } = {}) {
  const truth = (await serverMessages(stack, sessionId, token)).map(essence);
  await waitFor(() => sameMessages(c.sync.messages(), truth), {
    timeout,
    what: `the store to equal the server's ${truth.length} messages`,
    detail: () => `${c.describe()}\n${mismatch(c.sync.messages(), truth)}`,
  });
  assertOrderedUnique(c.sync.messages());
  assert.deepEqual(c.sync.messages().map(essence), truth);
  return truth;
}

function sameMessages(messages, truth) {
  if (messages.length !== truth.length) return false;
  for (let i = 0; i < truth.length; i++) {
    const m = messages[i];
    const t = truth[i];
    if (m.messageId !== t.messageId || m.sequenceNumber !== t.sequenceNumber || m.status !== t.status || m.content !== t.content) return false;
  }
  return true;
}

function mismatch(messages, truth) {
  const have = new Set(messages.map((m) => m.messageId));
  const want = new Set(truth.map((m) => m.messageId));
  const missing = truth.filter((m) => !have.has(m.messageId)).map((m) => m.sequenceNumber);
  const extra = messages.filter((m) => !want.has(m.messageId)).map((m) => m.sequenceNumber);
  const status = truth.filter((t) => messages.some((m) => m.messageId === t.messageId && m.status !== t.status)).map((m) => m.sequenceNumber);
  return `store ${messages.length}, server ${truth.length}; missing #${compact(missing)}; extra #${compact(extra)}; status differs #${compact(status)}`;
}

/** "1-5,9,12-13" */
export function compact(numbers) {
  const sorted = [...numbers].sort((a, b) => a - b);
  const parts = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j;
  }
  return parts.join(',') || 'none';
}

/** The application events (not pusher:/sockudo: ones) a client's socket received on `channel`. */
export function appFrames(c, channel) {
  return c.frames.filter(({ frame }) => frame.channel === channel && !String(frame.event).includes(':'));
}

export const channelOf = (sessionId) => `private-session-${sessionId}`;

/**
 * Remembers whether a test of the file failed, so that `after` can print the stack's logs:
 * `const failures = failureFlag(); test('...', failures.wrap(async (t) => {...}))`.
 */
export function failureFlag() {
  const flag = {
    failed: false,
    wrap: (fn) => async (t) => {
      try {
        return await fn(t);
      } catch (error) {
        flag.failed = true;
        throw error;
      }
    },
  };
  return flag;
}

/**
 * Posts one message every `everyMs` (each awaited, through the admin route) until `stop()`:
 * `posted` holds `{message, resolvedAt}` (performance.now() when the server had answered, so the
 * message was stored by then). `stop()` resolves once the last post is done, and rethrows a
 * failed post.
 */
export function streamMessages(stack, sessionId, { everyMs = 100, prefix = 'stream' } = {}) {
  const posted = [];
  let stopped = false;
  const loop = (async () => {
    for (let i = 0; !stopped; i++) {
      const message = await adminPostOne(stack, sessionId, `${prefix} ${i}`);
      posted.push({ message, resolvedAt: performance.now() });
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  loop.catch(() => {}); // reported by stop()
  return {
    posted,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/**
 * A TCP relay between clients and Sockudo, to cut sockets while Sockudo keeps running: `cut()`
 * drops every relayed connection at once (the client sees its socket die: 1006, no close frame);
 * `hold()` keeps new connections waiting (accepted, not yet relayed) until `release()`, so a test
 * decides when a reconnect can reach Sockudo. Listens on an ephemeral port of 127.0.0.1.
 */
export async function startRelay(targetPort) {
  const pairs = new Set();
  let held = null; // sockets waiting while holding
  const relay = (client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    const pair = { client, upstream };
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  };
  const server = net.createServer((client) => {
    client.setNoDelay(true);
    if (held) {
      held.push(client);
      client.on('error', () => {});
    } else {
      relay(client);
    }
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    connections: () => pairs.size,
    /** Drops every relayed connection (both sides). */
    cut() {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
    },
    hold() {
      held ??= [];
    },
    waiting: () => held?.length ?? 0,
    release() {
      const waiting = held ?? [];
      held = null;
      for (const client of waiting) if (!client.destroyed) relay(client);
    },
    close() {
      this.cut();
      for (const client of held ?? []) client.destroy();
      held = null;
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
