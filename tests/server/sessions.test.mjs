// GET/POST /api/sessions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, ALICE, BOB, ISO_MS, UUID } from './helpers.mjs';

let server;
let alice;
let bob;
before(async () => {
  server = await startTestServer();
  alice = await server.login(ALICE);
  bob = await server.login(BOB);
});
after(async () => { await server.close(); });

test('POST /api/sessions creates a session with a UUID, a title and a creation time', async () => {
  const response = await server.call('POST', '/api/sessions', { token: alice, body: { title: 'Trip planning' } });
  assert.equal(response.status, 201);
  assert.match(response.body.sessionId, UUID);
  assert.equal(response.body.title, 'Trip planning');
  assert.match(response.body.createdAt, ISO_MS);
});

test('the title is optional, also with no body at all', async () => {
  const empty = await server.call('POST', '/api/sessions', { token: alice, body: {} });
  assert.equal(empty.status, 201);
  assert.equal(empty.body.title, 'New chat');
  const none = await server.call('POST', '/api/sessions', { token: alice });
  assert.equal(none.status, 201);
  assert.equal(none.body.title, 'New chat');
});

test('a bad title is a 400', async () => {
  for (const title of [42, 'x'.repeat(201)]) {
    const response = await server.call('POST', '/api/sessions', { token: alice, body: { title } });
    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /'title'/);
  }
});

test('GET /api/sessions lists only the caller\'s sessions, newest first', async () => {
  const first = await server.createSession(bob, 'bob 1');
  const second = await server.createSession(bob, 'bob 2');
  const response = await server.call('GET', '/api/sessions', { token: bob });
  assert.equal(response.status, 200);
  assert.deepEqual(response.body.sessions.map((s) => s.sessionId), [second, first]);
  const [newest] = response.body.sessions;
  assert.deepEqual(Object.keys(newest).sort(), ['createdAt', 'sessionId', 'status', 'title', 'updatedAt']);
  assert.equal(newest.status, 'active');

  const aliceList = await server.call('GET', '/api/sessions', { token: alice });
  assert.ok(aliceList.body.sessions.every((s) => s.sessionId !== first && s.sessionId !== second));
});

test('sessions need a token', async () => {
  assert.equal((await server.call('GET', '/api/sessions')).status, 401);
  assert.equal((await server.call('POST', '/api/sessions', { body: {} })).status, 401);
});
