// POST /api/pusher/auth (form or JSON: socket_id, channel_name; Authorization: Bearer <token>)
//
// Signs a private-channel subscription when the channel is `private-session-<id>` of a session the
// caller owns: 200 {auth}. Any refusal about who may subscribe is a 403 (Pusher clients treat
// that as "not allowed", not as "retry"); a socket_id that no Pusher server could have issued,
// or a missing field, is a 400.
import { identify } from '../access.js';
import { badRequest, echo, forbidden } from '../http-error.js';
import { rateLimits } from '../limits.js';

const SOCKET_ID = /^\d+\.\d+$/; // what Pusher servers (and Sockudo) hand out, and the SDK demands
const SESSION_CHANNEL = /^private-session-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export default async function pusherAuthRoutes(app, deps) {
  const { store, realtime } = deps;

  // Per user, counted before the body is read (limits.js): CHANNEL_AUTH_RATE_LIMIT a window, then 429.
  app.post('/api/pusher/auth', { config: { rateLimit: rateLimits(deps.config, deps).channelAuth } }, async (request) => {
    const body = request.body && typeof request.body === 'object' ? request.body : {};
    const socketId = body.socket_id;
    const channel = body.channel_name;
    if (typeof socketId !== 'string' || !SOCKET_ID.test(socketId)) {
      throw badRequest(`'socket_id' is required and must look like 1234.5678, got ${echo(JSON.stringify(socketId ?? null))}`);
    }
    if (typeof channel !== 'string' || channel === '') throw badRequest("'channel_name' is required");

    const who = await identify(request, deps);
    if (!who.ok) throw forbidden(who.reason);
    const match = SESSION_CHANNEL.exec(channel);
    if (!match) throw forbidden(`only private-session-<sessionId> channels can be authorized, not '${echo(channel)}'`);
    const session = await store.getSession(match[1]);
    // Unknown and foreign sessions get the same answer: a caller learns nothing about other users.
    if (!session || session.userId !== who.user.id) throw forbidden(`no session ${match[1]} of yours to subscribe to`);
    return realtime.authorize(socketId, channel);
  });
}
