// POST /api/pusher/auth: private-channel signatures for the owner only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { startTestServer, ALICE, BOB } from './helpers.mjs';

let server;
let alice;
let bob;
let sessionId;
before(async () => {
  server = await startTestServer();
  alice = await server.login(ALICE);
  bob = await server.login(BOB);
  sessionId = await server.createSession(alice);
});
after(async () => { await server.close(); });

const authorize = (form, token = alice) => server.call('POST', '/api/pusher/auth', { token, form });
const expectedAuth = (socketId, channel) =>
  `pushsync-key:${createHmac('sha256', 'pushsync-secret').update(`${socketId}:${channel}`).digest('hex')}`;

test('the owner gets a valid Pusher signature, from a form body as pusher-js sends it', async () => {
  const channel = `private-session-${sessionId}`;
  const response = await authorize({ socket_id: '123.456', channel_name: channel });
  assert.equal(response.status, 200);
  assert.deepEqual(response.body, { auth: expectedAuth('123.456', channel) });
});

test('a JSON body works too', async () => {
  const channel = `private-session-${sessionId}`;
  const response = await server.call('POST', '/api/pusher/auth', { token: alice, body: { socket_id: '1.2', channel_name: channel } });
  assert.equal(response.status, 200);
  assert.equal(response.body.auth, expectedAuth('1.2', channel));
});

test('403 for another user\'s session, an unknown session, or a channel that is not a session channel', async () => {
  const cases = [
    ['bob on alice\'s session', bob, `private-session-${sessionId}`],
    ['unknown session', alice, `private-session-${randomUUID()}`],
    ['public channel', alice, `session-${sessionId}`],
    ['presence channel', alice, `presence-session-${sessionId}`],
    ['other private channel', alice, 'private-admin'],
    ['not a uuid', alice, 'private-session-abc'],
    ['suffix', alice, `private-session-${sessionId}-x`],
  ];
  for (const [what, token, channel] of cases) {
    const response = await authorize({ socket_id: '1.2', channel_name: channel }, token);
    assert.equal(response.status, 403, what);
    assert.equal(response.body.error.code, 'forbidden', what);
    assert.equal(response.body.auth, undefined, what);
  }
});

test('403 for a missing, bad or expired token', async () => {
  const channel_name = `private-session-${sessionId}`;
  for (const [what, headers] of [['none', {}], ['garbage', { authorization: 'Bearer x.y.z' }], ['scheme', { authorization: alice }]]) {
    const response = await server.call('POST', '/api/pusher/auth', { headers, form: { socket_id: '1.2', channel_name } });
    assert.equal(response.status, 403, what);
  }
  const short = await startTestServer({ env: { TOKEN_TTL: '1s' } });
  try {
    const token = await short.login(ALICE);
    const own = await short.createSession(token);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const late = await short.call('POST', '/api/pusher/auth', { token, form: { socket_id: '1.2', channel_name: `private-session-${own}` } });
    assert.equal(late.status, 403);
    assert.match(late.body.error.message, /expired/);
  } finally {
    await short.close();
  }
});

test('400 for a missing or malformed socket_id, or a missing channel_name', async () => {
  const channel_name = `private-session-${sessionId}`;
  for (const form of [{ channel_name }, { socket_id: '', channel_name }, { socket_id: 'abc', channel_name },
    { socket_id: '1.2.3', channel_name }, { socket_id: '12', channel_name }, { socket_id: '1.2' }]) {
    const response = await authorize(form);
    assert.equal(response.status, 400, JSON.stringify(form));
    assert.equal(response.body.error.code, 'bad_request');
  }
});
