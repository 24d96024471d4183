// The demo users, created on the first start (an empty users table), so the whole system can be
// tried with nothing configured. Their passwords are public: this is a reference server.
import { hashPassword } from './passwords.js';

export const DEMO_USERS = Object.freeze([
  { email: 'alice@example.com', password: 'alice-password' },
  { email: 'bob@example.com', password: 'bob-password' },
]);

/** Creates the demo users when the database has no user yet; answers how many were created. */
export async function seedDemoUsers(store) {
  if ((await store.countUsers()) > 0) return 0;
  for (const { email, password } of DEMO_USERS) {
    await store.ensureUser({ email, passwordHash: await hashPassword(password) });
  }
  return DEMO_USERS.length;
}
