// Configuration parsing, the server clock and origin patterns: the small pure parts. Development
// mode (PUSHSYNC_DEV) and its refusals: here and in dev-mode.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadConfig as load, isLoopbackHost, MAX_TOKEN_TTL_SECONDS } from '../../server/src/config.js';
import { createClock, isoTime } from '../../server/src/clock.js';
import { originMatcher } from '../../server/src/cors.js';

// Most tests read the development defaults: PUSHSYNC_DEV=1 unless the environment says otherwise.
const loadConfig = (env) => load({ PUSHSYNC_DEV: '1', ...env });
// Secrets good enough without development mode.
const REAL = Object.freeze({ JWT_SECRET: 'j'.repeat(32), ADMIN_TOKEN: 'a'.repeat(32), SOCKUDO_APP_SECRET: 's'.repeat(32) });

test('defaults: ports, credentials and the run folder', () => {
  const config = loadConfig({});
  assert.equal(config.port, 3000);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.sockudo.port, 3005);
  assert.equal(config.sockudo.appId, 'pushsync-app');
  assert.equal(config.sockudo.key, 'pushsync-key');
  assert.equal(config.sockudo.secret, 'pushsync-secret');
  assert.equal(config.tokenTtlSeconds, 12 * 3600);
  assert.equal(config.assistantStepMs, 300);
  assert.equal(config.adminToken, 'pushsync-admin');
  assert.equal(config.quiet, false);
  assert.equal(config.dev, true);
  assert.equal(config.devRoutes, false);
  assert.equal(path.basename(config.dbPath), 'pushsync.sqlite');
  assert.equal(path.basename(path.dirname(config.dbPath)), 'run');
  assert.deepEqual(config.allowedOrigins, ['chrome-extension://*', 'http://127.0.0.1:3000', 'http://localhost:3000']);
});

test('environment overrides', () => {
  const config = loadConfig({
    PORT: '4000', SOCKUDO_PORT: '4005', SOCKUDO_APP_KEY: 'k', TOKEN_TTL: '30m', QUIET: 'yes',
    RUN_DIR: '/tmp/elsewhere', ALLOWED_ORIGINS: ' https://a.example ,,chrome-extension://id ',
  });
  assert.equal(config.port, 4000);
  assert.equal(config.sockudo.port, 4005);
  assert.equal(config.sockudo.key, 'k');
  assert.equal(config.tokenTtlSeconds, 1800);
  assert.equal(config.quiet, true);
  assert.equal(config.dbPath, '/tmp/elsewhere/pushsync.sqlite');
  assert.deepEqual(config.allowedOrigins, ['https://a.example', 'chrome-extension://id']);
  assert.equal(loadConfig({ RUN_DIR: '/tmp/x', DB_PATH: '/tmp/y.sqlite' }).dbPath, '/tmp/y.sqlite');
});

test('invalid values stop the start with the variable named', () => {
  assert.throws(() => loadConfig({ PORT: 'abc' }), /PORT must be an integer/);
  assert.throws(() => loadConfig({ SOCKUDO_PORT: '70000' }), /SOCKUDO_PORT/);
  assert.throws(() => loadConfig({ TOKEN_TTL: 'forever' }), /TOKEN_TTL/);
  assert.throws(() => loadConfig({ TOKEN_TTL: '0' }), /TOKEN_TTL/);
  assert.throws(() => loadConfig({ QUIET: 'maybe' }), /QUIET/);
  assert.throws(() => loadConfig({ ASSISTANT_STEP_MS: '-1' }), /ASSISTANT_STEP_MS/);
});

