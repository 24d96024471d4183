// The outbox's decisions as pure functions (extension/src/shared/outbox-rules.js): what a failed
// send means, the backoff and Retry-After, which entry goes next, and which server message is an
// entry's. No browser, no build: `node --test tests/extension/`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ACKNOWLEDGED_WAIT_MS,
  BACKOFF_BASE_MS,
  BACKOFF_CAP_MS,
  CLOCK_SKEW_MS,
  RETRY_AFTER_CAP_MS,
  backoffMs,
  classifyFailure,
  findServerMessage,
  nextToSend,
  outcomeUnknown,
  parseRetryAfter,
} from '../../extension/src/shared/outbox-rules.js';

test('a failure is retried, waited on or final, by status and code (never by text)', () => {
  const table = [
    [{ status: 0, code: 'unreachable' }, 'retry', true],
    [{ status: 0, code: 'no_host_permission' }, 'wait', false],
    [{ status: 0, code: 'error' }, 'fail', false],
    [{ status: 401, code: 'no_token' }, 'wait', false],
    [{ status: 401, code: 'unauthorized' }, 'wait', false],
    [{ status: 408, code: 'http_408' }, 'retry', false],
    [{ status: 429, code: 'rate_limited' }, 'retry', false],
    [{ status: 500, code: 'internal' }, 'retry', true],
    [{ status: 502, code: 'http_502' }, 'retry', true],
    [{ status: 503, code: 'http_503' }, 'retry', true],
    [{ status: 400, code: 'bad_request' }, 'fail', false],
    [{ status: 403, code: 'forbidden' }, 'fail', false],
    [{ status: 404, code: 'not_found' }, 'fail', false],
    [{ status: 409, code: 'conflict' }, 'fail', false],
    [{ status: 413, code: 'too_large' }, 'fail', false],
  ];
  for (const [error, kind, unknown] of table) {
    assert.equal(classifyFailure(error), kind, JSON.stringify(error));
    assert.equal(outcomeUnknown(error), unknown, JSON.stringify(error));
  }
});

test('backoff: base doubling to the cap, jitter between half and all of it, never under Retry-After', () => {
  assert.equal(backoffMs(1, 0.999999), BACKOFF_BASE_MS);
  assert.equal(backoffMs(1, 0), BACKOFF_BASE_MS / 2);
  assert.equal(backoffMs(2, 0.999999), 2 * BACKOFF_BASE_MS);
  assert.equal(backoffMs(3, 0.999999), 4 * BACKOFF_BASE_MS);
  assert.equal(backoffMs(50, 0.999999), BACKOFF_CAP_MS);
  assert.equal(backoffMs(50, 0), BACKOFF_CAP_MS / 2);
  assert.equal(backoffMs(1000, 0.5), Math.round(BACKOFF_CAP_MS * 0.75));
  // Retry-After wins when longer, up to its own cap; a shorter one changes nothing.
  assert.equal(backoffMs(1, 0, 120_000), 120_000);
  assert.equal(backoffMs(5, 0.999999, 10), 16 * BACKOFF_BASE_MS);
  assert.equal(backoffMs(1, 0, 24 * 3600_000), RETRY_AFTER_CAP_MS);
  assert.equal(backoffMs(1, 0, null), BACKOFF_BASE_MS / 2);
});

test('Retry-After: delta-seconds or an HTTP date, else nothing', () => {
  const now = Date.parse('2026-12-01T12:00:00Z');
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter(' 0 ', now), 0);
  assert.equal(parseRetryAfter('Tue, 01 Dec 2026 12:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Tue, 01 Dec 2026 11:00:00 GMT', now), 0);
  for (const value of [null, undefined, '', 'soon', '-5', '1.5']) assert.equal(parseRetryAfter(value, now), null, String(value));
});

const entry = (id, fields = {}) => ({
  clientMessageId: id,
  sessionId: 's1',
  content: `text ${id}`,
  createdAt: '2026-12-01T12:00:00.000Z',
  status: 'queued',
  attempts: 0,
  ...fields,
});

