// The stub Pusher and app servers (pusher-server.mjs, app-server.mjs) fresh for every test of a
// file: started before each test, and after it every Sync the test left in `syncs` destroyed and
// both servers closed.
import { afterEach, beforeEach } from 'node:test';
import { startAppServer } from './app-server.mjs';
import { startPusherServer } from './pusher-server.mjs';

/** `{pusher, app, syncs}`: `pusher` and `app` are the current test's servers. */
export function stubServersEachTest() {
  const servers = { pusher: undefined, app: undefined, syncs: [] };
  beforeEach(async () => {
    servers.pusher = await startPusherServer();
    servers.app = await startAppServer({ pusher: servers.pusher });
  });
  afterEach(async () => {
    for (const sync of servers.syncs.splice(0)) await sync.destroy();
    await servers.pusher.close();
    await servers.app.close();
  });
  return servers;
}
