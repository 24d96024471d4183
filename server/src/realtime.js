// Pushes app events to clients through Sockudo's HTTP API with the official `pusher` SDK, and
// signs private-channel subscriptions with the same app secret.
//
// The database is the source of truth and push is only a fast path: a trigger that fails (Sockudo
// down, slow, or refusing the event) is logged and swallowed, never turned into a failed request
// or a rolled-back write. Clients that missed it catch up through GET .../messages.
import Pusher from 'pusher';

/** The private channel of one chat session. */
export function sessionChannel(sessionId) {
  return `private-session-${sessionId}`;
}

// The payloads: every one is `{type, sessionId, ...}` and `type` repeats the event name, so a
// client that sees only the data (a log, a test) still knows what it is.
export const events = {
  newMessage: (sessionId, message) => ({ type: 'new_message', sessionId, message }),
  messageUpdate: (sessionId, message) => {
    const data = { type: 'message_update', sessionId, messageId: message.messageId, status: message.status, updatedAt: message.updatedAt };
    if (message.error) data.error = message.error;
    return data;
  },
  sessionUpdate: (session) => ({ type: 'session_update', sessionId: session.sessionId, status: session.status, updatedAt: session.updatedAt }),
  typing: (sessionId, isTyping, context) => (context === undefined
    ? { type: 'typing', sessionId, isTyping }
    : { type: 'typing', sessionId, isTyping, context }),
  interactResponse: (sessionId, data) => ({ type: 'interact_response', sessionId, data }),
};

const BATCH_SIZE = 10; // Pusher's (and Sockudo's default) limit of events per batch request
// Before the one retry of a trigger whose connection broke: the balancer's health checks (every
// 250-500 ms) mark a dead node down about this fast, and `option redispatch 1` moves a refused
// connection anyway.
const RETRY_PAUSE_MS = 200;

/**
 * Creates the publisher.
 * @param {{host, port, appId, key, secret, timeoutMs}} sockudo connection settings
 * @param {(line: string) => void} logError where failed triggers are reported
 */
export function createRealtime(sockudo, logError) {
  const pusher = new Pusher({
    appId: sockudo.appId,
    key: sockudo.key,
    secret: sockudo.secret,
    host: sockudo.host,
    port: String(sockudo.port),
    useTLS: false,
    timeout: sockudo.timeoutMs,
  });

  // While Sockudo is unreachable every trigger fails; report the first failure and the recovery,
  // not each of the thousands in between.
  let failingSince = null;
  let failures = 0;

  async function attempt(what, send) {
    try {
      try {
        await send();
      } catch (error) {
        // A connection that broke under the request (ECONNRESET: a Sockudo node behind the
        // balancer died while it held this keep-alive connection) is tried once more, which the
        // balancer hands to a live node. Without this, a message stored during a node's death
        // reached only the clients that re-read (bench/run load: 7 of 2,000 clients still
        // without it 30 s later). Sending twice is harmless: clients keep a message id once. An
        // HTTP answer (Sockudo refused the event) is not retried, nor anything while pushes
        // already fail (Sockudo down: a retry per event would only slow every write).
        if (error.status || failingSince !== null) throw error;
        await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
        await send();
      }
      if (failingSince !== null) {
        logError(`push recovered after ${failures} failed trigger(s) since ${failingSince}`);
        failingSince = null;
        failures = 0;
      }
      return true;
    } catch (error) {
      failures += 1;
      if (failingSince === null) {
        failingSince = new Date().toISOString();
        logError(`push failed (${what}): ${describe(error)}; clients catch up through REST; ` +
          'further failures are counted until a trigger succeeds');
      }
      return false;
    }
  }

  return {
    /**
     * Sends `data` (one of `events.*`) as event `data.type` on the session's channel.
     * @returns {Promise<boolean>} whether Sockudo accepted it; never rejects.
     */
    publish(data) {
      return attempt(`${data.type} on ${sessionChannel(data.sessionId)}`, () => pusher.trigger(sessionChannel(data.sessionId), data.type, data));
    },

    /** Sends many events, in order, in batch requests of ten. Answers how many batches failed. */
    async publishAll(list) {
      let failed = 0;
      for (let i = 0; i < list.length; i += BATCH_SIZE) {
        const batch = list.slice(i, i + BATCH_SIZE).map((data) => ({ channel: sessionChannel(data.sessionId), name: data.type, data }));
        const ok = await attempt(`batch of ${batch.length} starting with ${batch[0].name}`, () => pusher.triggerBatch(batch));
        if (!ok) failed += 1;
      }
      return failed;
    },

    /** The signature a client presents to Sockudo to subscribe `socketId` to `channel`: `{auth}`. */
    authorize(socketId, channel) {
      return pusher.authorizeChannel(socketId, channel);
    },
  };
}

// The useful part of a pusher RequestError: the HTTP answer, or the network error under it.
function describe(error) {
  if (error.status) return `HTTP ${error.status} ${String(error.body ?? '').slice(0, 200)}`;
  const cause = error.error?.cause ?? error.error;
  return cause?.code ?? cause?.name ?? cause?.message ?? error.message;
}
