// The smaller hardening items (docs/security.md): the Host allow-list (DNS rebinding against a
// loopback development server), no symbolic links followed in the demo folder, no absolute paths
// in errors, no query values in the request log, the same answer for a missing and a foreign
// session, and retries compared with what was stored.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { startTestServer, tempDir, rawRequest, ALICE, BOB } from './helpers.mjs';

const cleanups = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function server(env) {
  const started = await startTestServer({ env });
  cleanups.push(() => started.close());
  return started;
}

/** A built demo folder: index.html and page.js, plus whatever `more(dir)` adds. */
function demoDir(more = () => {}) {
  const tmp = tempDir('pushsync-demo-dist-');
  cleanups.push(async () => tmp.remove());
  fs.writeFileSync(path.join(tmp.dir, 'index.html'), '<!doctype html><title>demo</title>');
  fs.writeFileSync(path.join(tmp.dir, 'page.js'), 'console.log(1);');
  more(tmp.dir);
  return tmp.dir;
}

const REAL_SECRETS = { PUSHSYNC_DEV: '0', JWT_SECRET: 'j'.repeat(32), ADMIN_TOKEN: 'a'.repeat(32), SOCKUDO_APP_SECRET: 's'.repeat(32) };
// An absolute path of this machine in a text meant for a caller.
const ABSOLUTE = /(^|[\s'"(=])\/(tmp|home|work|usr|etc|root|var|opt|srv|run)\//;

test('Host allow-list: a rebound name gets a 403 and never reaches config.json or the CSP; loopback names do', async () => {
  const s = await server({ DEMO_DIR: demoDir() });
  const { port } = new URL(s.url);
  const get = (urlPath, host) => rawRequest(s.url, { path: urlPath, headers: { host } });

  for (const host of [`evil.example:${port}`, `127.0.0.1.evil.example:${port}`, `localhost.:${port}`, 'evil.example']) {
    for (const urlPath of ['/demo/config.json', '/demo/', '/api/health']) {
      const refused = await get(urlPath, host);
      assert.equal(refused.status, 403, `${host} ${urlPath}`);
      assert.equal(refused.body.error.code, 'host_not_allowed');
      assert.equal(refused.headers['content-security-policy'], undefined);
      assert.doesNotMatch(refused.text, /pushsync-key/);
    }
  }
  const login = await rawRequest(s.url, { method: 'POST', path: '/api/auth/login', headers: { host: `evil.example:${port}`, 'content-type': 'application/json' }, body: JSON.stringify(ALICE) });
  assert.equal(login.status, 403, 'the public demo logins are not for a rebound page');

  for (const [host, wsHost] of [[`127.0.0.1:${port}`, '127.0.0.1'], [`localhost:${port}`, 'localhost'], [`LOCALHOST:${port}`, 'localhost'], [`[::1]:${port}`, '[::1]']]) {
    const config = await get('/demo/config.json', host);
    assert.equal(config.status, 200, host);
    assert.equal(config.body.wsHost.toLowerCase(), wsHost);
    const page = await get('/demo/', host);
    assert.equal(page.status, 200, host);
    assert.match(page.headers['content-security-policy'], new RegExp(`connect-src 'self' ws://${wsHost.replace(/[[\].]/g, '\\$&')}:\\d+;`, 'i'));
  }

  // No Host at all (HTTP/1.0): refused too.
  const bare = await new Promise((resolve) => {
    let text = '';
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write('GET /demo/config.json HTTP/1.0\r\n\r\n'));
    socket.on('data', (chunk) => { text += chunk; }).on('close', () => resolve(text)).on('error', () => resolve(text));
  });
  assert.match(bare, /^HTTP\/1\.[01] 403/);
});

test('ALLOWED_HOSTS replaces the list; without development mode the default is any host', async () => {
  const s = await server({ DEMO_DIR: demoDir(), ALLOWED_HOSTS: 'demo.test, Other.Test' });
  assert.equal((await rawRequest(s.url, { path: '/demo/config.json', headers: { host: 'demo.test:3000' } })).body.wsHost, 'demo.test');
  assert.equal((await rawRequest(s.url, { path: '/api/health', headers: { host: 'other.test' } })).status, 200);
  assert.equal((await rawRequest(s.url, { path: '/api/health', headers: { host: 'localhost' } })).status, 403);
  assert.deepEqual(s.config.allowedHosts, ['demo.test', 'other.test']);

  const real = await server(REAL_SECRETS);
  assert.deepEqual(real.config.allowedHosts, []);
  assert.equal((await rawRequest(real.url, { path: '/api/health', headers: { host: 'api.example.com' } })).status, 200);
});

test('symbolic links inside the demo folder are not followed', async () => {
  const outside = tempDir('pushsync-outside-');
  cleanups.push(async () => outside.remove());
  fs.writeFileSync(path.join(outside.dir, 'secret.txt'), 'outside the demo folder');
  fs.mkdirSync(path.join(outside.dir, 'folder'));
  fs.writeFileSync(path.join(outside.dir, 'folder', 'inner.js'), 'outside too');
  const dir = demoDir((d) => {
    fs.symlinkSync(path.join(outside.dir, 'secret.txt'), path.join(d, 'secret.js'));
    fs.symlinkSync(path.join(outside.dir, 'folder'), path.join(d, 'linked'));
    fs.symlinkSync('page.js', path.join(d, 'alias.js')); // inside, but still a link
    fs.mkdirSync(path.join(d, 'assets'));
    fs.writeFileSync(path.join(d, 'assets', 'real.js'), 'inside');
  });
  const s = await server({ DEMO_DIR: dir });
  assert.equal((await s.call('GET', '/demo/page.js')).status, 200);
  assert.equal((await s.call('GET', '/demo/assets/real.js')).body, 'inside');
  for (const link of ['/demo/secret.js', '/demo/linked/inner.js', '/demo/alias.js', '/demo/assets']) {
    const answer = await s.call('GET', link);
    assert.equal(answer.status, 404, link);
    assert.doesNotMatch(JSON.stringify(answer.body), /outside/);
  }

  // DEMO_DIR itself may be a link (the operator's choice): its files are served.
  const linkedRoot = path.join(outside.dir, 'dist-link');
  fs.symlinkSync(demoDir(), linkedRoot);
  const viaLink = await server({ DEMO_DIR: linkedRoot });
  assert.equal((await viaLink.call('GET', '/demo/page.js')).status, 200);
});

test('errors name no absolute path: the demo page not built, a missing file, a failed stack command', async () => {
  const missing = path.join(demoDir(), 'not-built');
  const stack = tempDir('pushsync-fake-stack-');
  cleanups.push(async () => stack.remove());
  const script = path.join(stack.dir, 'stack');
  fs.writeFileSync(script, `#!/bin/sh\necho "stack: $2 did not start; see ${stack.dir}/sockudo.log and /home/someone/.cache/sockudo" >&2\nexit 1\n`, { mode: 0o755 });
  const s = await server({ DEMO_DIR: missing, PUSHSYNC_DEV_ROUTES: '1', PUSHSYNC_STACK: script });

  const page = await s.call('GET', '/demo/');
  assert.equal(page.status, 404);
  assert.match(page.body, /toolchain\/build-demo/);
  const file = await s.call('GET', '/demo/page.js');
  assert.equal(file.status, 404);
  const failed = await s.call('POST', '/api/dev/sockudo/start', { token: await s.login(ALICE) });
  assert.equal(failed.status, 500);
  assert.match(failed.body.error.message, /did not start; see …\/sockudo\.log/);
  for (const [what, answer] of [['not built', page], ['missing file', file], ['stack failure', failed]]) {
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    assert.doesNotMatch(text, ABSOLUTE, what);
    assert.ok(!text.includes(missing) && !text.includes(stack.dir), what);
  }
});

test('the request log has paths and query parameter names, never query values', async () => {
  const s = await server({ QUIET: '0' });
  const token = await s.login(ALICE);
  const sessionId = await s.createSession(token);
  await s.call('GET', `/api/session/${sessionId}/messages?limit=5&since=2026-11-29T13:05:11.123Z&access_token=s3cr3t-value`, { token });
  await s.call('GET', '/api/nothing?token=another-secret');
  const lines = s.logs.join('\n');
  assert.match(lines, new RegExp(`GET /api/session/${sessionId}/messages\\?limit&since&access_token 200 `));
  assert.match(lines, /GET \/api\/nothing\?token 404 /);
  assert.doesNotMatch(lines, /s3cr3t|another-secret|2026-11-29|=/);
});

test('the same answer for a missing and a foreign session: messages, interact, channel auth', async () => {
  const s = await server();
  const alice = await s.login(ALICE);
  const bob = await s.login(BOB);
  const sessionId = await s.createSession(alice);
  const unknownId = randomUUID();
  const asBob = (id) => [
    ['messages', s.call('GET', `/api/session/${id}/messages`, { token: bob })],
    ['interact', s.call('POST', '/api/agent/interact', { token: bob, body: { sessionId: id, content: 'x' } })],
    ['channel auth', s.call('POST', '/api/pusher/auth', { token: bob, form: { socket_id: '1.2', channel_name: `private-session-${id}` } })],
  ];
  const foreign = asBob(sessionId);
  const unknown = asBob(unknownId);
  for (let i = 0; i < foreign.length; i++) {
    const [what, foreignAnswer] = [foreign[i][0], await foreign[i][1]];
    const unknownAnswer = await unknown[i][1];
    assert.equal(foreignAnswer.status, what === 'channel auth' ? 403 : 404, what);
    assert.equal(unknownAnswer.status, foreignAnswer.status, what);
    assert.equal(JSON.stringify(foreignAnswer.body).replaceAll(sessionId, '<id>'), JSON.stringify(unknownAnswer.body).replaceAll(unknownId, '<id>'), what);
  }
});

test('a retry with a lone surrogate in the content gets the stored turn; other content is a 409', async () => {
  const s = await server();
  const token = await s.login(ALICE);
  const sessionId = await s.createSession(token);
  for (const [clientMessageId, content] of [['lone-high', 'a\ud800b'], ['lone-low', '\udc00 end'], ['id-\ud83d', 'the id has one too'], ['nul', 'a\u0000b']]) {
    const body = { sessionId, content, clientMessageId };
    const first = await s.call('POST', '/api/agent/interact', { token, body });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const stored = (await s.call('GET', `/api/session/${sessionId}/messages?limit=200`, { token })).body.messages
      .find((m) => m.messageId === first.body.userMessage.messageId);
    // Stored as the well-formed string (U+FFFD for the lone half), and answered as stored.
    assert.equal(stored.content, content.toWellFormed());
    assert.equal(first.body.userMessage.content, stored.content);
    assert.equal(stored.clientMessageId, clientMessageId.toWellFormed());

    const retry = await s.call('POST', '/api/agent/interact', { token, body });
    assert.equal(retry.status, 200, `${clientMessageId}: ${JSON.stringify(retry.body)}`);
    assert.equal(retry.body.replayed, true);
    assert.deepEqual(retry.body.userMessage, first.body.userMessage);
    assert.deepEqual(retry.body.assistantMessage, first.body.assistantMessage);

    const other = await s.call('POST', '/api/agent/interact', { token, body: { ...body, content: `${content} changed` } });
    assert.equal(other.status, 409, clientMessageId);
    assert.equal(other.body.error.code, 'conflict');
  }
});
