// Password hashing with scrypt from node:crypto (no native add-on to build). The stored form is
// self-describing, "scrypt$N$r$p$salt$hash", so the cost can be raised later without breaking
// the hashes already stored.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt);
const COST = { N: 16384, r: 8, p: 1 }; // node's defaults: about 50 ms, 16 MiB
const KEY_BYTES = 32;

/** Hashes a password with a fresh random salt. */
export async function hashPassword(password) {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, KEY_BYTES, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** True when `password` matches `stored`; false for a wrong password or an unreadable hash. */
export async function verifyPassword(password, stored) {
  const [scheme, N, r, p, salt, hash] = String(stored).split('$');
  if (scheme !== 'scrypt' || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(N), r: Number(r), p: Number(p),
  });
  // Constant time, so response timing does not tell how much of a guess was right.
  return timingSafeEqual(actual, expected);
}
