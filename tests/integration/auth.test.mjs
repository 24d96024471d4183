// Channel authorization end to end: the app server refuses what is not the caller's, the engine
// falls back to polling with the reason users see, and no data of another user's session reaches
// the client, neither by push nor by REST. One stack for the whole file.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, client, closeAll, waitFor, assertConverges, appFrames, channelOf, failureFlag } from './support.mjs';

let stack;
const failures = failureFlag();
// Fast retries: the background attempts at push after "Auth failed" come within the test's time.
const engineConfig = { backoffBaseMs: 200, backoffCapMs: 1000 };

before(async () => {
  stack = await startStack();
});

afterEach(() => closeAll());

after(async () => {
  closeAll();
  await stack?.down({ failed: failures.failed });
});

test('Bob\'s token cannot subscribe to Alice\'s session: polling "Auth failed", no data', failures.wrap(async () => {
  const sessionId = await stack.api.createSession(stack.alice, 'alice only');
  await stack.api.adminPost(sessionId, ['secret 1', 'secret 2']);
  const channel = channelOf(sessionId);

  const c = client(stack, { token: stack.bob, engineConfig });
  c.sync.selectSession(sessionId);
  await waitFor(() => c.sync.state().state === 'polling', { what: 'polling', detail: c.describe });
  assert.deepEqual(c.sync.state(), { state: 'polling', code: 'auth_failed', reason: 'Auth failed' });

  // Alice's session goes on while Bob's client keeps trying: background attempts at push (each
  // refused with 403) and polls (each a 404: another user's session is answered like a missing one).
  await stack.api.adminPost(sessionId, ['secret 3']);
  const auths = () => c.requests.filter((r) => r.url.endsWith('/api/pusher/auth'));
  await waitFor(() => auths().filter((r) => r.done).length >= 3 && c.messageRequests().filter((r) => r.done).length >= 2,
    { what: 'three refused auth requests and two refused polls', detail: c.describe });
  await stack.api.adminPost(sessionId, ['secret 4']);

  for (const r of auths()) if (r.done) assert.equal(r.status, 403, `auth ${r.url}`);
  for (const r of c.messageRequests()) if (r.done) assert.equal(r.status, 404, `poll ${r.url}`);
  assert.deepEqual(c.sync.messages(), []);
  assert.deepEqual(appFrames(c, channel), [], 'no event of the channel reached the socket');
  assert.ok(!c.frames.some((f) => /subscription_succeeded/.test(f.frame.event)), 'never subscribed');
  // Every state after the first fallback is the same: no flapping through connecting/connected.
  const first = c.log.state.findIndex((s) => s.state === 'polling');
  assert.deepEqual([...new Set(c.log.state.slice(first).map((s) => `${s.state}/${s.reason}`))], ['polling/Auth failed']);
  assert.ok(c.log.error.some((e) => /channel auth refused \(403\)/.test(e.message)), JSON.stringify(c.log.error));
  assert.equal(await stack.subscriptions(channel), 0);

  // The owner's token, given later, is enough to recover at once.
  c.sync.setToken(stack.alice);
  await waitFor(() => c.settled(), { what: 'connected with Alice\'s token', detail: c.describe });
  await assertConverges(stack, c, sessionId);
  assert.equal(c.sync.messages().length, 4);
}));

test('a missing token gives polling "No token", with no request and no socket; a token starts push', failures.wrap(async () => {
  const sessionId = await stack.api.createSession(stack.alice);
  await stack.api.adminPost(sessionId, ['waiting for a token']);
  const c = client(stack, { token: null, engineConfig });
  c.sync.selectSession(sessionId);
  await waitFor(() => c.sync.state().state === 'polling', { what: 'polling', detail: c.describe });
  assert.deepEqual(c.sync.state(), { state: 'polling', code: 'no_token', reason: 'No token' });
  // A negative check needs a window: half a second in which it could have asked (not a timing
  // assertion: a slow machine only makes the window less strict).
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.deepEqual(c.requests, [], 'no HTTP request without a token');
  assert.equal(c.sync.counters().socketsOpened, 0, 'no socket without a token');
  assert.deepEqual(c.sync.messages(), []);

  c.sync.setToken(stack.alice);
  await waitFor(() => c.settled(), { what: 'connected once the token is there', detail: c.describe });
  await assertConverges(stack, c, sessionId);
  assert.deepEqual(c.states(), ['disconnected(No session)', 'polling(No token)', 'connecting', 'connected']);

  // And a logout falls back again, closing the socket.
  c.sync.setToken(null);
  await waitFor(() => c.sync.state().state === 'polling', { what: 'polling after logout', detail: c.describe });
  assert.deepEqual(c.sync.state(), { state: 'polling', code: 'no_token', reason: 'No token' });
  await stack.waitSubscriptions({ [channelOf(sessionId)]: 0 });
}));

test('an expired or forged token is refused like another user\'s', failures.wrap(async () => {
  const sessionId = await stack.api.createSession(stack.alice);
  await stack.api.adminPost(sessionId, ['not for forgers']);
  const [header, payload] = stack.alice.split('.');
  const forged = `${header}.${payload}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`;
  const c = client(stack, { token: forged, engineConfig });
  c.sync.selectSession(sessionId);
  await waitFor(() => c.sync.state().reason === 'Auth failed', { what: 'polling "Auth failed"', detail: c.describe });
  await waitFor(() => c.messageRequests().some((r) => r.done), { what: 'a poll', detail: c.describe });
  for (const r of c.requests) if (r.done) assert.ok(r.status === 401 || r.status === 403, `${r.url}: ${r.status}`);
  assert.deepEqual(c.sync.messages(), []);
}));
