// Bearer tokens: HS256 JWTs signed with JWT_SECRET (jose). The subject is the user id; issuer and
// audience are fixed so a token minted for another service with the same secret is refused.
import { SignJWT, jwtVerify, errors } from 'jose';

const ISSUER = 'pushsync-server';
const AUDIENCE = 'pushsync';

/**
 * @param {{secret: string, ttlSeconds: number}} options
 */
export function createTokens({ secret, ttlSeconds }) {
  const key = new TextEncoder().encode(secret);
  return {
    /** Signs a token for `user` ({id, email}) that expires after the configured lifetime. */
    async issue(user) {
      return new SignJWT({ email: user.email })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(user.id)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key);
    },

    /**
     * Verifies a token.
     * @returns {Promise<{ok: true, userId: string} | {ok: false, reason: string}>} never throws, so
     *   callers choose their own status (401 for REST, 403 for channel auth).
     */
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
        if (typeof payload.sub !== 'string') return { ok: false, reason: 'token has no subject' };
        return { ok: true, userId: payload.sub };
      } catch (error) {
        if (error instanceof errors.JWTExpired) return { ok: false, reason: 'token expired' };
        return { ok: false, reason: 'token invalid' };
      }
    },
  };
}

/** The token from an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header) {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1] : undefined;
}
