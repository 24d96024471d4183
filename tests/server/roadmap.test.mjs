// PUSHSYNC_SERVER_PROFILE=roadmap: the server behaves like the roadmap's minimal backend (§8,
// §11.11, "Protocol Mapping"). Only new_message for the user's message and interact_response are
// triggered; GET .../messages takes limit and since (on the creation timestamp) and answers
// {messages} only; the knobs choose newest/oldest paging, the maximum limit, whether unknown
// parameters are refused, and whether the assistant's messages carry sequenceNumber.
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, roadmapEnv, ALICE, ADMIN_TOKEN } from './helpers.mjs';

const TURNS = 6; // a "turns" session: t1, Echo: t1, ..., t6, Echo: t6 (12 messages, distinct timestamps)
const BULK = 150; // a "bulk" session: 150 admin messages b1..b150 in one batch
const turnContents = Array.from({ length: TURNS }, (_, i) => [`t${i + 1}`, `Echo: t${i + 1}`]).flat();
const bulkContents = Array.from({ length: BULK }, (_, i) => `b${i + 1}`);
const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** A server of the profile with the two sessions above; `get(session, query)` reads messages. */
async function roadmapServer(knobs) {
  const server = await startTestServer({ env: roadmapEnv(knobs) });
  try {
    const alice = await server.login(ALICE);
    const turns = await server.createSession(alice, 'turns');
    for (let i = 1; i <= TURNS; i += 1) {
      const answer = await server.call('POST', '/api/agent/interact', { token: alice, body: { sessionId: turns, content: `t${i}` } });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
    }
    const bulk = await server.createSession(alice, 'bulk');
    await server.adminPost(bulk, bulkContents);
    server.fake.clear();
    const get = (session, query = '') => server.call('GET', `/api/session/${session}/messages${query}`, { token: alice });
    // The whole "turns" session, paged forward by timestamp (a small maximum needs two pages).
    const all = [];
    for (let cursor = '2000-01-01T00:00:00Z'; ;) {
      const page = (await get(turns, `?since=${encodeURIComponent(cursor)}&limit=${TURNS * 2}`)).body.messages;
      const fresh = page.filter((m) => !all.some((seen) => seen.messageId === m.messageId));
      if (!fresh.length) break;
      all.push(...fresh);
      cursor = fresh.at(-1).timestamp;
    }
    assert.deepEqual(all.map((m) => m.content), turnContents, 'seeded');
    return { server, alice, turns, bulk, get, all };
  } catch (error) {
    await server.close();
    throw error;
  }
}

const contents = (response) => response.body.messages.map((m) => m.content);
const since = (time) => `since=${encodeURIComponent(time)}`;
const interact = (s, body) => s.server.call('POST', '/api/agent/interact', { token: s.alice, body });
const admin = (s, route, body) => s.server.call('POST', `/api/admin/session/${s.turns}/${route}`, { headers: { 'x-admin-token': ADMIN_TOKEN }, body });

