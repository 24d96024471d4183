// Every setting of the reference server, read from the environment in one place, with development
// defaults for development. Invalid values stop the server at start-up with a sentence naming the
// variable, instead of failing later on a request.
//
// It fails closed: the development defaults (public secrets, demo users, the demo page, the dev
// routes) need PUSHSYNC_DEV=1, which toolchain/stack sets; without it every secret must be set, at
// least MIN_SECRET_LENGTH characters long. PUSHSYNC_DEV=1 itself is refused on a non-loopback HOST
// and with NODE_ENV=production.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProfile } from './profile.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// The development defaults. They are public, so production must not run on them (see below).
export const DEV_DEFAULTS = Object.freeze({
  appId: 'pushsync-app',
  appKey: 'pushsync-key',
  appSecret: 'pushsync-secret',
  jwtSecret: 'pushsync-dev-jwt-secret',
  adminToken: 'pushsync-admin',
});

export const MIN_SECRET_LENGTH = 32;
// The longest token lifetime TOKEN_TTL may ask for (tokens.js refuses a token that lives longer).
export const MAX_TOKEN_TTL_SECONDS = 7 * 86400;

// Any extension id, plus the demo page served next to the app server.
const DEFAULT_ALLOWED_ORIGINS = ['chrome-extension://*', 'http://127.0.0.1:3000', 'http://localhost:3000'];
// The names a browser on this machine reaches a development server by. Any other Host header on a
// server bound to loopback is a page of another site whose name was rebound to 127.0.0.1 (DNS
// rebinding): it would be same-origin with the demo page and the public demo logins.
const LOOPBACK_HOST_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

const KIB = 1024;
const MIB = 1024 * KIB;
// The abuse limits (docs/security.md gives the reasons for each default).
export const LIMIT_DEFAULTS = Object.freeze({
  // The largest legitimate body outside the admin batch is one interact: 16,384 characters of
  // content, at most 3 bytes each in UTF-8 (48 KiB), plus the JSON around it.
  bodyBytes: 64 * KIB,
  // 1,000 messages of the longest (ASCII) content with their JSON; only after X-Admin-Token.
  adminBodyBytes: 16 * MIB,
  // Headers and the whole request must arrive within these; a slow sender holds a connection no
  // longer. The connection timeout (idle socket) is longer than the slowest handler (the dev
  // route that starts Sockudo waits up to 90 s).
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  connectionTimeoutMs: 120_000,
  // Per window: a person types far slower; a brute force of passwords gets 10 guesses a minute.
  rateWindowMs: 60_000,
  loginPerWindow: 10, // per client IP and email
  interactPerWindow: 60, // per user: one message a second, sustained for a minute
  channelAuthPerWindow: 120, // per user: a reconnect storm of a few tabs and sessions stays under it
});
const MAX_RATE = 1_000_000;

/**
 * Builds the configuration from `env` (process.env by default).
 * @param {Record<string, string|undefined>} env
 * @returns {Readonly<object>} the settings; throws an Error naming the variable when one is invalid.
 */
