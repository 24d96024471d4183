// Starts and stops a whole server: configuration in, a listening HTTP server out. main.js uses it
// for the real process and tests use it in-process (with `realtime` swapped for a recorder).
import { loadConfig, MAX_TOKEN_TTL_SECONDS } from './config.js';
import { createClock } from './clock.js';
import { openStore } from './store.js';
import { createTokens } from './tokens.js';
import { createRealtime } from './realtime.js';
import { profileRealtime } from './profile.js';
import { seedDemoUsers } from './seed.js';
import { buildApp } from './app.js';

export const consoleLogger = {
  info: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
  error: (line) => process.stderr.write(`${new Date().toISOString()} ERROR ${line}\n`),
};

/**
 * @param {object} [options]
 * @param {Record<string, string>} [options.env] environment to read the configuration from
 * @param {object} [options.logger] `{info, error}`
 * @param {object} [options.realtime] a stand-in for the Sockudo publisher (tests)
 * @returns {Promise<{app, config, store, url: string, close: () => Promise<void>}>}
 */
export async function startServer({ env = process.env, logger = consoleLogger, realtime } = {}) {
  const config = loadConfig(env);
  const clock = createClock();
  const store = openStore({ dbPath: config.dbPath, clock });
  try {
    // The demo users' passwords are public: development mode only (config.js).
    if (config.dev) await seedDemoUsers(store);
    const interrupted = await store.failInterruptedTurns({ code: 'interrupted', message: 'The server restarted during this turn.' });
    if (interrupted) logger.error(`${interrupted} assistant turn(s) were cut short by a restart; marked failed`);
    const deps = {
      config,
      store,
      clock,
      logger,
      tokens: createTokens({ secret: config.jwtSecret, ttlSeconds: config.tokenTtlSeconds, maxTtlSeconds: MAX_TOKEN_TTL_SECONDS }),
      // What the profile does not send never reaches Sockudo (nor the stand-in of a test).
      realtime: profileRealtime(realtime ?? createRealtime(config.sockudo, logger.error), config.profile),
    };
    const app = await buildApp(deps);
    await app.listen({ host: config.host, port: config.port });
    const { port } = app.server.address();
    return {
      app,
      config,
      store,
      url: `http://${config.host}:${port}`,
      async close() {
        await app.close();
        store.close();
      },
    };
  } catch (error) {
    store.close();
    throw error;
  }
}
