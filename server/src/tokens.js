// Bearer tokens: HS256 JWTs signed with JWT_SECRET (jose). The subject is the user id; issuer and
// audience are fixed so a token minted for another service with the same secret is refused. Every
// token must carry `exp`, no further away than the longest lifetime (config.js, TOKEN_TTL at most
// 7 days): a token without an expiry, or one that would outlive the cap, is refused.
import { SignJWT, jwtVerify, errors } from 'jose';

const ISSUER = 'pushsync-server';
const AUDIENCE = 'pushsync';

/**
 * @param {{secret: string, ttlSeconds: number, maxTtlSeconds?: number}} options
 */
export function createTokens({ secret, ttlSeconds, maxTtlSeconds = ttlSeconds }) {
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
        const { payload } = await jwtVerify(token, key, {
          issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], requiredClaims: ['exp'],
        });
        if (typeof payload.sub !== 'string') return { ok: false, reason: 'token has no subject' };
        // A minute of slack for clock differences between servers sharing the secret.
        if (payload.exp - Date.now() / 1000 > maxTtlSeconds + 60) return { ok: false, reason: 'token lifetime too long' };
        return { ok: true, userId: payload.sub };
      } catch (error) {
        if (error instanceof errors.JWTExpired) return { ok: false, reason: 'token expired' };
        if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'exp') return { ok: false, reason: 'token has no expiry' };
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
