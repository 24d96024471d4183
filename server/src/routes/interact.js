// POST /api/agent/interact {sessionId, content, clientMessageId?}
//
// Stores the user's message (its sequence number taken in the same transaction), announces it
// with `new_message`, runs the scripted assistant turn (assistant.js) and answers
// `{userMessage, assistantMessage, response: {taskId, action, thought, status, ...}}`.
//
// The messages in the answer are shown as the server profile shows them (profile.js: with
// PUSHSYNC_ROADMAP_SEQUENCE=some the assistant's carry no sequenceNumber).
//
// Retries are safe: with a clientMessageId already stored in this session, nothing is stored or
// pushed again; the answer is the stored turn as it stands (`replayed: true`; its status is
// "running" while the first request is still going).
import { ownedSession, requireUser } from '../access.js';
import { bodyObject, content as contentField, optionalString, sessionId as sessionIdField } from '../validation.js';
import { conflict } from '../http-error.js';
import { planReply, runAssistantTurn, turnResponse } from '../assistant.js';
import { events } from '../realtime.js';
import { messageView } from '../profile.js';
import { rateLimits } from '../limits.js';

export default async function interactRoutes(app, deps) {
  const { store, realtime, config } = deps;
  const { profile } = config;
  const view = (message) => messageView(profile, message);

  // Per user, counted before the body is read (limits.js): INTERACT_RATE_LIMIT a window, then 429.
  app.post('/api/agent/interact', { config: { rateLimit: rateLimits(config, deps).interact } }, async (request) => {
    const user = await requireUser(request, deps);
    const body = bodyObject(request.body);
    const sessionId = sessionIdField(body.sessionId);
    const content = contentField(body.content);
    // A backend that does not know the field (the roadmap's, by default) ignores it.
    const sent = optionalString(body.clientMessageId, 'clientMessageId', { max: 128 });
    const clientMessageId = profile.honoursClientMessageId ? sent : undefined;
    await ownedSession(store, user, sessionId);

    const { action, thought } = planReply(content);
    const started = await store.startTurn(sessionId, { content, clientMessageId, action, thought });
    if (started.replayed) return replay(started, content);

    await realtime.publish(events.newMessage(sessionId, started.userMessage));
    const { assistantMessage, response } = await runAssistantTurn(
      { store, realtime, stepMs: config.assistantStepMs, storedFinal: profile.assistantStoredFinal }, started.turn, content);
    return { userMessage: view(started.userMessage), assistantMessage: view(assistantMessage), response };
  });

  async function replay({ userMessage, turn }, content) {
    // `content` is normalised as it was stored (validation.js: lone surrogates become U+FFFD), so
    // a true retry matches what is stored and only other content is a conflict.
    if (userMessage.content !== content) {
      throw conflict(`clientMessageId '${userMessage.clientMessageId}' was already used in this session for different content`);
    }
    const assistantMessage = turn?.assistantMessageId ? await store.getMessageById(turn.assistantMessageId) : null;
    return {
      userMessage: view(userMessage),
      assistantMessage: view(assistantMessage) ?? null,
      response: turn ? turnResponse(turn, assistantMessage) : null,
      replayed: true,
    };
  }
}
