// Development mode (PUSHSYNC_DEV=1, docs/server.md "Development mode"): the server fails closed.
// Without it a process refuses the public secrets and exits naming the variable, seeds no demo
// user and serves no demo page; tokens need `exp` within the longest lifetime; and the default
// development stack (toolchain/stack up, which sets PUSHSYNC_DEV=1) still works. The refusals of
// loadConfig one by one: config.test.mjs.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { SignJWT } from 'jose';
import { execFile } from 'node:child_process';
import { startTestServer, spawnServer, httpClient, tempDir, ALICE } from './helpers.mjs';
import { isolatedStack, STACK } from './stack.mjs';

const cleanups = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const REAL = Object.freeze({ JWT_SECRET: 'j'.repeat(40), ADMIN_TOKEN: 'a'.repeat(40), SOCKUDO_APP_SECRET: 's'.repeat(40) });

test('node server/src/main.js refuses to start outside development mode on development settings, naming the variable', async () => {
  const tmp = tempDir();
  cleanups.push(async () => tmp.remove());
  const db = { DB_PATH: path.join(tmp.dir, 'refused.sqlite'), PUSHSYNC_DEV: '', NODE_ENV: '' };
  const cases = [
    ['no PUSHSYNC_DEV, default secrets', {}, /cannot start: JWT_SECRET, ADMIN_TOKEN, SOCKUDO_APP_SECRET must be set to a secret of at least 32 characters .*set PUSHSYNC_DEV=1/],
    ['PUSHSYNC_DEV=0, a short JWT_SECRET', { ...REAL, PUSHSYNC_DEV: '0', JWT_SECRET: 'too-short' }, /cannot start: JWT_SECRET must be set/],
    ['dev routes without dev', { ...REAL, PUSHSYNC_DEV_ROUTES: '1' }, /cannot start: PUSHSYNC_DEV_ROUTES=1 needs development mode/],
    ['dev on 0.0.0.0', { PUSHSYNC_DEV: '1', HOST: '0.0.0.0' }, /cannot start: PUSHSYNC_DEV=1 \(development mode\) is refused on HOST=0\.0\.0\.0/],
    ['dev in production', { PUSHSYNC_DEV: '1', NODE_ENV: 'production' }, /cannot start: PUSHSYNC_DEV=1 \(development mode\) is refused with NODE_ENV=production/],
    ['TOKEN_TTL above 7 days', { PUSHSYNC_DEV: '1', TOKEN_TTL: '30d' }, /cannot start: TOKEN_TTL must be at most 604800 seconds/],
  ];
  for (const [what, env, message] of cases) {
    await assert.rejects(spawnServer({ ...db, ...env }), (error) => {
      assert.match(error.message, /server exited \(1\) during start-up/, what);
      assert.match(error.message, message, what);
      return true;
    }, what);
  }
});

test('outside development mode: no demo users, no demo page, no dev routes', async () => {
  const s = await startTestServer({ env: { ...REAL, PUSHSYNC_DEV: '0' } });
  cleanups.push(() => s.close());
  assert.equal(s.config.dev, false);
  assert.equal((await s.call('GET', '/api/health')).status, 200);
  const login = await s.call('POST', '/api/auth/login', { body: ALICE });
  assert.equal(login.status, 401, 'alice is not seeded');
  for (const route of ['/demo/', '/demo/config.json', '/demo/page.js', '/api/dev/status']) {
    assert.equal((await s.call('GET', route)).status, 404, route);
  }
});

test('tokens: one without exp, or one that outlives the longest lifetime (7 days), is refused', async () => {
  const s = await startTestServer();
  cleanups.push(() => s.close());
  const token = await s.login(ALICE);
  assert.equal((await s.call('GET', '/api/sessions', { token })).status, 200);
  const { sub } = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  const secret = new TextEncoder().encode('pushsync-dev-jwt-secret');
  const base = () => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer('pushsync-server').setAudience('pushsync').setSubject(sub).setIssuedAt();
  const cases = [
    ['no exp', await base().sign(secret), /token has no expiry/],
    ['exp in 30 days', await base().setExpirationTime('30d').sign(secret), /token lifetime too long/],
  ];
  for (const [what, forged, message] of cases) {
    const answer = await s.call('GET', '/api/sessions', { token: forged });
    assert.equal(answer.status, 401, what);
    assert.match(answer.body.error.message, message, what);
  }
  const ok = await base().setExpirationTime('6d').sign(secret);
  assert.equal((await s.call('GET', '/api/sessions', { token: ok })).status, 200, 'within 7 days');
});

test('the default development stack (toolchain/stack up) sets PUSHSYNC_DEV=1; PUSHSYNC_DEV=0 refuses its secrets', async () => {
  // Nothing about development mode from the environment the tests run in.
  const stack = await isolatedStack({ PUSHSYNC_DEV: '', PUSHSYNC_DEV_ROUTES: '', NODE_ENV: '' });
  cleanups.push(() => stack.down());
  const up = await stack.command('up');
  assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
  const api = httpClient(stack.url);
  const token = await api.login(ALICE); // the demo users are seeded
  assert.equal((await api.call('GET', '/demo/config.json')).status, 200, 'the demo page is served');
  const devStatus = await api.call('GET', '/api/dev/status', { token });
  assert.equal(devStatus.status, 200, 'the development routes are on');

  const run = (args, more) => new Promise((resolve) => {
    execFile(STACK, args, { env: { ...process.env, ...stack.env, ...more }, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr });
    });
  });
  assert.equal((await run(['stop', 'server'], {})).code, 0);
  const refused = await run(['start', 'server'], { PUSHSYNC_DEV: '0' });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /server exited during start-up/);
  assert.match(refused.stderr, /JWT_SECRET, ADMIN_TOKEN, SOCKUDO_APP_SECRET must be set .*PUSHSYNC_DEV=1/);
});
