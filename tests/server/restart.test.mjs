// A server killed in the middle of an assistant turn: on the next start the turn is marked failed,
// so clients do not wait forever for an update that will never come. Data survives the crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawnServer, httpClient, tempDir, ALICE } from './helpers.mjs';
import { startFakeSockudo } from './fake-sockudo.mjs';

test('a turn cut short by SIGKILL is failed with "interrupted" at the next start', async () => {
  const tmp = tempDir();
  const sockudo = await startFakeSockudo();
  const env = { DB_PATH: path.join(tmp.dir, 'crash.sqlite'), SOCKUDO_PORT: String(sockudo.port) };
  let server;
  try {
    server = await spawnServer({ ...env, ASSISTANT_STEP_MS: '400' });
    let client = httpClient(server.url);
    const token = await client.login(ALICE);
    const sessionId = await client.createSession(token);
    const pending = client.call('POST', '/api/agent/interact', { token, body: { sessionId, content: 'slow' } }).catch((error) => error);
    // Wait until the assistant message is stored as pending, then crash.
    const deadline = Date.now() + 5000;
    while (!sockudo.events.some((e) => e.name === 'new_message' && e.data.message.role === 'assistant')) {
      assert.ok(Date.now() < deadline, 'the assistant message never came');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    server.child.kill('SIGKILL');
    await server.stop();
    assert.ok((await pending) instanceof Error, 'the interrupted request fails');

    server = await spawnServer(env);
    client = httpClient(server.url);
    const messages = (await client.call('GET', `/api/session/${sessionId}/messages`, { token })).body.messages;
    assert.deepEqual(messages.map((m) => [m.role, m.status]), [['user', 'sent'], ['assistant', 'failure']]);
    assert.equal(messages[1].error.code, 'interrupted');
    assert.match(server.output(), /1 assistant turn\(s\) were cut short/);
  } finally {
    await server?.stop();
    await sockudo.close();
    tmp.remove();
  }
});
