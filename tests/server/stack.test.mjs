// toolchain/stack: up is idempotent and brings back only what is down, status tells the truth,
// down leaves nothing running, and start-up failures are explained; the server profile is passed
// through and reported. Runs the real Sockudo.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { isolatedStack, pusherClient } from './stack.mjs';
import { httpClient, roadmapEnv, ALICE } from './helpers.mjs';

const stacks = [];
after(async () => {
  for (const stack of stacks) await stack.down();
});

async function newStack(env) {
  const stack = await isolatedStack(env);
  stacks.push(stack);
  return stack;
}

const pid = (stack, part) => Number(fs.readFileSync(path.join(stack.runDir, `${part}.pid`), 'utf8'));
const alive = (processId) => {
  try { process.kill(processId, 0); return true; } catch { return false; }
};
// The TCP ports a process listens on, from `ss`.
const listening = (processId) => execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' }).split('\n')
  .filter((line) => line.includes(`pid=${processId},`))
  .map((line) => Number(line.trim().split(/\s+/)[3].split(':').at(-1)));

test('up, up again, crash of one part, status and down', async () => {
  const stack = await newStack();
  const before = await stack.command('status');
  assert.equal(before.code, 1);
  assert.match(before.stdout, /sockudo: stopped\nserver: stopped/);

  const up = await stack.command('up');
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stdout, /sockudo started/);
  assert.match(up.stdout, /server started/);
  assert.match(up.stdout, new RegExp(`ws://127.0.0.1:${stack.sockudoPort}/app/pushsync-key`));
  const sockudoPid = pid(stack, 'sockudo');
  const serverPid = pid(stack, 'server');

  // Sockudo listens where the config says, and nowhere else (metrics are off).
  assert.deepEqual(listening(sockudoPid), [stack.sockudoPort]);
  assert.match(fs.readFileSync(path.join(stack.runDir, 'sockudo.toml'), 'utf8'), new RegExp(`^port = ${stack.sockudoPort}$`, 'm'));

  const status = await stack.command('status');
  assert.equal(status.code, 0);
  assert.match(status.stdout, /sockudo: running, healthy/);
  assert.match(status.stdout, /server: running, healthy/);

  const again = await stack.command('up');
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /sockudo already running/);
  assert.match(again.stdout, /server already running/);
  assert.equal(pid(stack, 'sockudo'), sockudoPid);
  assert.equal(pid(stack, 'server'), serverPid);

  process.kill(serverPid, 'SIGKILL');
  while (alive(serverPid)) await new Promise((resolve) => setTimeout(resolve, 20));
  const crashed = await stack.command('status');
  assert.equal(crashed.code, 1);
  assert.match(crashed.stdout, /server: stopped/);
  const revived = await stack.command('up');
  assert.equal(revived.code, 0, revived.stderr);
  assert.match(revived.stdout, /sockudo already running/);
  assert.match(revived.stdout, /server started/);
  assert.equal(pid(stack, 'sockudo'), sockudoPid);
  const newServerPid = pid(stack, 'server');

  const down = await stack.command('down');
  assert.equal(down.code, 0, down.stderr);
  assert.ok(!alive(sockudoPid) && !alive(newServerPid), 'down leaves nothing running');
  assert.ok(!fs.existsSync(path.join(stack.runDir, 'sockudo.pid')));
  assert.match((await stack.command('down')).stdout, /sockudo not running/);
});

test('a port taken by something else is reported, not fought over', async () => {
  const first = await newStack();
  assert.equal((await first.command('up')).code, 0);
  const second = await newStack({ PORT: first.env.PORT });
  const clash = await second.command('up');
  assert.notEqual(clash.code, 0);
  assert.match(clash.stderr, new RegExp(`port ${first.env.PORT} is taken by another process`));
});

test('a Sockudo config that does not parse fails the start with the log tail', async () => {
  // Not a number: Sockudo logs the parse error, carries on with its defaults (port 6001), and
  // never answers on the port the stack expects.
  const stack = await newStack({ SOCKUDO_RECOVERY_TTL: 'soon', STACK_WAIT_S: '3' });
  const up = await stack.command('up');
  assert.notEqual(up.code, 0);
  assert.match(up.stderr, /last lines of .*sockudo\.log/);
  assert.match(up.stderr, /sockudo (did not become healthy|exited during start-up)/);
  assert.ok(!fs.existsSync(path.join(stack.runDir, 'sockudo.pid')) || !alive(pid(stack, 'sockudo')), 'the failed Sockudo is not left running');
});

