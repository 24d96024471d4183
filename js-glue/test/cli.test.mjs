// The pushsync CLI as a user runs it: replay on generated files (shuffled, duplicated, malformed,
// 100,000 frames), watch and record against the local stub servers, --help and exit codes.
// The CLI is started with plain `node`, so on Node 20 watch/record also exercise the relaunch
// with --experimental-websocket. Every child process is killed by the end of its test.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { message, newMessageFrame, shuffledFrames } from './support/frames.mjs';
import { startAppServer } from './support/app-server.mjs';
import { startPusherServer } from './support/pusher-server.mjs';
import { waitFor } from './support/wait.mjs';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'pushsync');
const dir = mkdtempSync(join(tmpdir(), 'pushsync-cli-'));
const children = new Set();

/** The CLI and, on Node 20, the process it relaunched: each CLI runs in its own process group. */
function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

after(() => {
  for (const child of children) killGroup(child);
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the CLI; `done` resolves with its exit code and output. */
function start(args, { input } = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true, // its own process group, so a timeout can kill the relaunched child too
    // The CLI must find its WebSocket itself: do not hand it this test runner's flags.
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  child.stdin.on('error', () => {});
  if (input !== undefined) child.stdin.end(input);
  else child.stdin.end();
  const done = new Promise((resolve) => {
    child.on('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    done,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
  };
}

async function run(args, options = {}, timeout = 60_000) {
  const process_ = start(args, options);
  const timer = setTimeout(() => killGroup(process_.child), timeout);
  try {
    return await process_.done;
  } finally {
    clearTimeout(timer);
  }
}

const lines = (text) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l));

test('replay: shuffled and duplicated frames give the ordered, unique store', async () => {
  const file = join(dir, 'shuffled.ndjson');
  const frames = shuffledFrames('s1', 200, { duplicateEvery: 2, seed: 7 });
  // Frames of another session and protocol chatter are ignored, not rejected.
  frames.splice(10, 0, newMessageFrame('other', message('other', 999)), '{"event":"pusher:pong","data":"{}"}');
  writeFileSync(file, frames.join('\n') + '\n');
  const { code, stdout, stderr } = await run(['replay', '--session', 's1', '--input', file]);
  assert.equal(code, 0, stderr);
  const out = lines(stdout);
  const stats = out.pop().stats;
  assert.deepEqual(
    out.map((m) => m.id),
    Array.from({ length: 200 }, (_, i) => `m${i + 1}`),
  );
  const expected = message('s1', 17);
  assert.deepEqual(out[16], {
    id: 'm17',
    sequenceNumber: 17,
    role: expected.role,
    content: expected.content,
    status: 'sent',
    timestamp: expected.timestamp,
  });
  assert.equal(stats.frames, frames.length);
  assert.equal(stats.messages, 200);
  assert.equal(stats.rejected, 0);
  assert.equal(typeof stats.ms, 'number');
  assert.equal(stderr, '');
});

test('replay: malformed lines are rejected, counted, reported with their line numbers, and do not stop the run', async () => {
  const good = shuffledFrames('s1', 10, { duplicateEvery: 100 });
  const input = [
    good[0],
    'not json at all',
    good[1],
    '[1,2,3]',
    '{"event":"new_message",broken',
    '{"event": oops}',
    '',
    '   ',
    good[2],
    // A valid frame whose payload fails validation (no sessionId): the engine refuses it.
    JSON.stringify({ event: 'new_message', channel: 'private-session-s1', data: JSON.stringify({ type: 'new_message' }) }),
    ...good.slice(3),
  ].join('\r\n'); // CRLF and no final newline: both tolerated
  const { code, stdout, stderr } = await run(['replay', '--session', 's1'], { input });
  assert.equal(code, 0, stderr);
  const out = lines(stdout);
  const { stats } = out.pop();
  assert.equal(stats.rejected, 5);
  assert.equal(stats.frames, 15, 'blank lines are not frames');
  assert.equal(stats.messages, 10);
  assert.deepEqual(
    out.map((m) => m.sequenceNumber),
    Array.from({ length: 10 }, (_, i) => i + 1),
  );
  for (const n of [2, 4, 5, 6, 10]) assert.match(stderr, new RegExp(`line ${n}: rejected`), `line ${n} reported`);
  assert.equal(stderr.trim().split('\n').length, 5, stderr);
});

test('replay: 100,000 messages (133,333 frames, shuffled and duplicated)', async (t) => {
  const file = join(dir, 'large.ndjson');
  writeFileSync(file, shuffledFrames('s1', 100_000).join('\n') + '\n');
  const started = Date.now();
  const { code, stdout, stderr } = await run(['replay', '--session', 's1', '--input', file], {}, 120_000);
  const wall = Date.now() - started;
  assert.equal(code, 0, stderr);
  const text = stdout.trimEnd();
  const { stats } = JSON.parse(text.slice(text.lastIndexOf('\n') + 1));
  assert.deepEqual({ ...stats, ms: 0 }, { frames: 133_333, messages: 100_000, rejected: 0, ms: 0 });
  let previous = 0;
  let count = 0;
  for (const l of text.split('\n')) {
    if (l.startsWith('{"stats"')) continue;
    const sequence = JSON.parse(l).sequenceNumber;
    assert.equal(sequence, previous + 1);
    previous = sequence;
    count++;
  }
  assert.equal(count, 100_000);
  t.diagnostic(`replay of 133,333 frames / 100,000 messages: ${stats.ms} ms applying frames, ${wall} ms wall`);
});

test('--help for every command, and usage errors exit 2', async () => {
  for (const args of [['--help'], ['watch', '--help'], ['record', '--help'], ['replay', '-h'], ['help', 'replay']]) {
    const { code, stdout } = await run(args);
    assert.equal(code, 0, args.join(' '));
    assert.match(stdout, /Usage/);
  }
  const watchHelp = (await run(['watch', '--help'])).stdout;
  for (const option of ['--api', '--ws-host', '--ws-port', '--key', '--token', '--email', '--password', '--session', '--protocol', '--keepalive', '--duration']) {
    assert.ok(watchHelp.includes(option), `watch --help documents ${option}`);
  }
  assert.match((await run(['record', '--help'])).stdout, /--out FILE/);
  assert.match((await run(['replay', '--help'])).stdout, /--input FILE/);

  const usage = [
    [],
    ['frobnicate'],
    ['replay'],
    ['replay', '--session'],
    ['replay', '--session', 's1', '--bogus'],
    ['replay', '--session', 's1', 'extra'],
    ['watch', '--api', 'http://127.0.0.1:1', '--ws-host', 'h', '--ws-port', '70000', '--key', 'k', '--token', 't', '--session', 's'],
    ['watch', '--api', 'http://127.0.0.1:1', '--ws-host', 'h', '--ws-port', '1', '--key', 'k', '--session', 's'],
    ['watch', '--api', 'http://127.0.0.1:1', '--ws-host', 'h', '--ws-port', '1', '--key', 'k', '--token', 't', '--email', 'e', '--password', 'p', '--session', 's'],
    ['watch', '--api', 'http://127.0.0.1:1', '--ws-host', 'h', '--ws-port', '1', '--key', 'k', '--token', 't', '--session', 's', '--protocol', '5'],
    ['record', '--api', 'http://127.0.0.1:1', '--ws-host', 'h', '--ws-port', '1', '--key', 'k', '--token', 't', '--session', 's'],
  ];
  for (const args of usage) {
    const { code, stderr } = await run(args);
    assert.equal(code, 2, `${JSON.stringify(args)}: ${stderr}`);
    assert.ok(stderr.length > 0, `${JSON.stringify(args)} says why`);
  }
});

test('failures exit 1 with a clear message', async () => {
  const missing = await run(['replay', '--session', 's1', '--input', join(dir, 'no-such-file.ndjson')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read .*no-such-file.*ENOENT/);

  const app = await startAppServer();
  try {
    const login = await run(['watch', '--api', app.url, '--ws-host', '127.0.0.1', '--ws-port', '1', '--key', 'k', '--email', 'demo@example.com', '--password', 'wrong', '--session', 's1']);
    assert.equal(login.code, 1);
    assert.match(login.stderr, /login failed: HTTP 401/);
  } finally {
    await app.close();
  }
});

async function servers() {
  const pusher = await startPusherServer();
  const app = await startAppServer({ pusher });
  return { pusher, app, close: async () => (await pusher.close(), await app.close()) };
}

const connectArgs = ({ pusher, app }) => ['--api', app.url, '--ws-host', '127.0.0.1', '--ws-port', String(pusher.port), '--key', pusher.key];

test('watch: logs in, prints state, messages and a final snapshot after --duration', async () => {
  const env = await servers();
  try {
    for (let s = 1; s <= 3; s++) env.app.addMessage('s1', s, { push: false });
    const watch = start(['watch', ...connectArgs(env), '--email', 'demo@example.com', '--password', 'demo', '--session', 's1', '--duration', '3']);
    // After the backlog, so the order of the message lines is known (a push may overtake it).
    await waitFor(() => watch.stdout.includes('"m3"'), { what: 'the backlog' });
    env.app.addMessage('s1', 4);
    env.pusher.broadcast('private-session-s1', 'typing', { type: 'typing', sessionId: 's1', isTyping: true, context: 'thinking' });
    const { code, stdout, stderr } = await watch.done;
    assert.equal(code, 0, stderr);
    const out = lines(stdout);
    assert.ok(out.some((l) => l.type === 'state' && l.state === 'connected'), stdout);
    const messages = out.filter((l) => l.type === 'message');
    assert.deepEqual(
      messages.map((l) => [l.change, l.message.messageId]),
      [['inserted', 'm1'], ['inserted', 'm2'], ['inserted', 'm3'], ['inserted', 'm4']],
    );
    assert.ok(out.some((l) => l.type === 'typing' && l.isTyping && l.context === 'thinking'));
    const snapshot = out.at(-1);
    assert.equal(snapshot.type, 'snapshot');
    assert.deepEqual(snapshot.messages.map((m) => m.messageId), ['m1', 'm2', 'm3', 'm4']);
    assert.equal(env.app.requests.find((r) => r.route === 'login').status, 200);
  } finally {
    await env.close();
  }
});

test('watch: SIGTERM prints the snapshot and exits 0', async () => {
  const env = await servers();
  try {
    env.app.addMessage('s1', 1, { push: false });
    const watch = start(['watch', ...connectArgs(env), '--token', 'token-1', '--session', 's1']);
    await waitFor(() => watch.stdout.includes('"m1"'), { what: 'the first message' });
    // The launcher (Node 20 relaunches with the WebSocket flag) forwards the signal.
    watch.child.kill('SIGTERM');
    const { code, stdout } = await watch.done;
    assert.equal(code, 0);
    const last = lines(stdout).at(-1);
    assert.equal(last.type, 'snapshot');
    assert.deepEqual(last.messages.map((m) => m.messageId), ['m1']);
  } finally {
    await env.close();
  }
});

test('record writes the received frames, and replay turns them into the same messages', async () => {
  const env = await servers();
  const out = join(dir, 'recorded.ndjson');
  try {
    const record = start(['record', '--out', out, ...connectArgs(env), '--token', 'token-1', '--session', 's1', '--duration', '3']);
    await waitFor(() => env.pusher.subscribers('private-session-s1') === 1, { what: 'the CLI to subscribe' });
    for (const s of [2, 1, 3, 5, 4]) env.app.addMessage('s1', s);
    env.pusher.broadcast('private-session-s1', 'new_message', { type: 'new_message', sessionId: 's1', message: message('s1', 3) });
    const recorded = await record.done;
    assert.equal(recorded.code, 0, recorded.stderr);
    const snapshot = lines(recorded.stdout).at(-1);
    assert.deepEqual(snapshot.messages.map((m) => m.messageId), ['m1', 'm2', 'm3', 'm4', 'm5']);

    const frames = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(frames[0].event, 'pusher:connection_established');
    assert.equal(frames.filter((f) => f.event === 'new_message').length, 6);

    const replayed = await run(['replay', '--session', 's1', '--input', out]);
    assert.equal(replayed.code, 0, replayed.stderr);
    const result = lines(replayed.stdout);
    const { stats } = result.pop();
    assert.deepEqual(result.map((m) => m.id), ['m1', 'm2', 'm3', 'm4', 'm5']);
    assert.equal(stats.rejected, 0);
    assert.equal(stats.frames, frames.length);
  } finally {
    await env.close();
  }
});
