// Who is calling, and may they touch this session? Shared by every route that needs a user.
// REST answers 401 for a missing or bad token; channel auth (pusher-auth route) answers 403
// instead, because that is what Pusher clients expect from an auth endpoint.
import { timingSafeEqual } from 'node:crypto';
import { bearerToken } from './tokens.js';
import { forbidden, notFound, unauthorized } from './http-error.js';

// One verification per request: the rate limiter keys interact and channel auth by user before
// the body is read (routes/limits.js), and the route asks again.
const identities = new WeakMap();

/**
 * The user behind the request's bearer token.
 * @returns {Promise<{ok: true, user: object} | {ok: false, reason: string}>}
 */
export function identify(request, deps) {
  let who = identities.get(request);
  if (!who) {
    who = verifyBearer(request, deps);
    identities.set(request, who);
  }
  return who;
}

async function verifyBearer(request, { tokens, store }) {
  const token = bearerToken(request.headers.authorization);
  if (!token) return { ok: false, reason: 'missing bearer token (Authorization: Bearer <token>)' };
  const verified = await tokens.verify(token);
  if (!verified.ok) return verified;
  const user = await store.findUserById(verified.userId);
  if (!user) return { ok: false, reason: 'token names an unknown user' };
  return { ok: true, user };
}

/** The calling user, or a 401. */
export async function requireUser(request, deps) {
  const who = await identify(request, deps);
  if (!who.ok) throw unauthorized(who.reason);
  return who.user;
}

/**
 * The session `sessionId` if `user` owns it, else a 404: the same answer for a session that does
 * not exist and for another user's, so a caller cannot tell which ids exist.
 */
export async function ownedSession(store, user, sessionId) {
  const session = await store.getSession(sessionId);
  if (!session || session.userId !== user.id) throw notFound(`no session ${sessionId} of yours`);
  return session;
}

/** Checks the `X-Admin-Token` header against the configured admin token: 401 missing, 403 wrong. */
export function requireAdmin(request, adminToken) {
  const given = request.headers['x-admin-token'];
  if (typeof given !== 'string' || given === '') throw unauthorized('missing X-Admin-Token header');
  const a = Buffer.from(given);
  const b = Buffer.from(adminToken);
  // Constant time, so the response time does not leak how much of a guess was right.
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw forbidden('wrong X-Admin-Token');
}
