// Admin-only routes for tests, demos and load (header X-Admin-Token): put messages into any
// session and change them without an assistant turn, and change a session's status.
//
//   POST /api/admin/session/:id/messages  {role?, content, status?, actionPayload?, error?}
//                                         or {messages: [...up to 1000 of those]}
//   POST /api/admin/session/:id/update    {messageId, status, error?}
//   POST /api/admin/session/:id/status    {status}
//
// A batch is validated whole, stored in one transaction and pushed in order, ten events per
// request (triggerBatch).
//
// Pushes go through the profile's publisher (profile.js): with PUSHSYNC_SERVER_PROFILE=roadmap only
// new_message for role "user" leaves the server; assistant and system messages, message_update and
// session_update are stored and answered, never pushed.
import { requireAdmin } from '../access.js';
import { notFound, badRequest } from '../http-error.js';
import {
  MAX_BATCH, ROLES, SESSION_STATUSES, STATUSES, actionPayload, bodyObject, content, messageError, oneOf,
  requiredString, sessionId as sessionIdParam,
} from '../validation.js';
import { events } from '../realtime.js';
import { sessionView } from './sessions.js';

export default async function adminRoutes(app, deps) {
  const { store, realtime, config } = deps;
  // The admin token is checked before the body is read: only the admin may send a large one.
  const adminOnly = { onRequest: async (request) => requireAdmin(request, config.adminToken) };

  async function adminSession(request) {
    const sessionId = sessionIdParam(request.params.id, 'id');
    const session = await store.getSession(sessionId);
    if (!session) throw notFound(`session ${sessionId} does not exist`);
    return session;
  }

  // The one route with a larger body limit (ADMIN_BODY_LIMIT_BYTES): a batch of up to 1,000 messages.
  app.post('/api/admin/session/:id/messages', { ...adminOnly, bodyLimit: config.limits.adminBodyBytes }, async (request, reply) => {
    const session = await adminSession(request);
    const body = bodyObject(request.body);
    const batch = Array.isArray(body.messages);
    const items = batch ? body.messages : [body];
    if (batch && (items.length < 1 || items.length > MAX_BATCH)) {
      throw badRequest(`'messages' must hold 1 to ${MAX_BATCH} messages, got ${items.length}`);
    }
    const inputs = items.map((item, i) => messageInput(item, batch ? `messages[${i}].` : ''));
    const messages = await store.appendMessages(session.sessionId, inputs);
    const announcements = messages.map((message) => events.newMessage(session.sessionId, message));
    if (batch) await realtime.publishAll(announcements);
    else await realtime.publish(announcements[0]);
    reply.code(201);
    return { messages };
  });

  app.post('/api/admin/session/:id/update', adminOnly, async (request) => {
    const session = await adminSession(request);
    const body = bodyObject(request.body);
    const messageId = requiredString(body.messageId, 'messageId', { max: 64 });
    const status = oneOf(body.status, 'status', STATUSES);
    const error = messageError(body.error);
    const message = await store.updateMessage(session.sessionId, messageId, { status, error });
    if (!message) throw notFound(`message ${messageId} is not in session ${session.sessionId}`);
    await realtime.publish(events.messageUpdate(session.sessionId, message));
    return { message };
  });

  app.post('/api/admin/session/:id/status', adminOnly, async (request) => {
    const session = await adminSession(request);
    const status = oneOf(bodyObject(request.body).status, 'status', SESSION_STATUSES);
    const updated = await store.setSessionStatus(session.sessionId, status);
    await realtime.publish(events.sessionUpdate(updated));
    return { session: sessionView(updated) };
  });
}

function messageInput(item, where) {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) throw badRequest(`'${where || 'body'}' must be an object`);
  return {
    role: oneOf(item.role, `${where}role`, ROLES, 'assistant'),
    content: content(item.content, `${where}content`),
    status: oneOf(item.status, `${where}status`, STATUSES, 'sent'),
    actionPayload: actionPayload(item.actionPayload, `${where}actionPayload`),
    error: messageError(item.error, `${where}error`),
  };
}
