// The server profile: which backend the reference server plays (PUSHSYNC_SERVER_PROFILE).
//
//   full     (default) everything docs/server.md describes: every event (typing, message_update,
//            session_update, the assistant's new_message), the paged REST dialect (afterSequence,
//            since on updatedAt, hasMore, serverTime) and sequence numbers on every message.
//   roadmap  exactly the minimal backend of the roadmap (§8, §11.11, "Protocol Mapping"): only
//            new_message for the USER's message and interact_response are pushed; the assistant's
//            message is stored in its final state and read from REST; GET .../messages takes
//            `limit` and `since` (on the creation `timestamp`) and answers `{messages}` only.
//            Its unknowns are knobs: PUSHSYNC_ROADMAP_PAGING (newest|oldest), _MAX_LIMIT,
//            _UNKNOWN_PARAMS (ignore|refuse), _SEQUENCE (all|some) and _CLIENT_ID (ignore|honour:
//            whether POST /api/agent/interact knows `clientMessageId`; the roadmap's does not, so
//            by default a retry stores the message again and no message carries the field).
//
// The rest of the server never compares profile names: it reads the capabilities below. Which
// events may be pushed and how a message looks to clients are decided only at the bottom of this
// file (allowsEvent, messageView, profileRealtime).

export const PROFILE_NAMES = Object.freeze(['full', 'roadmap']);

const FULL = Object.freeze({
  name: 'full',
  // Events (Pusher): what may be triggered.
  pushesOtherMessages: true,   // new_message for messages the user did not write (assistant, system)
  pushesTyping: true,          // typing
  pushesMessageUpdates: true,  // message_update
  pushesSessionUpdates: true,  // session_update
  // The assistant turn: false = stored "pending", then changed to its final status.
  assistantStoredFinal: false,
  // GET /api/session/:id/messages: true = limit 1..200, afterSequence, since on updatedAt,
  // {messages, hasMore, serverTime}; false = the roadmap dialect (the knobs below).
  pagedDialect: true,
  // Every message carries sequenceNumber (false: the assistant's never do).
  assistantSequenceNumbers: true,
  // interact dedupes a retry on clientMessageId, and messages echo it.
  honoursClientMessageId: true,
});

const ROADMAP_KNOBS = Object.freeze(['PUSHSYNC_ROADMAP_PAGING', 'PUSHSYNC_ROADMAP_MAX_LIMIT', 'PUSHSYNC_ROADMAP_UNKNOWN_PARAMS', 'PUSHSYNC_ROADMAP_SEQUENCE', 'PUSHSYNC_ROADMAP_CLIENT_ID']);

export const ROADMAP_DEFAULT_LIMIT = 50;

/**
 * Reads the profile and its knobs from `env`. Throws an Error naming the variable when a value is
 * invalid, or when a roadmap knob is set for the full profile (it would silently do nothing).
 */
export function loadProfile(env = process.env) {
  const name = choice(env, 'PUSHSYNC_SERVER_PROFILE', PROFILE_NAMES, 'full');
  if (name === 'full') {
    const stray = ROADMAP_KNOBS.filter((knob) => present(env, knob));
    if (stray.length) throw new Error(`${stray.join(', ')} only appl${stray.length > 1 ? 'y' : 'ies'} with PUSHSYNC_SERVER_PROFILE=roadmap`);
    return FULL;
  }
  const paging = choice(env, 'PUSHSYNC_ROADMAP_PAGING', ['newest', 'oldest'], 'newest');
  const maxLimit = integer(env, 'PUSHSYNC_ROADMAP_MAX_LIMIT', 100, 1, 10_000);
  const unknownParams = choice(env, 'PUSHSYNC_ROADMAP_UNKNOWN_PARAMS', ['ignore', 'refuse'], 'ignore');
  const sequence = choice(env, 'PUSHSYNC_ROADMAP_SEQUENCE', ['all', 'some'], 'all');
  const clientId = choice(env, 'PUSHSYNC_ROADMAP_CLIENT_ID', ['ignore', 'honour'], 'ignore');
  return Object.freeze({
    name,
    pushesOtherMessages: false,
    pushesTyping: false,
    pushesMessageUpdates: false,
    pushesSessionUpdates: false,
    assistantStoredFinal: true,
    pagedDialect: false,
    assistantSequenceNumbers: sequence === 'all',
    honoursClientMessageId: clientId === 'honour',
    // The roadmap dialect of GET .../messages.
    pagesFromNewest: paging === 'newest',
    defaultLimit: Math.min(ROADMAP_DEFAULT_LIMIT, maxLimit),
    maxLimit,
    refusesUnknownParams: unknownParams === 'refuse',
    // As configured, for /api/health and the logs.
    knobs: Object.freeze({ paging, maxLimit, unknownParams, sequence, clientId }),
  });
}

