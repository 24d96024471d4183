// Reading Retry-After (RFC 9110 §10.2.3) into the engine's retryAfterMs: delay-seconds, an
// HTTP-date, and what is not one of them.
import assert from 'node:assert/strict';
import test from 'node:test';
import { parseRetryAfter } from '../dist/http.js';

test('Retry-After: seconds, a date, a date past, absent, unreadable, absurd', () => {
  const now = Date.UTC(2026, 11, 1, 12, 0, 0);
  const table = [
    ['120', 120_000],
    [' 7 ', 7_000],
    ['0', 0],
    ['Tue, 01 Dec 2026 12:00:30 GMT', 30_000],
    ['Tue, 01 Dec 2026 11:00:00 GMT', 0],
    [null, undefined],
    ['soon', undefined],
    ['-5', undefined],
    ['1.5', undefined],
    ['99999999999999999999', 86_400_000],
  ];
  for (const [header, expected] of table) assert.equal(parseRetryAfter(header, now), expected, String(header));
});
