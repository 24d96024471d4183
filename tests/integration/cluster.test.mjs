// The engine on a Sockudo cluster (toolchain/cluster: Redis, two Sockudo nodes with the Redis
// adapter, two app servers on one database, HAProxy in front; every port a free one): an event
// published through one node reaches a client on the other, and clients behind the balancer
// survive the SIGKILL of a node with nothing lost or duplicated. The load and its figures are
// bench/run load's (docs/scaling.md); nothing here is timed.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import Pusher from 'pusher';
import { startCluster } from '../../bench/lib/cluster.mjs';
import { httpClient, ALICE } from '../server/helpers.mjs';
import {
  APP, adminPostOne, assertConverges, assertInsertedOnce, closeAll, client, failureFlag, streamMessages, waitFor,
} from './support.mjs';

const failures = failureFlag();
let cluster;
let stack; // what support.mjs's clients and checks need of a stack, pointed at the balancer

before(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pushsync-cluster-'));
  // toolchain/test-integration installed everything (the cluster's packages too).
  cluster = await startCluster(dir, { STACK_NO_INSTALL: '1', CLUSTER_NODES: '2', QUIET: '1', CHANNEL_AUTH_RATE_LIMIT: '100000' });
  const api = httpClient(cluster.apiBase);
  stack = { url: cluster.apiBase, sockudoPort: cluster.wsPort, api, alice: await api.login(ALICE), health: { profile: 'full' } };
});

after(async () => {
  await closeAll();
  if (failures.failed && cluster) console.log(await cluster.status());
  await cluster?.down();
  if (cluster) fs.rmSync(cluster.dir, { recursive: true, force: true });
});

/** Sockudo's HTTP API of one node (not the balancer): a trigger published through that node only. */
const nodeApi = (i) => new Pusher({ appId: APP.id, key: APP.key, secret: APP.secret, host: '127.0.0.1', port: cluster.nodePort(i), useTLS: false, timeout: 5000 });

test('an event published through one node reaches a client connected to the other', failures.wrap(async () => {
  const sessionId = await stack.api.createSession(stack.alice);
  // Each client straight on one node's port, so the event has to cross Redis to reach the other.
  const onNode = (i) => client(stack, { wsPort: cluster.nodePort(i), protocol: 7 });
  const one = onNode(1);
  const two = onNode(2);
  for (const c of [one, two]) c.sync.selectSession(sessionId);
  await waitFor(() => one.settled() && two.settled(), { what: 'both clients connected', detail: () => `${one.describe()}\n${two.describe()}` });
  const now = new Date().toISOString();
  for (const [n, node] of [[1, 1], [2, 2]]) {
    const message = { messageId: randomUUID(), role: 'assistant', content: `through node ${node}`, status: 'success', timestamp: now, sequenceNumber: n, updatedAt: now };
    const response = await nodeApi(node).trigger(`private-session-${sessionId}`, 'new_message', { type: 'new_message', sessionId, message });
    assert.equal(response.status, 200, `trigger through node ${node}`);
  }
  for (const c of [one, two]) {
    await waitFor(() => c.sync.messages().length === 2, { timeout: 15_000, what: 'both events in the store', detail: c.describe });
    assert.deepEqual(c.sync.messages().map((m) => m.content), ['through node 1', 'through node 2']);
  }
}));

test('clients behind the balancer survive the SIGKILL of a node, nothing lost or duplicated', failures.wrap(async () => {
  const sessionId = await stack.api.createSession(stack.alice);
  await adminPostOne(stack, sessionId, 'before');
  // Six clients through the balancer (least connections: both nodes get some), V2 and protocol 7.
  const clients = [];
  for (let i = 0; i < 6; i++) {
    const c = client(stack, { protocol: i % 2 === 0 ? 2 : 7, jitterSeed: 100 + i });
    c.sync.selectSession(sessionId);
    clients.push(c);
    await waitFor(c.settled, { what: `client ${i} connected`, detail: c.describe });
  }
  const stream = streamMessages(stack, sessionId, { everyMs: 100, prefix: 'during' });
  await waitFor(() => stream.posted.length >= 5, { what: 'the stream started' });
  // The node that holds the most of them now: the balancer spread them, but a client that
  // reconnected since may have moved, so the kill is aimed by the balancer's own count.
  const sockets = await cluster.nodeSockets();
  const [victim, held] = Object.entries(sockets).sort((a, b) => b[1] - a[1])[0];
  assert.ok(held >= 1, `a node holds some of the clients (${JSON.stringify(sockets)})`);
  // Taken before the kill: its clients see their sockets close while the kill command returns.
  const killedAt = performance.now();
  await cluster.kill(Number(victim));
  const lostSocket = (c) => c.log.state.some((s) => s.t > killedAt && s.state !== 'connected');
  // Each client of that node must notice, and come back.
  // On a failure: what the balancer counted, and each client's states and errors, in ms from the kill.
  const since = (c) => [...c.log.state.map((s) => `${Math.round(s.t - killedAt)}ms ${s.state}${s.reason ? `(${s.reason})` : ''}`), ...c.log.error.map((e) => `${Math.round(e.t - killedAt)}ms error ${e.code}: ${e.message}`)].join(', ');
  await waitFor(() => clients.some(lostSocket), { timeout: 15_000, what: `a client of node ${victim} to notice`, detail: () => `balancer ${JSON.stringify(sockets)}\n${clients.map(since).join('\n')}` });
  await waitFor(() => stream.posted.length >= 40, { timeout: 30_000, what: 'the stream to go on after the kill' });
  await stream.stop();
  const affected = clients.filter(lostSocket);
  for (const c of clients) {
    await waitFor(() => c.sync.state().state === 'connected', { timeout: 30_000, what: 'connected again through the balancer', detail: c.describe });
    await assertConverges(stack, c, sessionId, { timeout: 30_000 });
    assertInsertedOnce(c);
  }
  assert.ok(affected.length >= 1, `the kill cut at least one client (${affected.length} of ${clients.length})`);
}));
