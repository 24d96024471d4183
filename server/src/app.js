// Assembles the HTTP application from its parts. Everything it uses is passed in, so tests can
// build one in-process with a temporary database and a recording stand-in for Sockudo.
import Fastify from 'fastify';
import cors from '@fastify/cors';
import formbody from '@fastify/formbody';
import { HttpError } from './http-error.js';
import { corsOptions } from './cors.js';
import healthRoutes from './routes/health.js';
import authRoutes from './routes/auth.js';
import sessionRoutes from './routes/sessions.js';
import messageRoutes from './routes/messages.js';
import interactRoutes from './routes/interact.js';
import pusherAuthRoutes from './routes/pusher-auth.js';
import adminRoutes from './routes/admin.js';
import demoRoutes from './routes/demo.js';
import devRoutes from './routes/dev.js';

// A 1,000-message admin batch of long messages must fit; anything larger is a mistake.
const BODY_LIMIT_BYTES = 32 * 1024 * 1024;

/**
 * @param {object} deps `{config, store, realtime, tokens, clock, logger}`; logger has
 *   `info(line)` (request lines, skipped when config.quiet) and `error(line)`.
 * @returns {Promise<import('fastify').FastifyInstance>} ready to `listen`
 */
export async function buildApp(deps) {
  const { config, logger } = deps;
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES });

  await app.register(cors, corsOptions(config.allowedOrigins));
  await app.register(formbody); // pusher-js posts channel auth as application/x-www-form-urlencoded

  // One line per request, after the answer: method, path, status, duration.
  if (!config.quiet) {
    app.addHook('onResponse', async (request, reply) => {
      logger.info(`${request.method} ${request.url} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)}ms`);
    });
  }

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof HttpError) {
      return reply.code(error.statusCode).send({ error: { code: error.code, message: error.message } });
    }
    // Fastify's own refusals: malformed JSON, empty JSON body, unsupported media type, too large.
    if (error.statusCode >= 400 && error.statusCode < 500) {
      const code = error.statusCode === 415 ? 'unsupported_media_type' : error.statusCode === 413 ? 'too_large' : 'bad_request';
      return reply.code(error.statusCode).send({ error: { code, message: error.message } });
    }
    logger.error(`${request.method} ${request.url} failed: ${error.stack ?? error}`);
    return reply.code(500).send({ error: { code: 'internal', message: 'internal server error' } });
  });

  app.setNotFoundHandler((request, reply) => reply.code(404).send({
    error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` },
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