export function loadConfig(env = process.env) {
  const dev = flag(env, 'PUSHSYNC_DEV', false);
  const config = {
    // Development mode: the public defaults, demo users, the demo page (see the top of this file).
    dev,
    host: text(env, 'HOST', '127.0.0.1'),
    port: integer(env, 'PORT', 3000, 0, 65535),
    dbPath: path.resolve(text(env, 'DB_PATH', path.join(env.RUN_DIR || path.join(repoRoot, 'run'), 'pushsync.sqlite'))),
    jwtSecret: text(env, 'JWT_SECRET', DEV_DEFAULTS.jwtSecret),
    tokenTtlSeconds: duration(env, 'TOKEN_TTL', '12h', MAX_TOKEN_TTL_SECONDS),
    adminToken: text(env, 'ADMIN_TOKEN', DEV_DEFAULTS.adminToken),
    allowedOrigins: list(env, 'ALLOWED_ORIGINS', DEFAULT_ALLOWED_ORIGINS),
    assistantStepMs: integer(env, 'ASSISTANT_STEP_MS', 300, 0, 60_000),
    quiet: flag(env, 'QUIET', false),
    // The demo page (routes/demo.js) and its development-only routes (routes/dev.js).
    demoDir: path.resolve(text(env, 'DEMO_DIR', path.join(repoRoot, 'demo', 'dist'))),
    devRoutes: flag(env, 'PUSHSYNC_DEV_ROUTES', false),
    stackScript: path.resolve(text(env, 'PUSHSYNC_STACK', path.join(repoRoot, 'toolchain', 'stack'))),
    // Which backend the server plays: its events and REST dialect (profile.js).
    profile: loadProfile(env),
    // Host names the server answers to (DNS rebinding, see above); empty: any. In development mode
    // the loopback names by default (a wider list must be asked for).
    allowedHosts: list(env, 'ALLOWED_HOSTS', dev ? loopbackHostNames(text(env, 'HOST', '127.0.0.1')) : [])
      .map((name) => name.toLowerCase()),
    // Proxies whose X-Forwarded-For names the client (for the per-IP login limit): off by default,
    // else a hop count or a comma list of addresses/CIDRs (fastify's trustProxy).
    trustProxy: trustProxy(env, 'TRUST_PROXY'),
    limits: {
      bodyBytes: integer(env, 'BODY_LIMIT_BYTES', LIMIT_DEFAULTS.bodyBytes, KIB, 16 * MIB),
      adminBodyBytes: integer(env, 'ADMIN_BODY_LIMIT_BYTES', LIMIT_DEFAULTS.adminBodyBytes, KIB, 256 * MIB),
      headersTimeoutMs: integer(env, 'HEADERS_TIMEOUT_MS', LIMIT_DEFAULTS.headersTimeoutMs, 100, 600_000),
      requestTimeoutMs: integer(env, 'REQUEST_TIMEOUT_MS', LIMIT_DEFAULTS.requestTimeoutMs, 100, 600_000),
      connectionTimeoutMs: integer(env, 'CONNECTION_TIMEOUT_MS', LIMIT_DEFAULTS.connectionTimeoutMs, 100, 3_600_000),
      rateWindowMs: integer(env, 'RATE_LIMIT_WINDOW_MS', LIMIT_DEFAULTS.rateWindowMs, 1000, 3_600_000),
      loginPerWindow: integer(env, 'LOGIN_RATE_LIMIT', LIMIT_DEFAULTS.loginPerWindow, 1, MAX_RATE),
      interactPerWindow: integer(env, 'INTERACT_RATE_LIMIT', LIMIT_DEFAULTS.interactPerWindow, 1, MAX_RATE),
      channelAuthPerWindow: integer(env, 'CHANNEL_AUTH_RATE_LIMIT', LIMIT_DEFAULTS.channelAuthPerWindow, 1, MAX_RATE),
    },
    sockudo: {
      host: text(env, 'SOCKUDO_HOST', '127.0.0.1'),
      port: integer(env, 'SOCKUDO_PORT', 3005, 1, 65535),
      appId: text(env, 'SOCKUDO_APP_ID', DEV_DEFAULTS.appId),
      key: text(env, 'SOCKUDO_APP_KEY', DEV_DEFAULTS.appKey),
      secret: text(env, 'SOCKUDO_APP_SECRET', DEV_DEFAULTS.appSecret),
      // A trigger that hangs would hold the interact request; clients recover through REST anyway.
      timeoutMs: integer(env, 'TRIGGER_TIMEOUT_MS', 2000, 100, 60_000),
    },
  };
  const { headersTimeoutMs, requestTimeoutMs } = config.limits;
  // Node refuses a headers timeout longer than the request timeout (the headers are part of it).
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new Error(`HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not be longer than REQUEST_TIMEOUT_MS (${requestTimeoutMs})`);
  }
  if (dev) refuseDevOutsideDevelopment(config, env);
  else refuseDevSettings(config);
  return Object.freeze(config);
}

