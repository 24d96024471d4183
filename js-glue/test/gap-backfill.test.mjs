// A lost push found at the next one: a pushed message whose sequence number skips one starts a REST
// backfill for the gap after the engine's gap grace (gapGraceMs, 500 ms: pushes of concurrent
// writers may cross), driven by the glue's real timer. The acceptance: the request for the gap is
// made within 1,000 ms of the push. Measured here on the local stub servers (no Sockudo, no
// database): the delay is the engine's timer and the glue's, nothing else.
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, test } from 'node:test';
import { createSync } from '../dist/index.js';
import { startAppServer } from './support/app-server.mjs';
import { startPusherServer } from './support/pusher-server.mjs';
import { waitFor } from './support/wait.mjs';
import { stubSyncOptions } from './support/stub-sync.mjs';

assert.equal(typeof WebSocket, 'function', 'run with --experimental-websocket on Node 20 (scripts/test.mjs does)');

const GAP_GRACE_MS = 500; // config.h gap_grace, the engine's default (not set below)
const BOUND_MS = 1000;

let pusher;
let app;
let sync;

beforeEach(async () => {
  pusher = await startPusherServer();
  app = await startAppServer({ pusher });
});

afterEach(async () => {
  sync?.destroy();
  sync = undefined;
  await pusher.close();
  await app.close();
});

/** A Sync whose every fetch and received frame is stamped with performance.now(). */
function stampedSync() {
  const requests = [];
  const frames = [];
  sync = createSync(stubSyncOptions(app, pusher, {
    fetch: (url, init) => {
      requests.push({ t: performance.now(), url });
      return fetch(url, init);
    },
    onFrame: (text) => frames.push({ t: performance.now(), frame: JSON.parse(text) }),
  }));
  return { sync, requests, frames };
}

const messageRequests = (requests) => requests.filter((r) => /\/messages\?/.test(r.url));

for (const round of [1, 2, 3]) {
  test(`a pushed message that skips a sequence number starts the backfill within ${BOUND_MS} ms (round ${round})`, async (t) => {
    for (let s = 1; s <= 3; s++) app.addMessage('s1', s, { push: false });
    const { requests, frames } = stampedSync();
    sync.selectSession('s1');
    await waitFor(() => sync.state().state === 'connected' && sync.messages().length === 3, { what: 'connected with the backlog' });
    // Nothing else in flight: the first read (and its catch-up) are done.
    const settledReads = messageRequests(requests).length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(messageRequests(requests).length, settledReads, 'no read while idle');

    // #4 is stored but its push is lost; #5 is pushed: the engine sees 3 -> 5.
    app.addMessage('s1', 4, { push: false });
    const pushedAt = performance.now();
    app.addMessage('s1', 5);
    await waitFor(() => sync.messages().length === 5, { what: 'the gap filled', timeout: 5_000 });

    const frame = frames.find((f) => f.frame.event === 'new_message' && JSON.parse(f.frame.data).message.sequenceNumber === 5);
    assert.ok(frame, 'the push of #5 reached the socket');
    const backfill = messageRequests(requests).slice(settledReads).find((r) => r.t >= frame.t);
    assert.ok(backfill, `a messages request after the push: ${JSON.stringify(requests.map((r) => r.url))}`);
    assert.match(backfill.url, /afterSequence=3\b/, 'the backfill asks from the contiguous cursor');
    const delay = backfill.t - frame.t;
    t.diagnostic(`gap backfill: request ${delay.toFixed(0)} ms after the push reached the socket ` +
      `(${(backfill.t - pushedAt).toFixed(0)} ms after the broadcast; gap grace ${GAP_GRACE_MS} ms): ${backfill.url.replace(app.url, '')}`);
    // A timer never fires early: before the grace, the gap could still close by itself.
    assert.ok(delay >= GAP_GRACE_MS - 50, `the backfill came after ${delay.toFixed(0)} ms, before the ${GAP_GRACE_MS} ms grace`);
    assert.ok(delay < BOUND_MS, `the backfill came ${delay.toFixed(0)} ms after the push, not within ${BOUND_MS} ms`);
    assert.deepEqual(sync.messages().map((m) => m.sequenceNumber), [1, 2, 3, 4, 5]);
    assert.equal(messageRequests(requests).length, settledReads + 1, 'one request for the gap');
  });
}

test('a gap that closes within the grace (pushes crossing) asks for nothing', async () => {
  for (let s = 1; s <= 3; s++) app.addMessage('s1', s, { push: false });
  const { requests } = stampedSync();
  sync.selectSession('s1');
  await waitFor(() => sync.state().state === 'connected' && sync.messages().length === 3, { what: 'connected with the backlog' });
  await new Promise((resolve) => setTimeout(resolve, 100));
  const reads = messageRequests(requests).length;
  // #5 before #4, 100 ms apart: the gap closes long before its grace ends.
  const four = { ...app.addMessage('s1', 4, { push: false }) };
  app.addMessage('s1', 5);
  await new Promise((resolve) => setTimeout(resolve, 100));
  pusher.broadcast('private-session-s1', 'new_message', { type: 'new_message', sessionId: 's1', message: four });
  await waitFor(() => sync.messages().length === 5, { what: 'both messages' });
  await new Promise((resolve) => setTimeout(resolve, GAP_GRACE_MS + 300));
  assert.equal(messageRequests(requests).length, reads, `no backfill: ${JSON.stringify(requests.slice(reads).map((r) => r.url))}`);
  assert.deepEqual(sync.messages().map((m) => m.sequenceNumber), [1, 2, 3, 4, 5]);
});
