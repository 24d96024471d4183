// Assembles the HTTP application from its parts. Everything it uses is passed in, so tests can
// build one in-process with a temporary database and a recording stand-in for Sockudo.
import Fastify from 'fastify';
import cors from '@fastify/cors';
import formbody from '@fastify/formbody';
import { HttpError, MAX_ECHO_CHARS, boundedMessage, echo } from './http-error.js';
import { corsOptions } from './cors.js';
import { hostAllowList, registerRateLimits, serverOptions } from './limits.js';
import healthRoutes from './routes/health.js';
import authRoutes from './routes/auth.js';
import sessionRoutes from './routes/sessions.js';
import messageRoutes from './routes/messages.js';
import interactRoutes from './routes/interact.js';
import pusherAuthRoutes from './routes/pusher-auth.js';
import adminRoutes from './routes/admin.js';
import demoRoutes from './routes/demo.js';
import devRoutes from './routes/dev.js';

// What a request line shows of the query: the parameter names, never their values (a value may
// be a token or a person's text), at most this many.
const LOGGED_QUERY_NAMES = 8;

/**
 * "GET /api/session/<id>/messages?limit&since": the path and the query's parameter names.
 * @param {string} url the request's url (path and query)
 */
export function loggedTarget(url) {
  const [path, query] = String(url).split('?', 2);
  const names = query === undefined ? [] : query.split('&').map((pair) => pair.split('=')[0]).filter(Boolean);
  const shown = names.slice(0, LOGGED_QUERY_NAMES).map((name) => name.slice(0, 32));
  if (names.length > LOGGED_QUERY_NAMES) shown.push('…');
  return path.slice(0, 256) + (shown.length ? `?${shown.join('&')}` : '');
}

// What fastify's router refuses before any route runs (its own answers would repeat the whole URL).
const ROUTER_REFUSALS = {
  FST_ERR_BAD_URL: [400, 'bad_request', 'the URL is not valid (a malformed percent-encoding?)'],
  FST_ERR_MAX_PARAM_LENGTH: [414, 'too_long', 'a path parameter is longer than 100 characters'],
};

function frameworkErrors(error, request, reply) {
  const [status, code, message] = ROUTER_REFUSALS[error.code] ?? [400, 'bad_request', 'the request cannot be routed'];
  return reply.code(status).send({ error: { code, message } });
}

// The codes of fastify's own 4xx refusals, by status.
const FASTIFY_CODES = { 413: 'too_large', 415: 'unsupported_media_type' };

/**
 * @param {object} deps `{config, store, realtime, tokens, clock, logger}`; logger has
 *   `info(line)` (request lines, skipped when config.quiet) and `error(line)`.
 * @returns {Promise<import('fastify').FastifyInstance>} ready to `listen`
 */
export async function buildApp(deps) {
  const { config, logger } = deps;
  const app = Fastify({ ...serverOptions(config), frameworkErrors });

  hostAllowList(app, config);
  await app.register(cors, corsOptions(config.allowedOrigins));
  await app.register(formbody); // pusher-js posts channel auth as application/x-www-form-urlencoded
  await registerRateLimits(app);

  // One line per request, after the answer: method, path (query names only), status, duration.
  if (!config.quiet) {
    app.addHook('onResponse', async (request, reply) => {
      logger.info(`${request.method} ${loggedTarget(request.url)} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)}ms`);
    });
  }

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof HttpError) {
      return reply.code(error.statusCode).send({ error: { code: error.code, message: boundedMessage(error.message) } });
    }
    // Fastify's own refusals: malformed JSON, empty JSON body, unsupported media type, too large.
    if (error.statusCode >= 400 && error.statusCode < 500) {
      const code = FASTIFY_CODES[error.statusCode] ?? 'bad_request';
      return reply.code(error.statusCode).send({ error: { code, message: boundedMessage(error.message) } });
    }
    logger.error(`${request.method} ${loggedTarget(request.url)} failed: ${error.stack ?? error}`);
    return reply.code(500).send({ error: { code: 'internal', message: 'internal server error' } });
  });

  app.setNotFoundHandler((request, reply) => reply.code(404).send({
    error: { code: 'not_found', message: `no route ${echo(request.method, 16)} ${echo(request.url.split('?')[0], 2 * MAX_ECHO_CHARS)}` },
  }));

  for (const routes of [healthRoutes, authRoutes, sessionRoutes, messageRoutes, interactRoutes, pusherAuthRoutes, adminRoutes]) {
    await app.register(routes, deps);
  }
  // The demo page logs in as the public demo users: development mode only (PUSHSYNC_DEV=1).
  if (config.dev) await app.register(demoRoutes, deps);
  // Stopping Sockudo and bursts with the admin token kept here: never unless asked for.
  if (config.devRoutes) await app.register(devRoutes, deps);
  return app;
}
