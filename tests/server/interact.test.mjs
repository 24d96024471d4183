// POST /api/agent/interact: the stored messages, the pushed events and their order, idempotent
// retries, failure turns, bad input, and a Sockudo that is down.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { startTestServer, ALICE, BOB, ISO_MS } from './helpers.mjs';

let server;
let alice;
let bob;
before(async () => {
  server = await startTestServer();
  alice = await server.login(ALICE);
  bob = await server.login(BOB);
});
after(async () => { await server.close(); });
beforeEach(() => server.fake.clear());

const interact = (body, token = alice, target = server) => target.call('POST', '/api/agent/interact', { token, body });
const summary = (events) => events.map((e) => (e.name === 'typing'
  ? `typing:${e.data.isTyping ? e.data.context : 'off'}`
  : e.name === 'new_message' ? `new_message:${e.data.message.role}:${e.data.message.status}` : e.name));

test('a turn stores the user message, runs the scripted assistant and pushes its events in order', async () => {
  const sessionId = await server.createSession(alice);
  const response = await interact({ sessionId, content: 'hello there' });
  assert.equal(response.status, 200);
  const { userMessage, assistantMessage, response: turn } = response.body;

  assert.equal(userMessage.role, 'user');
  assert.equal(userMessage.content, 'hello there');
  assert.equal(userMessage.status, 'sent');
  assert.equal(userMessage.sequenceNumber, 1);
  assert.match(userMessage.timestamp, ISO_MS);
  assert.equal(assistantMessage.role, 'assistant');
  assert.equal(assistantMessage.content, 'Echo: hello there');
  assert.equal(assistantMessage.status, 'success');
  assert.equal(assistantMessage.sequenceNumber, 2);
  assert.ok(assistantMessage.updatedAt > assistantMessage.timestamp, 'the success update moves updatedAt');
  assert.deepEqual(assistantMessage.actionPayload, { taskId: turn.taskId, action: 'echo' });
  assert.equal(assistantMessage.error, undefined);
  assert.equal(turn.action, 'echo');
  assert.equal(turn.status, 'completed');
  assert.equal(typeof turn.thought, 'string');

  const events = server.fake.events;
  assert.deepEqual(summary(events), [
    'new_message:user:sent', 'typing:thinking', 'typing:executing', 'new_message:assistant:pending',
    'typing:verifying', 'message_update', 'typing:off', 'interact_response',
  ]);
  for (const event of events) {
    assert.equal(event.channel, `private-session-${sessionId}`);
    assert.equal(event.data.type, event.name);
    assert.equal(event.data.sessionId, sessionId);
  }
  assert.deepEqual(events[0].data.message, userMessage);
  assert.equal(events[3].data.message.messageId, assistantMessage.messageId);
  assert.deepEqual(events[5].data, {
    type: 'message_update', sessionId, messageId: assistantMessage.messageId, status: 'success', updatedAt: assistantMessage.updatedAt,
  });
  assert.deepEqual(events[6].data, { type: 'typing', sessionId, isTyping: false });
  assert.deepEqual(events[7].data.data, turn);

  const stored = await server.call('GET', `/api/session/${sessionId}/messages`, { token: alice });
  assert.deepEqual(stored.body.messages, [userMessage, assistantMessage]);
});

test('the content "fail" makes the assistant message end in failure with an error', async () => {
  const sessionId = await server.createSession(alice);
  const response = await interact({ sessionId, content: ' FAIL ' });
  assert.equal(response.status, 200);
  const { assistantMessage, response: turn } = response.body;
  assert.equal(assistantMessage.status, 'failure');
  assert.equal(assistantMessage.error.code, 'task_failed');
  assert.equal(typeof assistantMessage.error.message, 'string');
  assert.equal(turn.status, 'failed');
  const update = server.fake.events.find((e) => e.name === 'message_update');
  assert.deepEqual(update.data.error, assistantMessage.error);
  assert.equal(update.data.status, 'failure');
});

test('a retry with the same clientMessageId stores and pushes nothing and answers the stored turn', async () => {
  const sessionId = await server.createSession(alice);
  const body = { sessionId, content: 'once only', clientMessageId: 'client-1' };
  const first = await interact(body);
  assert.equal(first.status, 200);
  assert.equal(first.body.userMessage.clientMessageId, 'client-1');
  server.fake.clear();

  const retry = await interact(body);
  assert.equal(retry.status, 200);
  assert.equal(retry.body.replayed, true);
  assert.deepEqual(retry.body.userMessage, first.body.userMessage);
  assert.deepEqual(retry.body.assistantMessage, first.body.assistantMessage);
  assert.deepEqual(retry.body.response, first.body.response);
  assert.deepEqual(server.fake.events, []);
  const stored = await server.call('GET', `/api/session/${sessionId}/messages`, { token: alice });
  assert.equal(stored.body.messages.length, 2);

  const conflicting = await interact({ ...body, content: 'something else' });
  assert.equal(conflicting.status, 409);
  assert.match(conflicting.body.error.message, /client-1/);

  // The same id in another session is another message.
  const other = await server.createSession(alice);
  const elsewhere = await interact({ ...body, sessionId: other });
  assert.equal(elsewhere.status, 200);
  assert.notEqual(elsewhere.body.replayed, true);
});