test('the server profile: full by default, roadmap with its knobs, invalid values named', () => {
  const full = loadConfig({}).profile;
  assert.equal(full.name, 'full');
  assert.ok(full.pagedDialect && full.pushesTyping && full.pushesOtherMessages && full.pushesMessageUpdates && full.pushesSessionUpdates);
  assert.ok(full.assistantSequenceNumbers && !full.assistantStoredFinal);

  const roadmap = loadConfig({ PUSHSYNC_SERVER_PROFILE: 'roadmap' }).profile;
  assert.equal(roadmap.name, 'roadmap');
  assert.ok(!roadmap.pagedDialect && !roadmap.pushesTyping && !roadmap.pushesOtherMessages);
  assert.ok(!roadmap.pushesMessageUpdates && !roadmap.pushesSessionUpdates && roadmap.assistantStoredFinal);
  assert.deepEqual(roadmap.knobs, { paging: 'newest', maxLimit: 100, unknownParams: 'ignore', sequence: 'all', clientId: 'ignore' });
  assert.equal(roadmap.defaultLimit, 50);

  const tuned = loadConfig({
    PUSHSYNC_SERVER_PROFILE: 'Roadmap', PUSHSYNC_ROADMAP_PAGING: 'oldest', PUSHSYNC_ROADMAP_MAX_LIMIT: '20',
    PUSHSYNC_ROADMAP_UNKNOWN_PARAMS: 'refuse', PUSHSYNC_ROADMAP_SEQUENCE: 'some',
  }).profile;
  assert.deepEqual(tuned.knobs, { paging: 'oldest', maxLimit: 20, unknownParams: 'refuse', sequence: 'some', clientId: 'ignore' });
  assert.ok(!tuned.pagesFromNewest && tuned.refusesUnknownParams && !tuned.assistantSequenceNumbers);
  assert.equal(tuned.defaultLimit, 20, 'the default limit never exceeds the maximum');

  assert.throws(() => loadConfig({ PUSHSYNC_SERVER_PROFILE: 'minimal' }), /PUSHSYNC_SERVER_PROFILE must be one of full, roadmap/);
  const roadmapWith = (name, value) => loadConfig({ PUSHSYNC_SERVER_PROFILE: 'roadmap', [name]: value });
  assert.throws(() => roadmapWith('PUSHSYNC_ROADMAP_PAGING', 'middle'), /PUSHSYNC_ROADMAP_PAGING must be one of newest, oldest/);
  assert.throws(() => roadmapWith('PUSHSYNC_ROADMAP_MAX_LIMIT', '0'), /PUSHSYNC_ROADMAP_MAX_LIMIT must be an integer/);
  assert.throws(() => roadmapWith('PUSHSYNC_ROADMAP_UNKNOWN_PARAMS', 'warn'), /PUSHSYNC_ROADMAP_UNKNOWN_PARAMS/);
  assert.throws(() => roadmapWith('PUSHSYNC_ROADMAP_SEQUENCE', 'none'), /PUSHSYNC_ROADMAP_SEQUENCE/);
  assert.throws(() => loadConfig({ PUSHSYNC_ROADMAP_PAGING: 'oldest' }), /PUSHSYNC_ROADMAP_PAGING only applies with PUSHSYNC_SERVER_PROFILE=roadmap/);
  assert.throws(() => loadConfig({ PUSHSYNC_ROADMAP_SEQUENCE: 'some', PUSHSYNC_ROADMAP_MAX_LIMIT: '5' }),
    /PUSHSYNC_ROADMAP_MAX_LIMIT, PUSHSYNC_ROADMAP_SEQUENCE only apply with/);
});

