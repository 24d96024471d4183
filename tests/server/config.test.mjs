// Configuration parsing, the server clock and origin patterns: the small pure parts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadConfig } from '../../server/src/config.js';
import { createClock, isoTime } from '../../server/src/clock.js';
import { originMatcher } from '../../server/src/cors.js';

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
  assert.deepEqual(roadmap.knobs, { paging: 'newest', maxLimit: 100, unknownParams: 'ignore', sequence: 'all' });
  assert.equal(roadmap.defaultLimit, 50);

  const tuned = loadConfig({
    PUSHSYNC_SERVER_PROFILE: 'Roadmap', PUSHSYNC_ROADMAP_PAGING: 'oldest', PUSHSYNC_ROADMAP_MAX_LIMIT: '20',
    PUSHSYNC_ROADMAP_UNKNOWN_PARAMS: 'refuse', PUSHSYNC_ROADMAP_SEQUENCE: 'some',
  }).profile;
  assert.deepEqual(tuned.knobs, { paging: 'oldest', maxLimit: 20, unknownParams: 'refuse', sequence: 'some' });
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

test('production refuses the public development secrets', () => {
  assert.throws(() => loadConfig({ NODE_ENV: 'production' }), /JWT_SECRET, ADMIN_TOKEN, SOCKUDO_APP_SECRET/);
  assert.doesNotThrow(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'a', ADMIN_TOKEN: 'b', SOCKUDO_APP_SECRET: 'c' }));
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