test('concurrent retries of one clientMessageId store one message and run one turn', async () => {
  const sessionId = await server.createSession(alice);
  const body = { sessionId, content: 'racing', clientMessageId: 'race-1' };
  const answers = await Promise.all(Array.from({ length: 8 }, () => interact(body)));
  assert.ok(answers.every((a) => a.status === 200));
  assert.equal(new Set(answers.map((a) => a.body.userMessage.messageId)).size, 1);
  assert.equal(answers.filter((a) => !a.body.replayed).length, 1);
  const stored = await server.call('GET', `/api/session/${sessionId}/messages`, { token: alice });
  assert.deepEqual(stored.body.messages.map((m) => m.role), ['user', 'assistant']);
  assert.equal(server.fake.events.filter((e) => e.name === 'interact_response').length, 1);
});

test('bad input is a 400 naming the field, and nothing is stored', async () => {
  const sessionId = await server.createSession(alice);
  const cases = [
    [{ content: 'x' }, /'sessionId' is required/],
    [{ sessionId: 'abc', content: 'x' }, /'sessionId' must be a UUID/],
    [{ sessionId }, /'content' is required/],
    [{ sessionId, content: '   ' }, /'content' must not be empty/],
    [{ sessionId, content: 7 }, /'content'/],
    [{ sessionId, content: 'x'.repeat(16_385) }, /'content' is longer than 16384/],
    [{ sessionId, content: 'x', clientMessageId: 12 }, /'clientMessageId'/],
    [{ sessionId, content: 'x', clientMessageId: 'c'.repeat(129) }, /'clientMessageId'/],
    ['"just a string"', /JSON object/],
  ];
  for (const [body, message] of cases) {
    const response = await interact(body);
    assert.equal(response.status, 400, JSON.stringify(body).slice(0, 80));
    assert.match(response.body.error.message, message);
  }
  const stored = await server.call('GET', `/api/session/${sessionId}/messages`, { token: alice });
  assert.deepEqual(stored.body.messages, []);
  assert.deepEqual(server.fake.events, []);
});

test('401 without a token; the same 404 for an unknown session and another user\'s (which ids exist stays unknown)', async () => {
  const sessionId = await server.createSession(alice);
  const unknownId = randomUUID();
  assert.equal((await interact({ sessionId, content: 'x' }, null)).status, 401);
  const unknown = await interact({ sessionId: unknownId, content: 'x' });
  const foreign = await interact({ sessionId, content: 'x' }, bob);
  assert.equal(unknown.status, 404);
  assert.equal(foreign.status, 404);
  assert.deepEqual(JSON.parse(JSON.stringify(foreign.body).replaceAll(sessionId, '<id>')),
    JSON.parse(JSON.stringify(unknown.body).replaceAll(unknownId, '<id>')));
  assert.equal(foreign.body.error.code, 'not_found');
  assert.deepEqual(server.fake.events, []);
});

test('with Sockudo failing, the turn is stored and answered anyway; failures are logged once', async () => {
  const sessionId = await server.createSession(alice);
  server.errors.length = 0;
  server.fake.down();
  try {
    const response = await interact({ sessionId, content: 'while down' });
    assert.equal(response.status, 200);
    assert.equal(response.body.assistantMessage.status, 'success');
  } finally {
    server.fake.up();
  }
  const stored = await server.call('GET', `/api/session/${sessionId}/messages`, { token: alice });
  assert.equal(stored.body.messages.length, 2);
  assert.equal(server.errors.length, 1);
  assert.match(server.errors[0], /push failed \(new_message on private-session-.*HTTP 503/);

  await interact({ sessionId, content: 'back' });
  assert.match(server.errors.at(-1), /push recovered after 8 failed trigger\(s\)/);
});

test('with nothing listening on the Sockudo port, requests still succeed', async () => {
  const closedPort = await new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
  const lonely = await startTestServer({ fake: false, env: { SOCKUDO_PORT: String(closedPort) } });
  try {
    const token = await lonely.login(ALICE);
    const sessionId = await lonely.createSession(token);
    const response = await interact({ sessionId, content: 'anyone?' }, token, lonely);
    assert.equal(response.status, 200);
    const admin = await lonely.adminPost(sessionId, ['a', 'b']);
    assert.deepEqual(admin.map((m) => m.sequenceNumber), [3, 4]);
    assert.match(lonely.errors[0], /ECONNREFUSED/);
  } finally {
    await lonely.close();
  }
});

test('ASSISTANT_STEP_MS spaces the steps of the turn', async () => {
  const slow = await startTestServer({ env: { ASSISTANT_STEP_MS: '60' } });
  try {
    const token = await slow.login(ALICE);
    const sessionId = await slow.createSession(token);
    const started = Date.now();
    const response = await interact({ sessionId, content: 'take your time' }, token, slow);
    assert.equal(response.status, 200);
    assert.ok(Date.now() - started >= 4 * 60, 'four pauses between the five steps');
  } finally {
    await slow.close();
  }
});
