// The scripted assistant of POST /api/agent/interact. It stands in for the product's agent: it does
// no real work, but it produces the same sequence of stored messages and events, with the same
// timing shape, so clients can be tested against it. In the full profile:
//
//   typing{thinking} -> typing{executing} -> new_message(assistant, pending) -> typing{verifying}
//   -> message_update(success|failure) -> typing{isTyping:false} -> interact_response
//
// With `storedFinal` (the roadmap profile, profile.js) the assistant message is stored once, in its
// final status, when the turn ends and before interact_response: never pending, never updated.
//
//   typing{thinking} -> typing{executing} -> (pauses) -> assistant message stored, final
//   -> new_message(assistant, success|failure) -> typing{isTyping:false} -> interact_response
//
// Which events leave the server is decided by the profile's publisher (profileRealtime), not here:
// of this second sequence the roadmap profile sends only interact_response.
//
// Its answer is a pure function of the user's content, so tests can predict it. The content
// "fail" (any case, surrounding spaces ignored) makes the turn fail with an error.
import { setTimeout as sleep } from 'node:timers/promises';
import { events } from './realtime.js';

/** What the assistant will do for `content`: the plan stored with the turn before it runs. */
export function planReply(content) {
  const fails = content.trim().toLowerCase() === 'fail';
  return {
    action: fails ? 'fail' : 'echo',
    thought: fails
      ? 'The user asked for a failure; the scripted assistant fails on purpose.'
      : 'The scripted assistant echoes what the user wrote.',
    fails,
    reply: fails ? 'I could not complete that request.' : `Echo: ${content}`,
    error: fails ? { code: 'task_failed', message: 'The scripted assistant fails when asked to "fail".' } : undefined,
  };
}

/** The `response` / `interact_response.data` object of a turn. */
export function turnResponse(turn, assistantMessage) {
  const data = { taskId: turn.taskId, action: turn.action, thought: turn.thought, status: turn.status, userMessageId: turn.userMessageId };
  if (assistantMessage) data.assistantMessageId = assistantMessage.messageId;
  return data;
}

/**
 * Runs the assistant's part of a turn whose user message is already stored and announced.
 * @param {object} deps `{store, realtime, stepMs, storedFinal}`
 * @param {object} turn the turn from `store.startTurn` (status "running")
 * @param {string} content the user's content
 * @returns {Promise<{assistantMessage: object, response: object}>}
 */
export async function runAssistantTurn({ store, realtime, stepMs, storedFinal = false }, turn, content) {
  const plan = planReply(content);
  const sessionId = turn.sessionId;
  const step = () => (stepMs > 0 ? sleep(stepMs) : Promise.resolve());
  const status = plan.fails ? 'failed' : 'completed';
  const messageStatus = plan.fails ? 'failure' : 'success';
  const actionPayload = { taskId: turn.taskId, action: plan.action };

  await realtime.publish(events.typing(sessionId, true, 'thinking'));
  await step();
  await realtime.publish(events.typing(sessionId, true, 'executing'));
  await step();
  let assistantMessage;
  if (storedFinal) {
    // The same four pauses in all, so a turn takes as long as in the full profile.
    await step();
    await step();
    assistantMessage = await store.completeTurn(turn.taskId, {
      status,
      message: { content: plan.reply, status: messageStatus, actionPayload, error: plan.error },
    });
    await realtime.publish(events.newMessage(sessionId, assistantMessage));
  } else {
    const pending = await store.addAssistantMessage(turn.taskId, { content: plan.reply, status: 'pending', actionPayload });
    await realtime.publish(events.newMessage(sessionId, pending));
    await step();
    await realtime.publish(events.typing(sessionId, true, 'verifying'));
    await step();
    assistantMessage = await store.finishTurn(turn.taskId, { status, messageStatus, error: plan.error });
    await realtime.publish(events.messageUpdate(sessionId, assistantMessage));
  }
  await realtime.publish(events.typing(sessionId, false));
  const response = turnResponse({ ...turn, status }, assistantMessage);
  await realtime.publish(events.interactResponse(sessionId, response));
  return { assistantMessage, response };
}