test('fail closed: each refusal of development settings, with its message', () => {
  const secretMessage = (names) => new RegExp(`${names} must be set to a secret of at least 32 characters \\(not the development default\\); for a local development server set PUSHSYNC_DEV=1`);
  const cases = [
    // Without PUSHSYNC_DEV=1 (unset, 0, or anything false): no public or short secret.
    ['nothing set', {}, secretMessage('JWT_SECRET, ADMIN_TOKEN, SOCKUDO_APP_SECRET')],
    ['PUSHSYNC_DEV=0', { PUSHSYNC_DEV: '0' }, secretMessage('JWT_SECRET, ADMIN_TOKEN, SOCKUDO_APP_SECRET')],
    ['NODE_ENV=production', { NODE_ENV: 'production' }, secretMessage('JWT_SECRET, ADMIN_TOKEN, SOCKUDO_APP_SECRET')],
    ['JWT_SECRET default', { ...REAL, JWT_SECRET: 'pushsync-dev-jwt-secret' }, secretMessage('JWT_SECRET')],
    ['JWT_SECRET short', { ...REAL, JWT_SECRET: 'x'.repeat(31) }, secretMessage('JWT_SECRET')],
    ['ADMIN_TOKEN default', { ...REAL, ADMIN_TOKEN: 'pushsync-admin' }, secretMessage('ADMIN_TOKEN')],
    ['ADMIN_TOKEN short', { ...REAL, ADMIN_TOKEN: 'short' }, secretMessage('ADMIN_TOKEN')],
    ['SOCKUDO_APP_SECRET default', { ...REAL, SOCKUDO_APP_SECRET: 'pushsync-secret' }, secretMessage('SOCKUDO_APP_SECRET')],
    ['SOCKUDO_APP_SECRET short', { ...REAL, SOCKUDO_APP_SECRET: 'c' }, secretMessage('SOCKUDO_APP_SECRET')],
    ['two weak', { JWT_SECRET: REAL.JWT_SECRET }, secretMessage('ADMIN_TOKEN, SOCKUDO_APP_SECRET')],
    ['PUSHSYNC_DEV_ROUTES without dev', { ...REAL, PUSHSYNC_DEV_ROUTES: '1' }, /PUSHSYNC_DEV_ROUTES=1 needs development mode \(PUSHSYNC_DEV=1 on a loopback HOST\)$/],
    ['PUSHSYNC_DEV_ROUTES in production', { ...REAL, NODE_ENV: 'production', PUSHSYNC_DEV_ROUTES: '1' }, /PUSHSYNC_DEV_ROUTES=1 needs development mode/],
    // PUSHSYNC_DEV=1 only on a loopback address, never in production.
    ['dev in production', { PUSHSYNC_DEV: '1', NODE_ENV: 'production' }, /PUSHSYNC_DEV=1 \(development mode\) is refused with NODE_ENV=production/],
    ['dev on 0.0.0.0', { PUSHSYNC_DEV: '1', HOST: '0.0.0.0' }, /PUSHSYNC_DEV=1 \(development mode\) is refused on HOST=0\.0\.0\.0: only a loopback address \(127\.0\.0\.0\/8, localhost, ::1\)/],
    ['dev on ::', { PUSHSYNC_DEV: '1', HOST: '::' }, /PUSHSYNC_DEV=1 .* refused on HOST=::/],
    ['dev on a LAN address', { PUSHSYNC_DEV: '1', HOST: '192.168.1.20' }, /PUSHSYNC_DEV=1 .* refused on HOST=192\.168\.1\.20/],
    ['dev on a name', { PUSHSYNC_DEV: '1', HOST: 'example.com' }, /PUSHSYNC_DEV=1 .* refused on HOST=example\.com/],
    ['dev with real secrets on 0.0.0.0', { ...REAL, PUSHSYNC_DEV: '1', HOST: '0.0.0.0' }, /PUSHSYNC_DEV=1 .* refused on HOST=0\.0\.0\.0/],
    ['PUSHSYNC_DEV not a flag', { PUSHSYNC_DEV: 'maybe' }, /PUSHSYNC_DEV must be 1\/0/],
    // Tokens live at most 7 days.
    ['TOKEN_TTL 8d', { PUSHSYNC_DEV: '1', TOKEN_TTL: '8d' }, /TOKEN_TTL must be at most 604800 seconds \(7d\), got '8d'$/],
    ['TOKEN_TTL 604801', { ...REAL, TOKEN_TTL: '604801' }, /TOKEN_TTL must be at most 604800 seconds/],
  ];
  for (const [what, env, message] of cases) {
    assert.throws(() => load(env), message, what);
  }

  // What is accepted: real secrets (not in development mode), or development mode on loopback.
  const real = load({ ...REAL, NODE_ENV: 'production', HOST: '0.0.0.0', TOKEN_TTL: '7d' });
  assert.equal(real.dev, false);
  assert.equal(real.devRoutes, false);
  assert.equal(real.tokenTtlSeconds, MAX_TOKEN_TTL_SECONDS);
  for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) {
    const dev = load({ PUSHSYNC_DEV: '1', HOST: host, PUSHSYNC_DEV_ROUTES: '1' });
    assert.equal(dev.dev, true, host);
    assert.equal(dev.devRoutes, true, host);
  }
  assert.equal(load({ PUSHSYNC_DEV: 'true' }).dev, true);
});

