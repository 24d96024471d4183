// The demo page's routes: /demo/ (static files with a strict CSP, config.json) and the
// development-only routes (off unless PUSHSYNC_DEV_ROUTES=1): Sockudo stop/start through the stack
// script, and the burst proxied to the admin route. Also `toolchain/stack stop|start sockudo`
// with the real Sockudo.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../server/src/config.js';
import { startTestServer, tempDir, ALICE, BOB } from './helpers.mjs';
import { isolatedStack, STACK } from './stack.mjs';

const cleanups = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** `toolchain/stack <args...>` for an isolated stack: {code, stdout, stderr}. */
async function stackRun(args, env) {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve) => {
    execFile(STACK, args, { env: { ...process.env, ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** A built demo folder with a page, a script and a module. */
function demoDir() {
  const tmp = tempDir('pushsync-demo-dist-');
  cleanups.push(async () => tmp.remove());
  fs.writeFileSync(path.join(tmp.dir, 'index.html'), '<!doctype html><title>demo</title>');
  fs.writeFileSync(path.join(tmp.dir, 'page.js'), 'console.log(1);');
  fs.writeFileSync(path.join(tmp.dir, 'pushsync.wasm'), Buffer.from([0, 97, 115, 109]));
  fs.writeFileSync(path.join(tmp.dir, '.secret'), 'no');
  return tmp.dir;
}

/** A stand-in for toolchain/stack that records its arguments, and fails on `start` when asked. */
function fakeStack() {
  const tmp = tempDir('pushsync-fake-stack-');
  cleanups.push(async () => tmp.remove());
  const script = path.join(tmp.dir, 'stack');
  const calls = path.join(tmp.dir, 'calls');
  fs.writeFileSync(script, `#!/bin/sh\necho "$@" >> '${calls}'\necho "stack: $2 $1"\n[ "$1" = start ] && [ -f '${tmp.dir}/fail' ] && { echo "no binary" >&2; exit 1; }\nexit 0\n`, { mode: 0o755 });
  return {
    script,
    calls: () => (fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').trim().split('\n') : []),
    failStart: () => fs.writeFileSync(path.join(tmp.dir, 'fail'), ''),
  };
}

async function server(env) {
  const started = await startTestServer({ env });
  cleanups.push(() => started.close());
  return started;
}

test('/demo/: the built files with a strict CSP, config.json, nothing outside the folder', async () => {
  const s = await server({ DEMO_DIR: demoDir() });
  const page = await s.call('GET', '/demo/');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  const csp = page.headers.get('content-security-policy');
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.match(csp, /connect-src 'self' ws:\/\/127\.0\.0\.1:\d+/);
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/);
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');

  const redirect = await fetch(`${s.url}/demo`, { redirect: 'manual' });
  assert.equal(redirect.status, 302);
  assert.equal(redirect.headers.get('location'), '/demo/');
  assert.match((await s.call('GET', '/demo/page.js')).headers.get('content-type'), /^text\/javascript/);
  assert.equal((await s.call('GET', '/demo/pushsync.wasm')).headers.get('content-type'), 'application/wasm');

  for (const bad of ['/demo/.secret', '/demo/..%2fpackage.json', '/demo/%2e%2e/%2e%2e/package.json', '/demo/nothing.js']) {
    assert.equal((await s.call('GET', bad)).status, 404, bad);
  }

  const config = await s.call('GET', '/demo/config.json');
  assert.equal(config.status, 200);
  assert.deepEqual(config.body, { key: 'pushsync-key', wsHost: '127.0.0.1', wsPort: s.config.sockudo.port, wsTls: false, devRoutes: false });
  // The WebSocket host follows the host the page was loaded from when Sockudo is local.
  const viaLocalhost = await fetch(`${s.url.replace('127.0.0.1', 'localhost')}/demo/config.json`).catch(() => null);
  if (viaLocalhost) assert.equal((await viaLocalhost.json()).wsHost, 'localhost');
});

test('/demo/ before toolchain/build-demo: a 404 that says what to run', async () => {
  const missing = path.join(demoDir(), 'not-built');
  const s = await server({ DEMO_DIR: missing });
  const page = await s.call('GET', '/demo/');
  assert.equal(page.status, 404);
  assert.match(page.body, /toolchain\/build-demo/);
});

test('development routes are off unless PUSHSYNC_DEV_ROUTES=1, which needs PUSHSYNC_DEV=1', async () => {
  const s = await server({});
  const token = await s.login(ALICE);
  const sessionId = await s.createSession(token);
  for (const [method, route] of [['GET', '/api/dev/status'], ['POST', '/api/dev/sockudo/stop'], ['POST', '/api/dev/sockudo/start'], ['POST', `/api/dev/session/${sessionId}/burst`]]) {
    assert.equal((await s.call(method, route, { token })).status, 404, route);
  }
  const real = { JWT_SECRET: 'j'.repeat(32), ADMIN_TOKEN: 'a'.repeat(32), SOCKUDO_APP_SECRET: 's'.repeat(32) };
  assert.throws(() => loadConfig({ NODE_ENV: 'production', ...real, PUSHSYNC_DEV_ROUTES: '1' }), /PUSHSYNC_DEV_ROUTES=1 needs development mode/);
  assert.throws(() => loadConfig({ ...real, PUSHSYNC_DEV_ROUTES: '1' }), /PUSHSYNC_DEV_ROUTES=1 needs development mode/);
  assert.equal(loadConfig({ PUSHSYNC_DEV: '1', PUSHSYNC_DEV_ROUTES: '1' }).devRoutes, true);
});

test('burst: 100 messages through the admin route, pushed in order; the caller needs the session', async () => {
  const s = await server({ PUSHSYNC_DEV_ROUTES: '1', PUSHSYNC_STACK: fakeStack().script });
  const token = await s.login(ALICE);
  const sessionId = await s.createSession(token);
  assert.equal((await s.call('POST', `/api/dev/session/${sessionId}/burst`)).status, 401);
  assert.equal((await s.call('POST', `/api/dev/session/${sessionId}/burst`, { token: await s.login(BOB) })).status, 404);
  assert.equal((await s.call('POST', `/api/dev/session/${sessionId}/burst`, { token, body: { count: 0 } })).status, 400);
  assert.equal((await s.call('POST', `/api/dev/session/${sessionId}/burst`, { token, body: { count: 1001 } })).status, 400);

  s.fake.clear();
  const burst = await s.call('POST', `/api/dev/session/${sessionId}/burst`, { token });
  assert.equal(burst.status, 201, JSON.stringify(burst.body));
  assert.equal(burst.body.count, 100);
  assert.deepEqual([burst.body.first, burst.body.last], [1, 100]);
  const pushed = s.fake.events.map((event) => event.data.message);
  assert.deepEqual(pushed.map((message) => message.sequenceNumber), Array.from({ length: 100 }, (_, i) => i + 1));
  assert.match(pushed[0].content, /^Burst \w+ · 001\/100$/);
  assert.match(pushed[99].content, /^Burst \w+ · 100\/100$/);

  const small = await s.call('POST', `/api/dev/session/${sessionId}/burst`, { token, body: { count: 3 } });
  assert.deepEqual([small.body.count, small.body.first, small.body.last], [3, 101, 103]);
  assert.equal((await s.call('GET', '/demo/config.json')).body.devRoutes, true);
});

test('sockudo stop/start run the stack script, one at a time; a failure is a 500 with its output', async () => {
  const stack = fakeStack();
  const s = await server({ PUSHSYNC_DEV_ROUTES: '1', PUSHSYNC_STACK: stack.script });
  const token = await s.login(ALICE);
  assert.equal((await s.call('POST', '/api/dev/sockudo/stop')).status, 401);

  const status = await s.call('GET', '/api/dev/status', { token });
  assert.equal(status.status, 200);
  assert.equal(typeof status.body.sockudo.up, 'boolean');

  const [stopped, started] = await Promise.all([
    s.call('POST', '/api/dev/sockudo/stop', { token }),
    s.call('POST', '/api/dev/sockudo/start', { token }),
  ]);
  assert.equal(stopped.status, 200);
  assert.equal(stopped.body.output, 'stack: sockudo stop');
  assert.equal(started.status, 200);
  assert.deepEqual(stack.calls(), ['stop sockudo', 'start sockudo']);

  stack.failStart();
  const failed = await s.call('POST', '/api/dev/sockudo/start', { token });
  assert.equal(failed.status, 500);
  assert.equal(failed.body.error.code, 'stack_failed');
  assert.match(failed.body.error.message, /no binary/);
});

test('toolchain/stack stop sockudo and start sockudo leave the app server alone', async () => {
  const stack = await isolatedStack();
  cleanups.push(() => stack.down());
  const part = (...args) => stackRun(args, stack.env);
  assert.equal((await stack.command('up')).code, 0);
  const serverPid = fs.readFileSync(path.join(stack.runDir, 'server.pid'), 'utf8');

  const stop = await part('stop', 'sockudo');
  assert.equal(stop.code, 0, stop.stderr);
  assert.match(stop.stdout, /sockudo stopped/);
  const status = await stack.command('status');
  assert.equal(status.code, 1);
  assert.match(status.stdout, /sockudo: stopped\nserver: running, healthy/);

  const start = await part('start', 'sockudo');
  assert.equal(start.code, 0, start.stderr);
  assert.match(start.stdout, /sockudo started/);
  assert.equal((await part('start', 'sockudo')).stdout.trim(), `stack: sockudo already running (pid ${fs.readFileSync(path.join(stack.runDir, 'sockudo.pid'), 'utf8').trim()})`);
  assert.equal((await stack.command('status')).code, 0);
  assert.equal(fs.readFileSync(path.join(stack.runDir, 'server.pid'), 'utf8'), serverPid);

  const usage = await part('stop', 'everything');
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /usage: toolchain\/stack stop sockudo\|server/);
});
