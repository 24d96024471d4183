// Load: many pushsync clients (createSync, the WASM engine in Node, one module shared) on a Sockudo
// cluster (bench/lib/cluster.mjs: HAProxy, Sockudo nodes with the Redis adapter, two app servers on
// one database), server traffic at a given rate, and optionally one node SIGKILLed mid-run.
// Run it with `bench/run load` (results: bench/results/load.json and load.svg; docs/scaling.md).
//
//   node --experimental-websocket bench/load.mjs [--clients 500] [--share 5] [--rate 100]
//        [--seconds 40] [--kill-at 15] [--kill-node 1] [--protocol 2] [--ramp 100] [--logins 10]
//        [--backoff-base-ms 0] [--backoff-jitter -1] [--first-spread-ms -1] [--name load]
//
// Clients: `clients` users of their own, each with its own session, plus `share` views (clients)
// of one more user's one session. Users are written to the database and their tokens signed with
// the development secret, except the first `logins`, who log in through the balancer like a person
// (a login is a 50 ms scrypt: 2,000 of them would be minutes of the servers' CPU before the run).
// Clients connect `ramp` a second. Traffic: `rate` messages a second in all through the admin route
// (one message per request, keep-alive, through the balancer), round robin over the sessions.
//
// Per message and client (a shared session's message counts once per view): trigger-to-store, from
// performance.now() just before the request to the client's `messages` event inserting it. After
// the traffic stops every client must hold exactly the messages posted to its session: missing
// ones are lost, a message inserted twice is duplicated. `kill-at` (seconds into the traffic, 0:
// no kill) SIGKILLs node `kill-node`; the clients whose connection left `connected` after it are
// the affected ones, and each must be `connected` (subscribed) again: the time it took, the channel
// auth requests per second meanwhile (the storm, or not), and how it caught up (V2 resume or REST).
// `backoff-base-ms` / `backoff-jitter` / `first-spread-ms` override the engine's reconnect backoff
// (engineConfig: backoffBaseMs, backoffJitter, backoffFirstSpreadMs) to compare policies;
// `--first-spread-ms 0` is the policy before issue 13 (the first retry 1 to 1.2 s after the loss);
// the defaults (-1) leave the glue's own.
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import fs from 'node:fs';
import { createSync, loadModule, memoryStorage } from '../js-glue/dist/index.js';
import { createClock } from '../server/src/clock.js';
import { openStore } from '../server/src/store.js';
import { createTokens } from '../server/src/tokens.js';
import { hashPassword } from '../server/src/passwords.js';
import { command, machine, OUT, parseArgs, quantile, RESULTS, round, versions, writeResult } from './lib/env.mjs';
import { cpuSeconds, rssBytes, startCluster } from './lib/cluster.mjs';
import { timeline } from './lib/timeline.mjs';
import { ADMIN_TOKEN } from '../tests/support/stack-tools.mjs';

const options = parseArgs(process.argv.slice(2), {
  clients: 500,
  share: 5,
  rate: 100,
  seconds: 40,
  'kill-at': 15,
  'kill-node': 1,
  nodes: 2,
  protocol: 2,
  ramp: 100,
  logins: 10,
  'backoff-base-ms': 0,
  'backoff-jitter': -1,
  'first-spread-ms': -1,
  'max-in-flight': 64,
  'drain-seconds': 30,
  name: 'load',
});

if (typeof WebSocket !== 'function') throw new Error('run node with --experimental-websocket (Node 20): pushsync uses the global WebSocket');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const TAG = /^load#(\d+) /;
const DEV_JWT_SECRET = 'pushsync-dev-jwt-secret'; // the server's development default (docs/server.md)

function stats(values) {
  if (values.length === 0) return { count: 0 };
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  return { count: values.length, p50: round(quantile(values, 0.5), 2), p90: round(quantile(values, 0.9), 2), p99: round(quantile(values, 0.99), 2), max: round(max, 2) };
}

// ---- users, tokens, sessions ------------------------------------------------------------------

