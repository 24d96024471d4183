#!/usr/bin/env node
// `node server/src/main.js`: runs the reference app server until SIGINT or SIGTERM.
// Configuration comes from the environment (config.js; docs/server.md lists every variable).
import { startServer } from './server.js';
import { profileSummary } from './profile.js';

let server;
try {
  server = await startServer();
} catch (error) {
  process.stderr.write(`pushsync server: cannot start: ${error.message}\n`);
  process.exit(1);
}

const { config } = server;
process.stdout.write(`pushsync server listening on ${server.url} (db ${config.dbPath}, ` +
  `Sockudo ${config.sockudo.host}:${config.sockudo.port}, app key ${config.sockudo.key}, ` +
  `profile ${profileSummary(config.profile)})\n`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    // Finish the requests in flight and close the database cleanly (WAL checkpoint).
    await server.close();
    process.exit(0);
  });
}