/** PUSHSYNC_DEV=1 only on this machine, and never together with NODE_ENV=production. */
function refuseDevOutsideDevelopment(config, env) {
  if (env.NODE_ENV === 'production') {
    throw new Error('PUSHSYNC_DEV=1 (development mode) is refused with NODE_ENV=production; unset one of them');
  }
  if (!isLoopbackHost(config.host)) {
    throw new Error(`PUSHSYNC_DEV=1 (development mode) is refused on HOST=${config.host}: only a loopback address ` +
      '(127.0.0.0/8, localhost, ::1) may run on the public development secrets');
  }
}

/** Without PUSHSYNC_DEV=1: real secrets, no development routes. */
function refuseDevSettings(config) {
  const secrets = [
    ['JWT_SECRET', config.jwtSecret, DEV_DEFAULTS.jwtSecret],
    ['ADMIN_TOKEN', config.adminToken, DEV_DEFAULTS.adminToken],
    ['SOCKUDO_APP_SECRET', config.sockudo.secret, DEV_DEFAULTS.appSecret],
  ];
  const weak = secrets
    .filter(([, value, fallback]) => value === fallback || value.length < MIN_SECRET_LENGTH)
    .map(([name]) => name);
  if (weak.length) {
    throw new Error(`${weak.join(', ')} must be set to a secret of at least ${MIN_SECRET_LENGTH} characters ` +
      '(not the development default); for a local development server set PUSHSYNC_DEV=1 (toolchain/stack does)');
  }
  if (config.devRoutes) {
    throw new Error('PUSHSYNC_DEV_ROUTES=1 needs development mode (PUSHSYNC_DEV=1 on a loopback HOST)');
  }
}

/** 127.0.0.0/8, localhost, ::1 (also bracketed or as ::ffff:127.x.y.z). */
export function isLoopbackHost(host) {
  const name = String(host).trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (name === 'localhost' || name === '::1' || name === '0:0:0:0:0:0:0:1') return true;
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(name);
  return Boolean(v4) && v4.slice(1).every((part) => Number(part) <= 255) && Number(v4[1]) === 127;
}

/** The loopback names, plus HOST itself when it is another loopback address (127.0.0.2). */
function loopbackHostNames(host) {
  const own = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return LOOPBACK_HOST_NAMES.includes(own) || !isLoopbackHost(host) ? LOOPBACK_HOST_NAMES : [...LOOPBACK_HOST_NAMES, own];
}

// Off, a hop count ("1"), or addresses and CIDRs ("10.0.0.1,192.168.0.0/16"). Not "true": that
// would believe any X-Forwarded-For, and a client could pick its own rate-limit key.
function trustProxy(env, name) {
  const raw = text(env, name, '').trim();
  if (raw === '' || /^(0|false|no|off)$/i.test(raw)) return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  if (/^(true|yes|on)$/i.test(raw)) throw new Error(`${name} must be a hop count or a list of proxy addresses, got '${raw}'`);
  const items = raw.split(',').map((item) => item.trim()).filter(Boolean);
  if (!items.every((item) => /^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(item))) {
    throw new Error(`${name} must be a hop count or a comma list of IP addresses or CIDRs, got '${raw}'`);
  }
  return items;
}

function text(env, name, fallback) {
  const value = env[name];
  return value === undefined || value === '' ? fallback : value;
}

function integer(env, name, fallback, min, max) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got '${raw}'`);
  }
  return value;
}

function flag(env, name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new Error(`${name} must be 1/0, true/false, yes/no or on/off, got '${raw}'`);
}

function list(env, name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  return raw.split(',').map((item) => item.trim()).filter(Boolean);
}

// Seconds, or a number with a unit: "90", "45s", "30m", "12h", "7d"; at most `maxSeconds`.
function duration(env, name, fallback, maxSeconds) {
  const raw = text(env, name, fallback);
  const match = /^(\d+)\s*([smhd]?)$/.exec(raw.trim());
  const seconds = match ? Number(match[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2]] : 0;
  if (!match || seconds < 1) throw new Error(`${name} must be seconds or a number with s/m/h/d (e.g. 12h), got '${raw}'`);
  if (seconds > maxSeconds) throw new Error(`${name} must be at most ${maxSeconds} seconds (${maxSeconds / 86400}d), got '${raw}'`);
  return seconds;
}
