// GET /api/health: answers while the process serves requests and the database answers, so the
// stack script and load balancers can wait for it. It also names the server profile (profile.js),
// so tests, the demo and `toolchain/stack status` can tell which backend they talk to:
// `{ok: true, profile: "full"}` or `{ok: true, profile: "roadmap", paging, maxLimit, unknownParams, sequence}`.
import { describeProfile } from '../profile.js';

export default async function healthRoutes(app, { store, config }) {
  app.get('/api/health', async () => {
    await store.countUsers(); // a real query: a broken database file makes this a 500
    return { ok: true, ...describeProfile(config.profile) };
  });
}