test('next to send: the oldest deliverable entry, one at a time, in order', () => {
  const now = 1_000_000;
  const a = entry('a');
  const b = entry('b');
  assert.deepEqual(nextToSend([a, b], now, true), { entry: a, at: now });
  // One in flight: nothing else goes, even for another session.
  assert.equal(nextToSend([{ ...a, status: 'sending' }, b, { ...entry('c'), sessionId: 's2' }], now, true), null);
  // Answered (stored, waiting to show) and failed entries do not hold the next back.
  assert.deepEqual(nextToSend([{ ...a, status: 'sending', answered: true }, b], now, true), { entry: b, at: now });
  assert.deepEqual(nextToSend([{ ...a, status: 'failed' }, b], now, true), { entry: b, at: now });
  // A backoff holds the head, and so everything after it: order before speed.
  const waiting = { ...a, nextAttemptAt: now + 5_000 };
  assert.deepEqual(nextToSend([waiting, b], now, true), { entry: waiting, at: now + 5_000 });
  assert.deepEqual(nextToSend([{ ...a, nextAttemptAt: now - 1 }, b], now, true), { entry: { ...a, nextAttemptAt: now - 1 }, at: now });
  // Offline, or waiting for a login: an event ends it, not a time (a fallback time when there is one).
  assert.deepEqual(nextToSend([a, b], now, false), { entry: a, at: null });
  const login = { ...a, waitingFor: 'token', nextAttemptAt: now + BACKOFF_CAP_MS };
  assert.deepEqual(nextToSend([login, b], now, true), { entry: login, at: now + BACKOFF_CAP_MS });
  // Its fallback time passed: it goes now (not at a time in the past, which would arm a timer of 0 for ever).
  assert.deepEqual(nextToSend([{ ...login, nextAttemptAt: now - 5 }, b], now, true), { entry: { ...login, nextAttemptAt: now - 5 }, at: now });
  assert.deepEqual(nextToSend([{ ...a, waitingFor: 'token' }, b], now, true), { entry: { ...a, waitingFor: 'token' }, at: null });
  assert.equal(nextToSend([], now, true), null);
  assert.equal(nextToSend([{ ...a, status: 'failed' }], now, true), null);
});

const message = (id, fields = {}) => ({ messageId: id, role: 'user', content: 'hello', timestamp: '2026-12-01T12:00:05.000Z', ...fields });

test('the server\'s message of an entry: by clientMessageId, by the answer\'s id, else by content after an attempt', () => {
  const none = new Set();
  const sent = entry('c1', { content: 'hello', attempts: 1 });
  assert.equal(findServerMessage(sent, [message('m0', { clientMessageId: 'other' }), message('m1', { clientMessageId: 'c1' })], none), 'm1');
  assert.equal(findServerMessage({ ...sent, messageId: 'm7' }, [message('m7', { content: 'changed by the server' })], none), 'm7');
  // The content match: a user's message, same text, no clientMessageId of its own, not claimed, new enough.
  assert.equal(findServerMessage(sent, [message('m2')], none), 'm2');
  assert.equal(findServerMessage({ ...sent, attempts: 0 }, [message('m2')], none), null, 'never sent: the server cannot have it');
  assert.equal(findServerMessage(sent, [message('m2', { role: 'assistant' })], none), null);
  assert.equal(findServerMessage(sent, [message('m2', { content: 'hello!' })], none), null);
  assert.equal(findServerMessage(sent, [message('m2', { clientMessageId: 'someone else' })], none), null);
  assert.equal(findServerMessage(sent, [message('m2')], new Set(['m2'])), null, 'two equal texts are two messages');
  assert.equal(findServerMessage(sent, [message('m2'), message('m3')], new Set(['m2'])), 'm3');
  // New enough: after the store's newest message when the entry was made (server time)...
  const floor = { ...sent, notBefore: '2026-12-01T12:00:05.000Z' };
  assert.equal(findServerMessage(floor, [message('old')], none), null);
  assert.equal(findServerMessage(floor, [message('new', { timestamp: '2026-12-01T12:00:05.001Z' })], none), 'new');
  // ...or, without that, no older than the entry's creation less the clock skew allowed.
  const skewed = new Date(Date.parse(sent.createdAt) - CLOCK_SKEW_MS).toISOString();
  const tooOld = new Date(Date.parse(sent.createdAt) - CLOCK_SKEW_MS - 1).toISOString();
  assert.equal(findServerMessage(sent, [message('m4', { timestamp: skewed })], none), 'm4');
  assert.equal(findServerMessage(sent, [message('m5', { timestamp: tooOld })], none), null);
  assert.ok(ACKNOWLEDGED_WAIT_MS > 0);
});