describe('the roadmap profile, default knobs (paging newest, maxLimit 100, unknown parameters ignored, sequence all)', () => {
  let s;
  before(async () => { s = await roadmapServer(); });
  after(async () => { await s?.server.close(); });
  beforeEach(() => s.server.fake.clear());

  test('/api/health reports the profile and its knobs', async () => {
    const health = await s.server.call('GET', '/api/health');
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { ok: true, profile: 'roadmap', paging: 'newest', maxLimit: 100, unknownParams: 'ignore', sequence: 'all', clientId: 'ignore' });
  });

  test('the answer is {messages} only: no hasMore, no serverTime; ascending, every message with its sequenceNumber', async () => {
    const page = await s.get(s.turns, '?limit=3');
    assert.equal(page.status, 200);
    assert.deepEqual(Object.keys(page.body), ['messages']);
    assert.deepEqual(s.all.map((m) => m.sequenceNumber), range(1, 12));
    for (const message of s.all) {
      assert.deepEqual(Object.keys(message).sort(), ['content', 'messageId', 'role', 'sequenceNumber', 'status', 'timestamp', 'updatedAt']
        .concat(message.role === 'assistant' ? ['actionPayload'] : []).sort());
    }
    const empty = await s.get(await s.server.createSession(s.alice));
    assert.deepEqual(empty.body, { messages: [] });
  });

  test('newest paging: the newest `limit` messages, ascending; default limit 50', async () => {
    assert.deepEqual(contents(await s.get(s.turns, '?limit=4')), turnContents.slice(-4));
    assert.deepEqual(contents(await s.get(s.turns)), turnContents, 'fewer than 50: all of them');
    assert.deepEqual(contents(await s.get(s.bulk)), bulkContents.slice(-50));
    assert.deepEqual((await s.get(s.bulk)).body.messages.map((m) => m.sequenceNumber), range(101, 150));
  });

  test('a limit above the maximum is clamped to it, not refused', async () => {
    for (const limit of [100, 101, 5000, '9'.repeat(40)]) {
      const page = await s.get(s.bulk, `?limit=${limit}`);
      assert.equal(page.status, 200, `limit=${limit}`);
      assert.deepEqual(contents(page), bulkContents.slice(-100), `limit=${limit}`);
    }
  });

  test('since filters on the creation timestamp, strictly later; with a limit the newest of those', async () => {
    for (const k of [0, 3, 10, 11]) {
      assert.deepEqual(contents(await s.get(s.turns, `?${since(s.all[k].timestamp)}`)), turnContents.slice(k + 1), `since message ${k + 1}`);
    }
    const justBefore = new Date(Date.parse(s.all[5].timestamp) - 1).toISOString();
    assert.deepEqual(contents(await s.get(s.turns, `?${since(justBefore)}`)), turnContents.slice(5));
    assert.deepEqual(contents(await s.get(s.turns, `?${since(s.all[3].timestamp)}&limit=3`)), turnContents.slice(-3));
    assert.deepEqual(contents(await s.get(s.turns, `?${since('2000-01-01T02:00+02:00')}`)), turnContents, 'any zone');
    assert.deepEqual(contents(await s.get(s.turns, `?${since('2999-01-01T00:00:00Z')}`)), []);
  });

  test('since ignores updatedAt: a changed message is not returned again (and no message_update is pushed)', async () => {
    const session = await s.server.createSession(s.alice);
    const answer = await interact(s, { sessionId: session, content: 'change me' });
    const { userMessage, assistantMessage } = answer.body;
    const changed = await s.server.call('POST', `/api/admin/session/${session}/update`, {
      headers: { 'x-admin-token': ADMIN_TOKEN }, body: { messageId: userMessage.messageId, status: 'failure' },
    });
    assert.equal(changed.status, 200);
    assert.ok(changed.body.message.updatedAt > assistantMessage.timestamp);
    const page = await s.server.call('GET', `/api/session/${session}/messages?${since(assistantMessage.timestamp)}`, { token: s.alice });
    assert.deepEqual(page.body, { messages: [] });
    const full = await s.server.call('GET', `/api/session/${session}/messages`, { token: s.alice });
    assert.equal(full.body.messages[0].status, 'failure', 'the change is stored');
    assert.deepEqual(s.server.fake.events.map((e) => e.name), ['new_message', 'interact_response']);
  });

  test('afterSequence and any other unknown parameter are ignored', async () => {
    const plain = contents(await s.get(s.turns, '?limit=3'));
    assert.deepEqual(contents(await s.get(s.turns, '?limit=3&afterSequence=2')), plain);
    assert.deepEqual(contents(await s.get(s.turns, '?afterSequence=10')), turnContents);
    assert.deepEqual(contents(await s.get(s.turns, '?limit=3&cursor=abc&page=2')), plain);
  });

  test('a malformed limit or since is still a 400 naming it', async () => {
    for (const [query, message] of [
      ['?limit=0', /'limit' must be a positive integer/], ['?limit=abc', /'limit'/], ['?limit=-3', /'limit'/], ['?limit=2.5', /'limit'/],
      ['?limit=1&limit=2', /'limit' is given more than once/],
      ['?since=yesterday', /'since' must be an ISO-8601/], ['?since=2026-11-29T10:00:00', /'since'/],
    ]) {
      const response = await s.get(s.turns, query);
      assert.equal(response.status, 400, query);
      assert.match(response.body.error.message, message, query);
    }
  });

  test('interact triggers only new_message (the user\'s message) and interact_response', async () => {
    const sessionId = await s.server.createSession(s.alice);
    let storedAtResponse;
    s.server.fake.beforeAnswer(async (received) => {
      if (received.some((e) => e.name === 'interact_response')) {
        storedAtResponse = (await s.server.call('GET', `/api/session/${sessionId}/messages`, { token: s.alice })).body.messages;
      }
    });
    const answer = await interact(s, { sessionId, content: 'hello roadmap' });
    assert.equal(answer.status, 200);
    const { userMessage, assistantMessage, response } = answer.body;
    const events = s.server.fake.events;
    assert.deepEqual(events.map((e) => e.name), ['new_message', 'interact_response']);
    assert.ok(events.every((e) => e.channel === `private-session-${sessionId}`));
    assert.deepEqual(events[0].data, { type: 'new_message', sessionId, message: userMessage });
    assert.equal(userMessage.role, 'user');
    assert.equal(userMessage.sequenceNumber, 1);
    assert.deepEqual(events[1].data, { type: 'interact_response', sessionId, data: response });
    assert.equal(response.status, 'completed');
    assert.equal(response.action, 'echo');
    assert.equal(typeof response.taskId, 'string');
    assert.equal(typeof response.thought, 'string');
    assert.equal(response.assistantMessageId, assistantMessage.messageId);

    // The assistant's message was stored, final, before interact_response left the server.
    assert.deepEqual(storedAtResponse, [userMessage, assistantMessage]);
    assert.equal(assistantMessage.status, 'success');
    assert.equal(assistantMessage.content, 'Echo: hello roadmap');
    assert.equal(assistantMessage.sequenceNumber, 2);
    assert.equal(assistantMessage.updatedAt, assistantMessage.timestamp, 'stored once, never changed');
  });

  test('a failing turn: the assistant message is stored as failure with its error; still only the two events', async () => {
    const sessionId = await s.server.createSession(s.alice);
    const answer = await interact(s, { sessionId, content: 'fail' });
    const { assistantMessage, response } = answer.body;
    assert.equal(assistantMessage.status, 'failure');
    assert.equal(assistantMessage.error.code, 'task_failed');
    assert.equal(assistantMessage.updatedAt, assistantMessage.timestamp);
    assert.equal(response.status, 'failed');
    assert.deepEqual(s.server.fake.events.map((e) => e.name), ['new_message', 'interact_response']);
    const stored = await s.server.call('GET', `/api/session/${sessionId}/messages`, { token: s.alice });
    assert.deepEqual(stored.body.messages.at(-1), assistantMessage);
  });

  test('clientMessageId is unknown to it: a retry is stored again, and no message carries the field', async () => {
    const sessionId = await s.server.createSession(s.alice);
    const body = { sessionId, content: 'twice', clientMessageId: 'roadmap-1' };
    const first = await interact(s, body);
    const retry = await interact(s, body);
    assert.equal(retry.body.replayed, undefined);
    assert.notEqual(retry.body.userMessage.messageId, first.body.userMessage.messageId);
    assert.equal('clientMessageId' in first.body.userMessage, false);
    const stored = await s.server.call('GET', `/api/session/${sessionId}/messages`, { token: s.alice });
    const users = stored.body.messages.filter((m) => m.role === 'user');
    assert.deepEqual(users.map((m) => m.content), ['twice', 'twice']);
    assert.ok(users.every((m) => !('clientMessageId' in m)));
    assert.ok(s.server.fake.events.every((e) => !('clientMessageId' in (e.data.message ?? {}))));
  });

  test('admin routes store as usual but push only new_message for role "user"', async () => {
    const batch = await admin(s, 'messages', { messages: [{ content: 'a1' }, { role: 'system', content: 's1' }, { role: 'user', content: 'u1' }] });
    assert.equal(batch.status, 201);
    assert.equal(batch.body.messages.length, 3);
    const single = await admin(s, 'messages', { content: 'a2' });
    assert.equal(single.status, 201);
    assert.equal((await admin(s, 'update', { messageId: single.body.messages[0].messageId, status: 'failure' })).status, 200);
    assert.equal((await admin(s, 'status', { status: 'completed' })).status, 200);
    assert.deepEqual(s.server.fake.events.map((e) => `${e.name}:${e.data.message?.content}`), ['new_message:u1']);
    assert.deepEqual(contents(await s.get(s.turns, '?limit=4')), ['a1', 's1', 'u1', 'a2']);
  });
});

