// GET /api/session/:id/messages: one page of a session's messages, ascending by sequence number,
// in the dialect of the server profile (profile.js):
//
//   paged (full profile)   ?limit=&afterSequence=&since= (since on updatedAt), answering
//                          {messages, hasMore, serverTime} (serverTime: a safe `since` cursor for a
//                          client that has no message yet: every later change has a later updatedAt)
//   roadmap                ?limit=&since= (since on the creation timestamp; other parameters ignored
//                          or refused), answering {messages} only: the newest or the oldest `limit`
import { ownedSession, requireUser } from '../access.js';
import { pageQuery, roadmapPageQuery, sessionId as sessionIdParam } from '../validation.js';
import { isoTime } from '../clock.js';
import { messageView } from '../profile.js';

export default async function messageRoutes(app, deps) {
  const { store, clock, config } = deps;
  const { profile } = config;

  app.get('/api/session/:id/messages', profile.pagedDialect ? paged : roadmap);

  async function paged(request) {
    const user = await requireUser(request, deps);
    const sessionId = sessionIdParam(request.params.id, 'id');
    const page = pageQuery(request.query);
    await ownedSession(store, user, sessionId);
    // Read the time right before the query (no write can run in between: the SQLite store is
    // synchronous), so anything that changes after this answer has a later updatedAt.
    const serverTime = isoTime(clock.tick());
    const { messages, hasMore } = await store.listMessages(sessionId, page);
    return { messages, hasMore, serverTime };
  }

  async function roadmap(request) {
    const user = await requireUser(request, deps);
    const sessionId = sessionIdParam(request.params.id, 'id');
    const page = roadmapPageQuery(request.query, profile);
    await ownedSession(store, user, sessionId);
    const messages = await store.listMessagesCreatedAfter(sessionId, { ...page, fromNewest: profile.pagesFromNewest });
    return { messages: messages.map((message) => messageView(profile, message)) };
  }
}