/** What /api/health reports: `{profile}`, plus the knobs of the roadmap profile. */
export function describeProfile(profile) {
  return { profile: profile.name, ...(profile.knobs ?? {}) };
}

/** One line for logs: "full", or "roadmap (paging newest, maxLimit 100, unknownParams ignore, sequence all)". */
export function profileSummary(profile) {
  const knobs = Object.entries(profile.knobs ?? {}).map(([name, value]) => `${name} ${value}`);
  return knobs.length ? `${profile.name} (${knobs.join(', ')})` : profile.name;
}

/** Whether the profile lets event `data` (one of realtime.js's `events.*`) be triggered. */
export function allowsEvent(profile, data) {
  switch (data.type) {
    case 'new_message': return data.message.role === 'user' || profile.pushesOtherMessages;
    case 'typing': return profile.pushesTyping;
    case 'message_update': return profile.pushesMessageUpdates;
    case 'session_update': return profile.pushesSessionUpdates;
    default: return true; // interact_response
  }
}

/** A message as clients of this profile see it (REST, events, the interact answer). */
export function messageView(profile, message) {
  if (!message) return message;
  const hidesSequence = !profile.assistantSequenceNumbers && message.role === 'assistant';
  const hidesClientId = !profile.honoursClientMessageId && 'clientMessageId' in message;
  if (!hidesSequence && !hidesClientId) return message;
  const rest = { ...message };
  if (hidesSequence) delete rest.sequenceNumber;
  if (hidesClientId) delete rest.clientMessageId;
  return rest;
}

/**
 * The publisher clients of this profile see: events the profile does not send are dropped (and
 * count as delivered: there was nothing to send), messages in events go through `messageView`.
 * Every route publishes through it, so no route can leak an event the profile does not have.
 */
export function profileRealtime(realtime, profile) {
  const filters = !(profile.pushesOtherMessages && profile.pushesTyping && profile.pushesMessageUpdates
    && profile.pushesSessionUpdates && profile.assistantSequenceNumbers && profile.honoursClientMessageId);
  if (!filters) return realtime;
  const shape = (data) => (data.type === 'new_message' ? { ...data, message: messageView(profile, data.message) } : data);
  return {
    ...realtime,
    publish(data) {
      return allowsEvent(profile, data) ? realtime.publish(shape(data)) : Promise.resolve(true);
    },
    publishAll(list) {
      const allowed = list.filter((data) => allowsEvent(profile, data)).map(shape);
      return allowed.length ? realtime.publishAll(allowed) : Promise.resolve(0);
    },
  };
}

function present(env, name) {
  return env[name] !== undefined && env[name] !== '';
}

function choice(env, name, allowed, fallback) {
  if (!present(env, name)) return fallback;
  const value = env[name].trim().toLowerCase();
  if (!allowed.includes(value)) throw new Error(`${name} must be one of ${allowed.join(', ')}, got '${env[name]}'`);
  return value;
}

function integer(env, name, fallback, min, max) {
  if (!present(env, name)) return fallback;
  const value = Number(env[name]);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got '${env[name]}'`);
  }
  return value;
}
