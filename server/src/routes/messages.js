// GET /api/session/:id/messages?limit=&afterSequence=&since=: one page of a session's messages,
// ascending by sequence number, plus `hasMore` and `serverTime` (a safe `since` cursor for a
// client that has no message yet: every later change has a later updatedAt).
import { ownedSession, requireUser } from '../access.js';
import { pageQuery, sessionId as sessionIdParam } from '../validation.js';
import { isoTime } from '../clock.js';

export default async function messageRoutes(app, deps) {
  const { store, clock } = deps;

  app.get('/api/session/:id/messages', async (request) => {
    const user = await requireUser(request, deps);
    const sessionId = sessionIdParam(request.params.id, 'id');
    const page = pageQuery(request.query);
    await ownedSession(store, user, sessionId);
    // Read the time right before the query (no write can run in between: the SQLite store is
    // synchronous), so anything that changes after this answer has a later updatedAt.
    const serverTime = isoTime(clock.tick());
    const { messages, hasMore } = await store.listMessages(sessionId, page);
    return { messages, hasMore, serverTime };
  });
}
