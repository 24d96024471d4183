// The admin routes: messages without an assistant turn (single and batch), updates, session status.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startTestServer, ALICE, ADMIN_TOKEN } from './helpers.mjs';

let server;
let alice;
let sessionId;
before(async () => {
  server = await startTestServer();
  alice = await server.login(ALICE);
  sessionId = await server.createSession(alice);
});
after(async () => { await server.close(); });
beforeEach(() => server.fake.clear());

const admin = (path, body, token = ADMIN_TOKEN) =>
  server.call('POST', path, { headers: token ? { 'x-admin-token': token } : {}, body });
const count = async (id = sessionId) =>
  (await server.call('GET', `/api/session/${id}/messages?limit=200`, { token: alice })).body.messages.length;

test('one message: stored with defaults, pushed as new_message', async () => {
  const response = await admin(`/api/admin/session/${sessionId}/messages`, { content: 'from the admin' });
  assert.equal(response.status, 201);
  const [message] = response.body.messages;
  assert.equal(message.role, 'assistant');
  assert.equal(message.status, 'sent');
  assert.equal(message.content, 'from the admin');
  assert.deepEqual(server.fake.events, [{
    channel: `private-session-${sessionId}`, name: 'new_message', data: { type: 'new_message', sessionId, message },
  }]);
  assert.deepEqual(server.fake.requests, [{ kind: 'events', count: 1 }]);
});

test('role, status, actionPayload and error are stored as given', async () => {
  const body = { role: 'system', content: 'note', status: 'failure', actionPayload: { kind: 'click', x: 1 }, error: { code: 'E1', message: 'broke' } };
  const response = await admin(`/api/admin/session/${sessionId}/messages`, body);
  assert.equal(response.status, 201);
  const [message] = response.body.messages;
  assert.equal(message.role, 'system');
  assert.equal(message.status, 'failure');
  assert.deepEqual(message.actionPayload, body.actionPayload);
  assert.deepEqual(message.error, body.error);
});

test('a batch is stored in order and pushed with triggerBatch, ten events per request', async () => {
  const before = await count();
  const messages = Array.from({ length: 25 }, (_, i) => ({ content: `batch ${i}`, role: i % 2 ? 'user' : 'assistant' }));
  const response = await admin(`/api/admin/session/${sessionId}/messages`, { messages });
  assert.equal(response.status, 201);
  const stored = response.body.messages;
  assert.deepEqual(stored.map((m) => m.content), messages.map((m) => m.content));
  const sequences = stored.map((m) => m.sequenceNumber);
  assert.deepEqual(sequences, Array.from({ length: 25 }, (_, i) => sequences[0] + i));
  assert.deepEqual(server.fake.requests, [{ kind: 'batch', count: 10 }, { kind: 'batch', count: 10 }, { kind: 'batch', count: 5 }]);
  assert.deepEqual(server.fake.events.map((e) => e.data.message.sequenceNumber), sequences);
  assert.equal(await count(), before + 25);
});

test('a batch with one bad message is refused whole: nothing stored, nothing pushed', async () => {
  const before = await count();
  const messages = [{ content: 'good' }, { content: 'good too' }, { content: 'bad', role: 'robot' }];
  const response = await admin(`/api/admin/session/${sessionId}/messages`, { messages });
  assert.equal(response.status, 400);
  assert.match(response.body.error.message, /'messages\[2\]\.role' must be one of user, assistant, system/);
  assert.equal(await count(), before);
  assert.deepEqual(server.fake.events, []);
});

test('batch size limits: 1 to 1000', async () => {
  const empty = await admin(`/api/admin/session/${sessionId}/messages`, { messages: [] });
  assert.equal(empty.status, 400);
  const tooMany = await admin(`/api/admin/session/${sessionId}/messages`, { messages: Array.from({ length: 1001 }, () => ({ content: 'x' })) });
  assert.equal(tooMany.status, 400);
  assert.match(tooMany.body.error.message, /1 to 1000/);
});

test('1000 messages in one batch', async () => {
  const other = await server.createSession(alice);
  const response = await admin(`/api/admin/session/${other}/messages`, { messages: Array.from({ length: 1000 }, (_, i) => ({ content: `load ${i}` })) });
  assert.equal(response.status, 201);
  assert.equal(response.body.messages.at(-1).sequenceNumber, 1000);
  assert.equal(server.fake.requests.length, 100);
  assert.equal(server.fake.events.length, 1000);
});

test('update changes status and error, moves updatedAt and pushes message_update', async () => {
  const [message] = (await admin(`/api/admin/session/${sessionId}/messages`, { content: 'to update', status: 'pending' })).body.messages;
  server.fake.clear();
  const error = { code: 'timeout', message: 'took too long' };
  const response = await admin(`/api/admin/session/${sessionId}/update`, { messageId: message.messageId, status: 'failure', error });
  assert.equal(response.status, 200);
  const updated = response.body.message;
  assert.equal(updated.status, 'failure');
  assert.deepEqual(updated.error, error);
  assert.equal(updated.sequenceNumber, message.sequenceNumber);
  assert.ok(updated.updatedAt > message.updatedAt);
  assert.deepEqual(server.fake.events.map((e) => e.data), [{
    type: 'message_update', sessionId, messageId: message.messageId, status: 'failure', updatedAt: updated.updatedAt, error,
  }]);

  const cleared = await admin(`/api/admin/session/${sessionId}/update`, { messageId: message.messageId, status: 'success' });
  assert.equal(cleared.body.message.error, undefined, 'an update without error clears it');
});

test('update: 404 for a message that is not in the session, 400 for a bad status', async () => {
  const missing = await admin(`/api/admin/session/${sessionId}/update`, { messageId: randomUUID(), status: 'success' });
  assert.equal(missing.status, 404);
  const bad = await admin(`/api/admin/session/${sessionId}/update`, { messageId: randomUUID(), status: 'great' });
  assert.equal(bad.status, 400);
  assert.match(bad.body.error.message, /'status' must be one of/);
});

test('session status changes are pushed as session_update', async () => {
  const response = await admin(`/api/admin/session/${sessionId}/status`, { status: 'completed' });
  assert.equal(response.status, 200);
  assert.equal(response.body.session.status, 'completed');
  assert.deepEqual(server.fake.events.map((e) => e.data), [
    { type: 'session_update', sessionId, status: 'completed', updatedAt: response.body.session.updatedAt },
  ]);
  const listed = (await server.call('GET', '/api/sessions', { token: alice })).body.sessions.find((s) => s.sessionId === sessionId);
  assert.equal(listed.status, 'completed');
  assert.equal((await admin(`/api/admin/session/${sessionId}/status`, { status: 'sleeping' })).status, 400);
});

test('the admin token is required: 401 without, 403 when wrong; unknown sessions are 404', async () => {
  const path = `/api/admin/session/${sessionId}/messages`;
  assert.equal((await admin(path, { content: 'x' }, null)).status, 401);
  assert.equal((await admin(path, { content: 'x' }, 'guess')).status, 403);
  assert.equal((await server.call('POST', path, { token: alice, body: { content: 'x' } })).status, 401, 'a user token is not an admin token');
  assert.equal((await admin(`/api/admin/session/${randomUUID()}/messages`, { content: 'x' })).status, 404);
  assert.equal((await admin('/api/admin/session/nope/messages', { content: 'x' })).status, 400);
  assert.deepEqual(server.fake.events, []);
});
