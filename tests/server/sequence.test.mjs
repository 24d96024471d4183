// Sequence numbers: per session, strictly increasing from 1 with no gap and no duplicate, however
// writes interleave: concurrent requests in one server, and two server processes on one database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startTestServer, spawnServer, httpClient, tempDir, ALICE, ADMIN_TOKEN } from './helpers.mjs';
import { startFakeSockudo } from './fake-sockudo.mjs';

const range = (n) => Array.from({ length: n }, (_, i) => i + 1);

async function allMessages(client, token, sessionId) {
  const messages = [];
  let after = 0;
  for (;;) {
    const page = await client.call('GET', `/api/session/${sessionId}/messages?limit=200&afterSequence=${after}`, { token });
    messages.push(...page.body.messages);
    if (!page.body.hasMore) return messages;
    after = messages.at(-1).sequenceNumber;
  }
}

test('concurrent interacts and admin batches in one server get gapless, unique sequence numbers', async () => {
  const server = await startTestServer();
  try {
    const token = await server.login(ALICE);
    const sessionId = await server.createSession(token);
    const requests = [];
    for (let i = 0; i < 30; i += 1) {
      requests.push(server.call('POST', '/api/agent/interact', { token, body: { sessionId, content: `q${i}`, clientMessageId: `c${i}` } }));
      if (i % 3 === 0) requests.push(server.adminPost(sessionId, [`a${i}.1`, `a${i}.2`, `a${i}.3`]));
    }
    const answers = await Promise.all(requests);
    const messages = await allMessages(server, token, sessionId);
    assert.equal(messages.length, 30 * 2 + 10 * 3);
    assert.deepEqual(messages.map((m) => m.sequenceNumber), range(messages.length));
    assert.equal(new Set(messages.map((m) => m.messageId)).size, messages.length);
    for (const answer of answers.filter((a) => a.body?.userMessage)) {
      assert.ok(answer.body.userMessage.sequenceNumber < answer.body.assistantMessage.sequenceNumber);
    }
    // An admin batch is one transaction: its three messages are consecutive.
    for (const batch of answers.filter(Array.isArray)) {
      assert.deepEqual(batch.map((m) => m.sequenceNumber - batch[0].sequenceNumber), [0, 1, 2]);
    }
  } finally {
    await server.close();
  }
});

test('two server processes writing to one database file never share or skip a sequence number', async () => {
  const tmp = tempDir();
  const sockudo = await startFakeSockudo();
  const env = { DB_PATH: path.join(tmp.dir, 'shared.sqlite'), SOCKUDO_PORT: String(sockudo.port) };
  const servers = [];
  try {
    // Started together on a new file: both migrate and seed it at once.
    const started = await Promise.allSettled([spawnServer(env), spawnServer(env)]);
    for (const result of started) if (result.status === 'fulfilled') servers.push(result.value);
    for (const result of started) if (result.status === 'rejected') throw result.reason;
    const [one, two] = servers.map((s) => httpClient(s.url));
    const token = await one.login(ALICE);
    const sessionId = await one.createSession(token);
    const post = (client, i) => client.call('POST', `/api/admin/session/${sessionId}/messages`, {
      headers: { 'x-admin-token': ADMIN_TOKEN }, body: { content: `m${i}` },
    });
    const answers = await Promise.all(range(200).map((i) => post(i % 2 ? one : two, i)));
    assert.ok(answers.every((a) => a.status === 201), JSON.stringify(answers.find((a) => a.status !== 201)?.body));
    const messages = await allMessages(two, token, sessionId);
    assert.deepEqual(messages.map((m) => m.sequenceNumber), range(200));
    // Every message pushed; a trigger whose request timed out under load is sent once more
    // (realtime.js), so an event may come twice, which clients keep once.
    const pushed = new Set(sockudo.events.map((e) => e.data.message.messageId));
    assert.deepEqual([...pushed].sort(), messages.map((m) => m.messageId).sort());
  } finally {
    for (const server of servers) await server.stop();
    await sockudo.close();
    tmp.remove();
  }
});
