// The server's abuse limits in one place (docs/security.md): body sizes and timeouts (fastify's
// options), the Host allow-list, and the rate limits of the routes a stranger can drive over and
// over (login, interact, channel auth). Every number comes from config.limits (config.js), so a
// deployment or a test stack changes them through the environment, never by code.
import rateLimit from '@fastify/rate-limit';
import { identify } from './access.js';
import { HttpError, echo, tooManyRequests } from './http-error.js';

// Keys each limited route remembers (an LRU per route); older keys are forgotten first.
const RATE_KEYS_KEPT = 10_000;

/** Fastify's constructor options for the limits: bodies, timeouts, which proxy to believe. */
export function serverOptions(config) {
  const { limits } = config;
  return {
    logger: false,
    bodyLimit: limits.bodyBytes,
    // Until the whole request (headers and body) has arrived; answering may take longer.
    requestTimeout: limits.requestTimeoutMs,
    // An idle socket, in both directions (also while a handler runs).
    connectionTimeout: limits.connectionTimeoutMs,
    trustProxy: config.trustProxy,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      // Node checks the two timeouts above only this often (its default, 30 s, would let a slow
      // sender hold a connection up to twice as long as asked).
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    },
  };
}

/**
 * Refuses a request whose Host is not in config.allowedHosts (when the list is not empty) with a
 * 403 `host_not_allowed`: a page of another site rebound to this address (DNS rebinding) gets
 * nothing, neither the demo page and its config nor the API with the public demo logins.
 */
export function hostAllowList(app, config) {
  if (config.allowedHosts.length === 0) return;
  const allowed = new Set(config.allowedHosts);
  app.addHook('onRequest', async (request) => {
    const name = hostName(request.headers.host);
    if (!allowed.has(name)) {
      throw new HttpError(403, 'host_not_allowed', `this server does not answer for the host '${echo(name)}' ` +
        '(ALLOWED_HOSTS lists the names it answers for)');
    }
  });
}

// The host name of a Host header, lowercase, without the port: "[::1]:3000" -> "[::1]".
function hostName(header) {
  const host = String(header ?? '').trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}

/** Registers @fastify/rate-limit for the routes that ask for it (rateLimits() below); no global limit. */
export async function registerRateLimits(app) {
  await app.register(rateLimit, { global: false, cache: RATE_KEYS_KEPT });
}

/**
 * The `config.rateLimit` of each limited route: a 429 `rate_limited` with `Retry-After` (seconds)
 * past `max` requests in a window.
 *   login         per client IP and email, after the body is read (the email is in it)
 *   interact      per user (the bearer token's), before the body is read
 *   channelAuth   per user, before the body is read
 * A request without a valid token counts against its IP address.
 */
export function rateLimits(config, deps) {
  const { limits } = config;
  const byUser = async (request) => {
    const who = await identify(request, deps);
    return who.ok ? `user:${who.user.id}` : `ip:${request.ip}`;
  };
  const limit = (max, what, extra) => ({
    max,
    timeWindow: limits.rateWindowMs,
    cache: RATE_KEYS_KEPT,
    errorResponseBuilder: (request, context) => tooManyRequests(`too many ${what}: at most ${context.max} per ` +
      `${limits.rateWindowMs / 1000} s; retry in ${Math.max(1, Math.ceil(context.ttl / 1000))} s (Retry-After)`),
    ...extra,
  });
  return {
    login: limit(limits.loginPerWindow, 'login attempts for this email from this address', {
      hook: 'preValidation',
      keyGenerator: (request) => `${request.ip}|${loginEmail(request.body)}`,
    }),
    interact: limit(limits.interactPerWindow, 'messages from this user', { keyGenerator: byUser }),
    channelAuth: limit(limits.channelAuthPerWindow, 'channel authorizations for this user', { keyGenerator: byUser }),
  };
}

// The email as the login looks it up (trimmed, lowercase), so "Alice@" and "alice@" share a count.
function loginEmail(body) {
  const email = body && typeof body === 'object' ? body.email : undefined;
  return typeof email === 'string' ? email.trim().toLowerCase().slice(0, 320) : '';
}
