// POST /api/auth/login {email, password} -> {accessToken}: the demo login. Rate limited per client
// address and email (limits.js): a 429 with Retry-After past LOGIN_RATE_LIMIT attempts a window.
import { bodyObject, requiredString } from '../validation.js';
import { rateLimits } from '../limits.js';
import { unauthorized } from '../http-error.js';
import { hashPassword, verifyPassword } from '../passwords.js';

export default async function authRoutes(app, deps) {
  const { store, tokens } = deps;
  // Unknown emails are checked against a throwaway hash, so both failures take as long and a
  // caller cannot tell from timing which emails exist.
  const decoy = hashPassword('decoy password');

  app.post('/api/auth/login', { config: { rateLimit: rateLimits(deps.config, deps).login } }, async (request) => {
    const body = bodyObject(request.body);
    const email = requiredString(body.email, 'email', { max: 320 });
    const password = requiredString(body.password, 'password', { max: 1024 });
    const user = await store.findUserByEmail(email.trim());
    const matches = await verifyPassword(password, user ? user.passwordHash : await decoy);
    if (!user || !matches) throw unauthorized('wrong email or password');
    return { accessToken: await tokens.issue(user) };
  });
}
