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