describe('PUSHSYNC_ROADMAP_PAGING=oldest', () => {
  let s;
  before(async () => { s = await roadmapServer({ paging: 'oldest' }); });
  after(async () => { await s?.server.close(); });

  test('/api/health says paging oldest', async () => {
    assert.equal((await s.server.call('GET', '/api/health')).body.paging, 'oldest');
  });

  test('the oldest `limit` matching messages, ascending; default 50; clamped to 100', async () => {
    const page = await s.get(s.turns, '?limit=4');
    assert.deepEqual(Object.keys(page.body), ['messages']);
    assert.deepEqual(contents(page), turnContents.slice(0, 4));
    assert.deepEqual(contents(await s.get(s.bulk)), bulkContents.slice(0, 50));
    assert.deepEqual(contents(await s.get(s.bulk, '?limit=1000')), bulkContents.slice(0, 100));
    assert.deepEqual((await s.get(s.bulk, '?limit=1000')).body.messages.map((m) => m.sequenceNumber), range(1, 100));
  });

  test('since with a limit: the oldest messages created after it, so a client can page forward by timestamp', async () => {
    assert.deepEqual(contents(await s.get(s.turns, `?${since(s.all[3].timestamp)}&limit=3`)), turnContents.slice(4, 7));
    const seen = [];
    let cursor = '2000-01-01T00:00:00.000Z';
    for (;;) {
      const page = await s.get(s.turns, `?${since(cursor)}&limit=5`);
      if (!page.body.messages.length) break;
      seen.push(...contents(page));
      cursor = page.body.messages.at(-1).timestamp;
    }
    assert.deepEqual(seen, turnContents);
  });

  test('afterSequence is still ignored', async () => {
    assert.deepEqual(contents(await s.get(s.turns, '?limit=2&afterSequence=6')), turnContents.slice(0, 2));
  });
});