test('loopback hosts: 127.0.0.0/8, localhost and ::1 only', () => {
  for (const host of ['127.0.0.1', '127.255.255.254', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1']) assert.ok(isLoopbackHost(host), host);
  for (const host of ['0.0.0.0', '::', '128.0.0.1', '10.0.0.1', '127.0.0.256', '127.0.0', 'localhost.example.com', '', '::2']) assert.ok(!isLoopbackHost(host), host);
});

test('the clock never answers the same or an earlier time twice', () => {
  let wall = 1000;
  const clock = createClock(() => wall);
  assert.equal(clock.tick(), 1000);
  assert.equal(clock.tick(), 1001, 'same millisecond: one later');
  wall = 500; // the system clock steps back
  assert.equal(clock.tick(), 1002);
  wall = 5000;
  assert.equal(clock.tick(), 5000);
  assert.equal(isoTime(Date.UTC(2026, 10, 29, 13, 5, 11, 123)), '2026-11-29T13:05:11.123Z');
});

test('origin patterns: exact, or one wildcard', () => {
  const allowed = originMatcher(['chrome-extension://*', 'http://127.0.0.1:3000', 'https://*.example.com']);
  assert.ok(allowed('chrome-extension://abcdefghijklmnop'));
  assert.ok(allowed('CHROME-EXTENSION://ABC'));
  assert.ok(allowed('http://127.0.0.1:3000'));
  assert.ok(allowed('https://app.example.com'));
  assert.ok(!allowed('http://127.0.0.1:3001'));
  assert.ok(!allowed('https://example.com.evil.org'));
  assert.ok(!allowed('moz-extension://abc'));
  assert.ok(originMatcher(['*'])('https://anything.example'));
});

test('the abuse limits: defaults, overrides, and refusals naming the variable (docs/security.md)', () => {
  const { limits, allowedHosts, trustProxy } = loadConfig({});
  assert.deepEqual(limits, {
    bodyBytes: 64 * 1024,
    adminBodyBytes: 16 * 1024 * 1024,
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 30_000,
    connectionTimeoutMs: 120_000,
    rateWindowMs: 60_000,
    loginPerWindow: 10,
    interactPerWindow: 60,
    channelAuthPerWindow: 120,
  });
  // Development mode answers only to the loopback names (DNS rebinding); a deployment to any host.
  assert.deepEqual(allowedHosts, ['127.0.0.1', 'localhost', '[::1]']);
  assert.deepEqual(loadConfig({ HOST: '127.0.0.2' }).allowedHosts, ['127.0.0.1', 'localhost', '[::1]', '127.0.0.2']);
  assert.deepEqual(load({ ...REAL }).allowedHosts, []);
  assert.deepEqual(load({ ...REAL, ALLOWED_HOSTS: 'Chat.Example.com' }).allowedHosts, ['chat.example.com']);
  assert.equal(trustProxy, false);
  assert.equal(loadConfig({ TRUST_PROXY: '1' }).trustProxy, 1);
  assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.1, 192.168.0.0/16' }).trustProxy, ['10.0.0.1', '192.168.0.0/16']);

  const changed = loadConfig({
    BODY_LIMIT_BYTES: '2048', ADMIN_BODY_LIMIT_BYTES: '4096', HEADERS_TIMEOUT_MS: '500', REQUEST_TIMEOUT_MS: '1000',
    CONNECTION_TIMEOUT_MS: '5000', RATE_LIMIT_WINDOW_MS: '1000', LOGIN_RATE_LIMIT: '1', INTERACT_RATE_LIMIT: '2', CHANNEL_AUTH_RATE_LIMIT: '3',
  }).limits;
  assert.deepEqual(Object.values(changed), [2048, 4096, 500, 1000, 5000, 1000, 1, 2, 3]);

  assert.throws(() => loadConfig({ BODY_LIMIT_BYTES: '10' }), /BODY_LIMIT_BYTES must be an integer from 1024/);
  assert.throws(() => loadConfig({ LOGIN_RATE_LIMIT: '0' }), /LOGIN_RATE_LIMIT must be an integer from 1/);
  assert.throws(() => loadConfig({ INTERACT_RATE_LIMIT: 'lots' }), /INTERACT_RATE_LIMIT/);
  assert.throws(() => loadConfig({ HEADERS_TIMEOUT_MS: '20000', REQUEST_TIMEOUT_MS: '10000' }), /HEADERS_TIMEOUT_MS \(20000\) must not be longer than REQUEST_TIMEOUT_MS/);
  assert.throws(() => loadConfig({ TRUST_PROXY: 'true' }), /TRUST_PROXY must be a hop count/);
  assert.throws(() => loadConfig({ TRUST_PROXY: 'proxy.example' }), /TRUST_PROXY must be a hop count or a comma list/);
});
