// GET /api/health: answers while the process serves requests and the database answers, so the
// stack script and load balancers can wait for it.

export default async function healthRoutes(app, { store }) {
  app.get('/api/health', async () => {
    await store.countUsers(); // a real query: a broken database file makes this a 500
    return { ok: true };
  });
}