describe('PUSHSYNC_ROADMAP_UNKNOWN_PARAMS=refuse', () => {
  let s;
  before(async () => { s = await roadmapServer({ unknownParams: 'refuse' }); });
  after(async () => { await s?.server.close(); });

  test('afterSequence, or any parameter but limit and since, is a 400 naming it', async () => {
    const refused = await s.get(s.turns, '?limit=3&afterSequence=2');
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error.code, 'bad_request');
    assert.match(refused.body.error.message, /unknown query parameter 'afterSequence'/);
    const two = await s.get(s.turns, '?cursor=1&page=2');
    assert.equal(two.status, 400);
    assert.match(two.body.error.message, /'cursor', 'page'/);
  });

  test('limit and since are answered as usual', async () => {
    assert.equal((await s.server.call('GET', '/api/health')).body.unknownParams, 'refuse');
    const page = await s.get(s.turns, `?limit=2&${since(s.all[1].timestamp)}`);
    assert.equal(page.status, 200);
    assert.deepEqual(contents(page), turnContents.slice(-2));
    assert.equal((await s.get(s.turns)).status, 200);
  });
});

describe('PUSHSYNC_ROADMAP_CLIENT_ID=honour', () => {
  let s;
  before(async () => { s = await roadmapServer({ clientId: 'honour' }); });
  after(async () => { await s?.server.close(); });

  test('a retried interact (same clientMessageId) is the stored turn and triggers nothing', async () => {
    assert.equal((await s.server.call('GET', '/api/health')).body.clientId, 'honour');
    const sessionId = await s.server.createSession(s.alice);
    const body = { sessionId, content: 'once', clientMessageId: 'roadmap-1' };
    const first = await interact(s, body);
    assert.equal(first.body.userMessage.clientMessageId, 'roadmap-1');
    s.server.fake.clear();
    const retry = await interact(s, body);
    assert.equal(retry.body.replayed, true);
    assert.deepEqual(retry.body.assistantMessage, first.body.assistantMessage);
    assert.deepEqual(s.server.fake.events, []);
  });
});

