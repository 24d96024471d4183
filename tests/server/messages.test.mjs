// GET /api/session/:id/messages: paging with limit, afterSequence, since and hasMore; errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startTestServer, ALICE, BOB, ADMIN_TOKEN, ISO_MS, UUID } from './helpers.mjs';

let server;
let alice;
let bob;
let session; // holds messages 1..120
before(async () => {
  server = await startTestServer();
  alice = await server.login(ALICE);
  bob = await server.login(BOB);
  session = await server.createSession(alice, 'paging');
  await server.adminPost(session, Array.from({ length: 120 }, (_, i) => `m${i + 1}`));
});
after(async () => { await server.close(); });

const get = (query, token = alice, id = session) => server.call('GET', `/api/session/${id}/messages${query}`, { token });
const sequences = (response) => response.body.messages.map((m) => m.sequenceNumber);
const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

test('the message wire shape', async () => {
  const response = await get('?limit=1&afterSequence=0');
  assert.equal(response.status, 200);
  const [message] = response.body.messages;
  assert.deepEqual(Object.keys(message).sort(), ['content', 'messageId', 'role', 'sequenceNumber', 'status', 'timestamp', 'updatedAt']);
  assert.match(message.messageId, UUID);
  assert.equal(message.role, 'assistant');
  assert.equal(message.content, 'm1');
  assert.equal(message.status, 'sent');
  assert.equal(message.sequenceNumber, 1);
  assert.match(message.timestamp, ISO_MS);
  assert.match(message.updatedAt, ISO_MS);
  assert.match(response.body.serverTime, ISO_MS);
});

test('no cursor: the newest `limit` messages, ascending; hasMore says older ones exist', async () => {
  const page = await get('?limit=10');
  assert.deepEqual(sequences(page), range(111, 120));
  assert.equal(page.body.hasMore, true);
  const all = await get('?limit=200');
  assert.deepEqual(sequences(all), range(1, 120));
  assert.equal(all.body.hasMore, false);
});

test('the default limit is 50', async () => {
  const page = await get('');
  assert.deepEqual(sequences(page), range(71, 120));
  assert.equal(page.body.hasMore, true);
});

test('afterSequence pages forward; hasMore says more follow', async () => {
  const seen = [];
  let after = 0;
  for (;;) {
    const page = await get(`?limit=50&afterSequence=${after}`);
    assert.equal(page.status, 200);
    seen.push(...sequences(page));
    if (!page.body.hasMore) break;
    after = seen.at(-1);
  }
  assert.deepEqual(seen, range(1, 120));
  const end = await get('?afterSequence=120');
  assert.deepEqual(end.body, { messages: [], hasMore: false, serverTime: end.body.serverTime });
  const exact = await get('?limit=20&afterSequence=100');
  assert.deepEqual(sequences(exact), range(101, 120));
  assert.equal(exact.body.hasMore, false);
});

test('since: messages updated after a server time, ascending by sequence, and paged', async () => {
  const before = await get('?limit=1');
  const cursor = before.body.serverTime;
  const added = await server.adminPost(session, ['n1', 'n2', 'n3']);
  const update = await server.call('POST', `/api/admin/session/${session}/update`, {
    headers: { 'x-admin-token': ADMIN_TOKEN }, body: { messageId: (await get('?limit=1&afterSequence=4')).body.messages[0].messageId, status: 'success' },
  });
  assert.equal(update.status, 200);

  const changed = await get(`?since=${encodeURIComponent(cursor)}`);
  assert.deepEqual(sequences(changed), [5, ...added.map((m) => m.sequenceNumber)]);
  assert.equal(changed.body.hasMore, false);
  assert.ok(changed.body.messages.every((m) => m.updatedAt > cursor));

  // Paging a since-query: combine it with afterSequence (AND).
  const first = await get(`?since=${encodeURIComponent(cursor)}&limit=2`);
  assert.deepEqual(sequences(first), [5, 121]);
  assert.equal(first.body.hasMore, true);
  const second = await get(`?since=${encodeURIComponent(cursor)}&limit=2&afterSequence=121`);
  assert.deepEqual(sequences(second), [122, 123]);
  assert.equal(second.body.hasMore, false);

  // The newest updatedAt seen is the next cursor: nothing is returned twice.
  const newest = changed.body.messages.map((m) => m.updatedAt).sort().at(-1);
  assert.deepEqual((await get(`?since=${encodeURIComponent(newest)}`)).body.messages, []);
});

test('since accepts any ISO-8601 zone and precision', async () => {
  const all = await get('?limit=200&since=2000-01-01T00:00:00Z');
  assert.equal(all.body.messages.length, 123);
  const offset = await get(`?limit=200&since=${encodeURIComponent('2000-01-01T02:00+02:00')}`);
  assert.equal(offset.body.messages.length, 123);
  // Left unencoded, the '+' arrives as a space: still understood.
  const raw = await get('?limit=200&since=2000-01-01T02:00+02:00');
  assert.equal(raw.body.messages.length, 123);
  const future = await get('?since=2999-01-01T00:00:00.000000Z');
  assert.deepEqual(future.body.messages, []);
});

test('bad parameters are 400s that name the parameter', async () => {
  const cases = [
    ['?limit=0', /'limit' must be an integer from 1 to 200/],
    ['?limit=201', /'limit'/],
    ['?limit=abc', /'limit'/],
    ['?limit=5.5', /'limit'/],
    ['?limit=1&limit=2', /'limit' is given more than once/],
    ['?afterSequence=-1', /'afterSequence'/],
    ['?afterSequence=x', /'afterSequence'/],
    ['?since=yesterday', /'since' must be an ISO-8601/],
    ['?since=2026-11-29', /'since'/],
    ['?since=2026-11-29T10:00:00', /'since'/], // no zone: ambiguous
    ['?since=2026-13-45T10:00:00Z', /'since'/],
    ['?since=2026-02-30T10:00:00Z', /'since'/],
  ];
  for (const [query, message] of cases) {
    const response = await get(query);
    assert.equal(response.status, 400, query);
    assert.match(response.body.error.message, message, query);
  }
  const badId = await server.call('GET', '/api/session/not-a-uuid/messages', { token: alice });
  assert.equal(badId.status, 400);
  assert.match(badId.body.error.message, /'id' must be a UUID/);
});

test('401 without a token; the same 404 for an unknown session and another user\'s (which ids exist stays unknown)', async () => {
  assert.equal((await get('', null)).status, 401);
  const unknownId = randomUUID();
  const unknown = await get('', alice, unknownId);
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, 'not_found');
  const foreign = await get('', bob);
  assert.equal(foreign.status, 404);
  assert.equal(foreign.body.error.message.replace(session, '<id>'), unknown.body.error.message.replace(unknownId, '<id>'));
  assert.equal(foreign.body.error.code, 'not_found');
});

test('an empty session has no messages and no more', async () => {
  const empty = await server.createSession(alice);
  const response = await get('', alice, empty);
  assert.deepEqual(response.body.messages, []);
  assert.equal(response.body.hasMore, false);
});