async function makeUsers(cluster, count) {
  const store = openStore({ dbPath: cluster.dbPath, clock: createClock() });
  const tokens = createTokens({ secret: DEV_JWT_SECRET, ttlSeconds: 3600, maxTtlSeconds: 12 * 3600 });
  const password = 'load-password';
  const hash = await hashPassword(password);
  const run = Date.now().toString(36);
  const users = [];
  try {
    for (let i = 0; i < count; i++) {
      const user = await store.ensureUser({ email: `load-${run}-${i}@example.com`, passwordHash: hash });
      users.push({ ...user, password });
    }
  } finally {
    store.close();
  }
  const call = async (method, route, { token, body, admin } = {}) => {
    const headers = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (admin) headers['x-admin-token'] = ADMIN_TOKEN;
    const response = await fetch(cluster.apiBase + route, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text.slice(0, 200)}`);
    return JSON.parse(text);
  };
  // A few real logins through the balancer; the rest signed here with the same secret.
  for (const [i, user] of users.entries()) {
    user.token = i < options.logins
      ? (await call('POST', '/api/auth/login', { body: { email: user.email, password } })).accessToken
      : await tokens.issue(user);
  }
  // Sessions through the balancer (both app servers), 16 at a time.
  for (let i = 0; i < users.length; i += 16) {
    await Promise.all(users.slice(i, i + 16).map(async (user) => {
      user.sessionId = (await call('POST', '/api/sessions', { token: user.token, body: {} })).sessionId;
    }));
  }
  return { users, call };
}

// ---- the clients ------------------------------------------------------------------------------

function makeClient(cluster, module, user, index, clock) {
  const record = {
    index, sessionId: user.sessionId, shared: false, stored: new Map(), duplicates: 0,
    states: [], authRequests: [], messageReads: [], connectedAt: null,
  };
  const countingFetch = async (url, init) => {
    const t = clock();
    if (url.includes('/api/pusher/auth')) record.authRequests.push(t);
    else if (url.includes('/messages')) record.messageReads.push(t);
    return fetch(url, init);
  };
  const engineConfig = {};
  if (options['backoff-base-ms'] > 0) engineConfig.backoffBaseMs = options['backoff-base-ms'];
  if (options['backoff-jitter'] >= 0) engineConfig.backoffJitter = options['backoff-jitter'];
  if (options['first-spread-ms'] >= 0) engineConfig.backoffFirstSpreadMs = options['first-spread-ms'];
  const sync = createSync({
    apiBase: cluster.apiBase,
    wsHost: '127.0.0.1',
    wsPort: cluster.wsPort,
    key: 'pushsync-key',
    protocol: options.protocol,
    token: user.token,
    storage: memoryStorage(),
    module,
    fetch: countingFetch,
    engineConfig,
  });
  sync.on('state', ({ state }) => {
    const t = clock();
    record.states.push({ t, state });
    if (state === 'connected' && record.connectedAt === null) record.connectedAt = t;
  });
  sync.on('messages', ({ diff, inserted }) => {
    const t = clock();
    for (const message of inserted) {
      const match = TAG.exec(message.content);
      if (!match) continue;
      const k = Number(match[1]);
      // A reset lists every message again: that is not a second insert.
      if (record.stored.has(k)) { if (!diff.reset) record.duplicates++; continue; }
      record.stored.set(k, t);
    }
  });
  sync.selectSession(user.sessionId);
  record.sync = sync;
  return record;
}

// ---- the run ----------------------------------------------------------------------------------

async function main() {
  const startedAt = new Date().toISOString();
  const dir = path.join(OUT, `cluster-${options.name}`);
  console.log(`load: starting a ${options.nodes}-node cluster in ${path.relative(process.cwd(), dir)}`);
  const cluster = await startCluster(dir, {
    CLUSTER_NODES: String(options.nodes),
    // A user is one client here, and its limits are a person's: the defaults hold.
    SOCKUDO_RECOVERY_TTL: '120',
    SOCKUDO_RECOVERY_BUFFER: '100',
  });
  const t0 = performance.now();
  const clock = () => (performance.now() - t0) / 1000; // seconds since the cluster was up
  let result;
  try {
    const module = await loadModule();
    const { users, call } = await makeUsers(cluster, options.clients + 1);
    const sharedUser = users.at(-1);
    console.log(`load: ${users.length} users and sessions (${options.logins} logged in through the balancer)`);

    const memoryBefore = process.memoryUsage();
    const clients = [];
    const rampStart = clock();
    for (let i = 0; i < options.clients + options.share; i++) {
      const shared = i >= options.clients;
      const c = makeClient(cluster, module, shared ? sharedUser : users[i], i, clock);
      c.shared = shared;
      clients.push(c);
      const due = rampStart + (i + 1) / options.ramp;
      const wait = (due - clock()) * 1000;
      if (wait > 1) await sleep(wait);
    }
    const connected = () => clients.filter((c) => c.sync.state().state === 'connected').length;
    const deadline = performance.now() + 60_000;
    while (connected() < clients.length && performance.now() < deadline) await sleep(100);
    console.log(`load: ${connected()} of ${clients.length} clients connected after ${round(clock() - rampStart, 1)} s`);
    await sleep(1000);
    const memoryConnected = process.memoryUsage();

    // Traffic: `rate` a second, round robin over the sessions (the shared one among them).
    const sessions = [...new Set(clients.map((c) => c.sessionId))];
    const triggers = []; // k -> {at, sessionId, ok}
    let inFlight = 0;
    let skipped = 0;
    const samples = []; // one a second: {t, connected, lag}
    const pids = cluster.pids();
    const cpuAt = () => ({ load: process.cpuUsage(), parts: Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)])), t: clock() });
    const cpuStart = cpuAt();
    const trafficStart = clock();
    let killAt = null;
    let killed = false;
    const trafficEnd = trafficStart + options.seconds;
    let nextSample = Math.ceil(trafficStart);
    for (let k = 0; clock() < trafficEnd;) {
      const now = clock();
      if (now >= nextSample) {
        samples.push({ t: round(now, 2), connected: connected(), inFlight });
        nextSample += 1;
      }
      if (!killed && options['kill-at'] > 0 && now >= trafficStart + options['kill-at']) {
        killed = true;
        killAt = clock();
        await cluster.kill(options['kill-node']);
        console.log(`load: node ${options['kill-node']} killed at ${round(killAt - trafficStart, 1)} s into the traffic`);
      }
      const due = Math.floor((now - trafficStart) * options.rate);
      while (k < due) {
        if (inFlight >= options['max-in-flight']) { skipped += due - k; k = due; break; }
        const sessionId = sessions[k % sessions.length];
        const trigger = { at: clock(), sessionId, ok: false, status: null };
        triggers[k] = trigger;
        inFlight++;
        call('POST', `/api/admin/session/${sessionId}/messages`, { admin: true, body: { content: `load#${k} ${'x'.repeat(40)}` } })
          .then(() => { trigger.ok = true; }, (error) => { trigger.error = String(error.message).slice(0, 120); })
          .finally(() => { inFlight--; });
        k++;
      }
      await sleep(5);
    }
    const cpuEnd = cpuAt();
    while (inFlight > 0) await sleep(20);
    const memoryTraffic = process.memoryUsage();
    console.log(`load: ${triggers.filter(Boolean).length} messages posted (${triggers.filter((t) => t && !t.ok).length} failed, ${skipped} skipped: ${options['max-in-flight']} in flight)`);

    // Drain: every client holds everything posted to its session, or the time is up.
    const expected = (c) => {
      const out = [];
      triggers.forEach((t, k) => { if (t && t.ok && t.sessionId === c.sessionId) out.push(k); });
      return out;
    };
    const want = clients.map(expected);
    const drainDeadline = performance.now() + options['drain-seconds'] * 1000;
    const complete = () => clients.every((c, i) => want[i].every((k) => c.stored.has(k)));
    while (!complete() && performance.now() < drainDeadline) await sleep(100);

    // ---- figures ----
    const latencies = [];
    const perSecond = new Map(); // second -> latencies
    let lost = 0;
    let duplicated = 0;
    const lostDetail = [];
    clients.forEach((c, i) => {
      for (const k of want[i]) {
        const at = c.stored.get(k);
        if (at === undefined) { lost++; if (lostDetail.length < 20) lostDetail.push({ client: i, message: k }); continue; }
        const ms = (at - triggers[k].at) * 1000;
        latencies.push(ms);
        const second = Math.floor(triggers[k].at - trafficStart);
        if (!perSecond.has(second)) perSecond.set(second, []);
        perSecond.get(second).push(ms);
      }
      duplicated += c.duplicates;
      // The store itself, once more: every id once.
      const ids = c.sync.messages().map((m) => m.messageId);
      duplicated += ids.length - new Set(ids).size;
    });
    const beforeKill = [];
    const afterKill = [];
    if (killAt !== null) {
      clients.forEach((c, i) => {
        for (const k of want[i]) {
          const at = c.stored.get(k);
          if (at === undefined) continue;
          (triggers[k].at < killAt ? beforeKill : afterKill).push((at - triggers[k].at) * 1000);
        }
      });
    }

    // Auth requests a second over the whole run (from the traffic's start), and the reconnects.
    const authAll = clients.flatMap((c) => c.authRequests);
    const bucket = (times, from, to, width = 1) => {
      const out = [];
      for (let t = from; t < to; t += width) out.push(times.filter((x) => x >= t && x < t + width).length / width);
      return out;
    };
    const runEnd = clock();
    const authPerSecond = bucket(authAll, trafficStart, runEnd);
    let recovery = null;
    if (killAt !== null) {
      const affected = [];
      for (const c of clients) {
        const left = c.states.find((s) => s.t >= killAt && s.state !== 'connected');
        if (!left) continue;
        const back = c.states.find((s) => s.t > left.t && s.state === 'connected');
        affected.push({ c, left: left.t - killAt, back: back ? back.t - killAt : null });
      }
      const backTimes = affected.filter((a) => a.back !== null).map((a) => a.back * 1000);
      const authAfter = authAll.filter((t) => t >= killAt);
      // The peak over any 1 s window (sliding, 100 ms steps), not just whole seconds.
      let peak = 0;
      let peakAt = 0;
      for (let t = killAt; t < runEnd; t += 0.1) {
        const n = authAfter.filter((x) => x >= t && x < t + 1).length;
        if (n > peak) { peak = n; peakAt = t - killAt; }
      }
      const reads = affected.map((a) => a.c.messageReads.filter((t) => t >= killAt).length);
      const resumes = affected.map((a) => a.c.sync.counters().resumes ?? 0);
      recovery = {
        killedNode: options['kill-node'],
        killAtSeconds: round(killAt - trafficStart, 2),
        affectedClients: affected.length,
        notBack: affected.filter((a) => a.back === null).length,
        disconnectNoticedMs: stats(affected.map((a) => a.left * 1000)),
        subscribedAgainMs: stats(backTimes),
        allWithin10s: affected.length > 0 && affected.every((a) => a.back !== null && a.back <= 10),
        channelAuthAfterKill: authAfter.length,
        peakChannelAuthPerSecond: peak,
        peakAtSecondsAfterKill: round(peakAt, 1),
        peakLimitQuarterOfAffected: affected.length / 4,
        reconnectHistogram: bucket(backTimes.map((x) => x / 1000), 0, Math.ceil(Math.max(1, ...backTimes.map((x) => x / 1000))), 0.5),
        restReadsAfterKillPerAffected: stats(reads),
        resumesCounter: stats(resumes),
        latencyBeforeKillMs: stats(beforeKill),
        latencyAfterKillMs: stats(afterKill),
      };
    }
    const seconds = cpuEnd.t - cpuStart.t;
    const loadCpu = (cpuEnd.load.user - cpuStart.load.user + cpuEnd.load.system - cpuStart.load.system) / 1e6;
    const partsCpu = Object.fromEntries(Object.keys(pids).map((name) => [name, cpuStart.parts[name] !== null && cpuEnd.parts[name] !== null
      ? round(((cpuEnd.parts[name] - cpuStart.parts[name]) / seconds) * 100, 1) : null]));
    const reconnects = clients.reduce((n, c) => n + Math.max(0, c.states.filter((s) => s.state === 'connected').length - 1), 0);
    const posted = triggers.filter((t) => t && t.ok).length;
    result = {
      benchmark: 'load',
      command: command(),
      startedAt,
      finishedAt: new Date().toISOString(),
      machine: machine(),
      versions: versions(['sockudo']),
      settings: options,
      topology: { nodes: cluster.nodes, servers: cluster.servers, balancer: 'HAProxy (leastconn WebSocket, roundrobin REST)', adapter: 'redis', cache: 'redis' },
      clients: { total: clients.length, ownSession: options.clients, sharedViews: options.share, connectedAtStart: samples[0]?.connected ?? null },
      traffic: { seconds: round(seconds, 1), posted, failed: triggers.filter((t) => t && !t.ok).length, skipped, ratePerSecond: round(posted / seconds, 1) },
      triggerToStoreMs: stats(latencies),
      deliveries: latencies.length,
      lostMessages: lost,
      lostDetail,
      duplicatedMessages: duplicated,
      reconnects,
      channelAuthPerSecond: { peak: Math.max(0, ...authPerSecond), series: authPerSecond },
      recovery,
      cpu: {
        note: 'percent of one core over the traffic window; the load process runs every client and the trigger',
        loadProcessPercent: round((loadCpu / seconds) * 100, 1),
        perClientPercent: round((loadCpu / seconds) * 100 / clients.length, 4),
        cluster: partsCpu,
        loadAverageAtEnd: machine().loadAverageAtStart,
      },
      memory: {
        note: 'the load process: after all clients connected minus before the first one, per client',
        rssPerClientBytes: Math.round((memoryConnected.rss - memoryBefore.rss) / clients.length),
        heapPerClientBytes: Math.round((memoryConnected.heapUsed - memoryBefore.heapUsed) / clients.length),
        wasmAndBuffersPerClientBytes: Math.round((memoryConnected.arrayBuffers - memoryBefore.arrayBuffers) / clients.length),
        rssAfterTrafficBytes: memoryTraffic.rss,
        cluster: Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, rssBytes(pid)])),
      },
      timeline: {
        trafficStart: 0,
        connected: samples.map((s) => [round(s.t - trafficStart, 1), s.connected]),
        p50: [...perSecond].sort((a, b) => a[0] - b[0]).map(([s, v]) => [s + 0.5, round(quantile(v, 0.5), 2)]),
        p99: [...perSecond].sort((a, b) => a[0] - b[0]).map(([s, v]) => [s + 0.5, round(quantile(v, 0.99), 2)]),
        authPerSecond: authPerSecond.map((v, i) => [i + 0.5, v]),
        killAt: killAt === null ? null : round(killAt - trafficStart, 2),
      },
    };
    for (const c of clients) c.sync.destroy();
  } finally {
    await cluster.down();
  }
  const file = writeResult(options.name, result);
  fs.writeFileSync(path.join(RESULTS, `${options.name}.svg`), plot(result));
  console.log(`load: wrote ${file} and ${options.name}.svg`);
  const { triggerToStoreMs: l, recovery: r } = result;
  console.log(`load: ${result.clients.total} clients, ${result.traffic.ratePerSecond} msg/s: trigger-to-store p50 ${l.p50} p90 ${l.p90} p99 ${l.p99} max ${l.max} ms; lost ${result.lostMessages}, duplicated ${result.duplicatedMessages}, reconnects ${result.reconnects}; load process ${result.cpu.loadProcessPercent}% CPU, ${result.memory.rssPerClientBytes} B RSS per client`);
  if (r) console.log(`load: kill: ${r.affectedClients} affected, ${r.notBack} not back; subscribed again p50 ${r.subscribedAgainMs.p50} max ${r.subscribedAgainMs.max} ms; peak channel auth ${r.peakChannelAuthPerSecond}/s (limit ${r.peakLimitQuarterOfAffected})`);
}

function plot(result) {
  const t = result.timeline;
  const markers = t.killAt === null ? [] : [{ t: t.killAt, label: `node ${result.recovery.killedNode} killed` }];
  return timeline({
    title: `${result.clients.total} pushsync clients on ${result.topology.nodes} Sockudo nodes, ${result.traffic.ratePerSecond} msg/s (bench/run load)`,
    xLabel: 'seconds into the traffic',
    markers,
    panels: [
      { yLabel: 'trigger-to-store ms', series: [
        { label: 'p50 (per second)', color: '#1f77b4', points: t.p50 },
        { label: 'p99 (per second)', color: '#d62728', points: t.p99 },
      ] },
      { yLabel: 'clients', series: [{ label: 'connected', color: '#2ca02c', points: t.connected }] },
      { yLabel: 'per second', series: [{ label: 'channel auth requests', color: '#ff7f0e', points: t.authPerSecond }] },
    ],
  });
}

await main();
process.exit(0);