describe('PUSHSYNC_ROADMAP_SEQUENCE=some', () => {
  let s;
  before(async () => { s = await roadmapServer({ sequence: 'some' }); });
  after(async () => { await s?.server.close(); });
  beforeEach(() => s.server.fake.clear());

  test('REST: the assistant\'s messages come without sequenceNumber, the user\'s with it, still in order', async () => {
    assert.equal((await s.server.call('GET', '/api/health')).body.sequence, 'some');
    assert.deepEqual(s.all.map((m) => m.content), turnContents);
    for (const message of s.all) {
      assert.equal('sequenceNumber' in message, message.role === 'user', message.content);
    }
    assert.deepEqual(s.all.filter((m) => m.role === 'user').map((m) => m.sequenceNumber), [1, 3, 5, 7, 9, 11]);
    const bulk = (await s.get(s.bulk, '?limit=5')).body.messages;
    assert.ok(bulk.every((m) => !('sequenceNumber' in m)));
    assert.deepEqual(bulk.map((m) => m.content), bulkContents.slice(-5));
  });

  test('interact: the answer\'s assistant message has no sequenceNumber; the pushed user message has one', async () => {
    const sessionId = await s.server.createSession(s.alice);
    const answer = await interact(s, { sessionId, content: 'numbers?' });
    const { userMessage, assistantMessage } = answer.body;
    assert.equal(userMessage.sequenceNumber, 1);
    assert.ok(!('sequenceNumber' in assistantMessage));
    const events = s.server.fake.events;
    assert.deepEqual(events.map((e) => e.name), ['new_message', 'interact_response']);
    assert.equal(events[0].data.message.sequenceNumber, 1);
    const stored = await s.server.call('GET', `/api/session/${sessionId}/messages`, { token: s.alice });
    assert.deepEqual(stored.body.messages, [userMessage, assistantMessage]);
  });
});

describe('PUSHSYNC_ROADMAP_MAX_LIMIT', () => {
  let s;
  before(async () => { s = await roadmapServer({ maxLimit: 10, paging: 'oldest' }); });
  after(async () => { await s?.server.close(); });

  test('a smaller maximum clamps the default limit and any larger one', async () => {
    assert.equal((await s.server.call('GET', '/api/health')).body.maxLimit, 10);
    assert.deepEqual(contents(await s.get(s.bulk)), bulkContents.slice(0, 10));
    assert.deepEqual(contents(await s.get(s.bulk, '?limit=50')), bulkContents.slice(0, 10));
    assert.deepEqual(contents(await s.get(s.bulk, '?limit=7')), bulkContents.slice(0, 7));
  });
});