test('SOCKUDO_ALLOWED_ORIGINS: listed origins connect; others, and clients without Origin, get 4009', async () => {
  const { default: WebSocket } = await import('ws');
  const stack = await newStack({ SOCKUDO_ALLOWED_ORIGINS: 'chrome-extension://*, http://127.0.0.1:3000' });
  const up = await stack.command('up');
  assert.equal(up.code, 0, up.stderr);
  const attempt = (origin) => new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${stack.sockudoPort}/app/pushsync-key?protocol=7&client=test&version=1`, origin ? { origin } : {});
    ws.once('message', (raw) => {
      const frame = JSON.parse(raw.toString());
      const data = typeof frame.data === 'string' ? JSON.parse(frame.data) : frame.data;
      ws.terminate();
      resolve(frame.event === 'pusher:error' ? data.code : frame.event);
    });
    ws.once('error', (error) => resolve(error.message));
  });
  assert.equal(await attempt('chrome-extension://abcdefghijklmnop'), 'pusher:connection_established');
  assert.equal(await attempt('http://127.0.0.1:3000'), 'pusher:connection_established');
  assert.equal(await attempt('https://evil.example'), 4009);
  assert.equal(await attempt(undefined), 4009, 'a non-empty list refuses connections without Origin');
});

test('PUSHSYNC_SERVER_PROFILE=roadmap reaches the server: status and /api/health name it, Sockudo gets only its events', async () => {
  const stack = await newStack(roadmapEnv({ paging: 'oldest', sequence: 'some' }));
  const up = await stack.command('up');
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stdout, /Profile +roadmap: paging oldest, maxLimit 100, unknownParams ignore, sequence some/);
  const status = await stack.command('status');
  assert.equal(status.code, 0);
  assert.match(status.stdout, /server: running, healthy \(pid \d+, port \d+\), profile roadmap: paging oldest/);

  const api = httpClient(stack.url);
  const health = await api.call('GET', '/api/health');
  assert.deepEqual(health.body, { ok: true, profile: 'roadmap', paging: 'oldest', maxLimit: 100, unknownParams: 'ignore', sequence: 'some', clientId: 'ignore' });

  // A turn through the real Sockudo: a subscriber sees new_message (the user's) and interact_response.
  const alice = await api.login(ALICE);
  const sessionId = await api.createSession(alice);
  const channel = `private-session-${sessionId}`;
  const client = await pusherClient(stack.sockudoPort);
  try {
    const auth = await api.call('POST', '/api/pusher/auth', { token: alice, form: { socket_id: client.socketId, channel_name: channel } });
    assert.equal(auth.status, 200);
    await client.subscribe(channel, auth.body.auth);
    const turn = await api.call('POST', '/api/agent/interact', { token: alice, body: { sessionId, content: 'over the wire' } });
    assert.equal(turn.status, 200);
    await client.waitFor((f) => f.event === 'interact_response', { what: 'interact_response' });
    await new Promise((resolve) => setTimeout(resolve, 200)); // anything else would have come by now
    const received = client.frames.filter((f) => f.channel === channel && !f.event.includes(':'));
    assert.deepEqual(received.map((f) => f.event), ['new_message', 'interact_response']);
    assert.equal(received[0].data.message.role, 'user');
    assert.deepEqual(received[1].data.data, turn.body.response);

    const page = await api.call('GET', `/api/session/${sessionId}/messages?limit=1&afterSequence=1`, { token: alice });
    assert.equal(page.status, 200);
    assert.deepEqual(Object.keys(page.body), ['messages']);
    assert.deepEqual(page.body.messages, [turn.body.userMessage], 'oldest paging; afterSequence ignored');
    const all = await api.call('GET', `/api/session/${sessionId}/messages`, { token: alice });
    assert.deepEqual(all.body.messages.map((m) => [m.role, m.sequenceNumber]), [['user', 1], ['assistant', undefined]]);
  } finally {
    await client.close();
  }

  // Asking for another profile while this server runs: up keeps it, and says so.
  const again = await stack.command('up', { PUSHSYNC_SERVER_PROFILE: 'full', PUSHSYNC_ROADMAP_PAGING: '', PUSHSYNC_ROADMAP_SEQUENCE: '' });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /the running server plays profile 'roadmap: .*', not 'full'/);
});
