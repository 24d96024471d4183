// GET /api/sessions and POST /api/sessions {title?}: the caller's chat sessions.
import { requireUser } from '../access.js';
import { bodyObject, optionalString } from '../validation.js';

const DEFAULT_TITLE = 'New chat';

/** A session as the API shows it (without the owner's id). */
export function sessionView({ sessionId, title, status, createdAt, updatedAt }) {
  return { sessionId, title, status, createdAt, updatedAt };
}

export default async function sessionRoutes(app, deps) {
  const { store } = deps;

  app.get('/api/sessions', async (request) => {
    const user = await requireUser(request, deps);
    return { sessions: (await store.listSessions(user.id)).map(sessionView) };
  });

  app.post('/api/sessions', async (request, reply) => {
    const user = await requireUser(request, deps);
    // An empty body (no Content-Type) is allowed: every field is optional.
    const body = request.body === undefined || request.body === null ? {} : bodyObject(request.body);
    const title = optionalString(body.title, 'title', { max: 200 })?.trim() || DEFAULT_TITLE;
    const session = await store.createSession(user.id, title);
    reply.code(201);
    return { sessionId: session.sessionId, title: session.title, createdAt: session.createdAt };
  });
}
