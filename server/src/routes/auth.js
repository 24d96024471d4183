// POST /api/auth/login {email, password} -> {accessToken}: the demo login.
import { bodyObject, requiredString } from '../validation.js';
import { unauthorized } from '../http-error.js';
import { hashPassword, verifyPassword } from '../passwords.js';

export default async function authRoutes(app, { store, tokens }) {
  // Unknown emails are checked against a throwaway hash, so both failures take as long and a
  // caller cannot tell from timing which emails exist.
  const decoy = hashPassword('decoy password');

  app.post('/api/auth/login', async (request) => {
    const body = bodyObject(request.body);
    const email = requiredString(body.email, 'email', { max: 320 });
    const password = requiredString(body.password, 'password', { max: 1024 });
    const user = await store.findUserByEmail(email.trim());
    const matches = await verifyPassword(password, user ? user.passwordHash : await decoy);
    if (!user || !matches) throw unauthorized('wrong email or password');
    return { accessToken: await tokens.issue(user) };
  });
}
