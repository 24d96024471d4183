// Push delivery end to end: the reference server stores and triggers, the real Sockudo pushes, the
// pushsync engine (WASM, in Node through createSync) applies. One stack for the whole file.
//
// Every test waits for conditions (with generous timeouts), never for a fixed time, and checks the
// client's store against the server's own GET .../messages at the end.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  startStack, client, connectedClient, closeAll, waitFor, serverMessages, adminPostOne, assertConverges, assertInsertedOnce,
  assertOrderedUnique, appFrames, channelOf, essence, failureFlag,
} from './support.mjs';

let stack;
const failures = failureFlag();

before(async () => {
  stack = await startStack();
});

afterEach(() => closeAll());

after(async () => {
  closeAll();
  await stack?.down({ failed: failures.failed });
});


test('a message stored by the server appears in the store, once, in order', failures.wrap(async (t) => {
  const sessionId = await stack.api.createSession(stack.alice);
  const backlog = await stack.api.adminPost(sessionId, ['before 1', 'before 2', 'before 3']);
  const c = await connectedClient(stack, sessionId);
  // The backlog came through the REST backfill after subscribing.
  await assertConverges(stack, c, sessionId);
  assert.deepEqual(c.sync.messages().map((m) => m.messageId), backlog.map((m) => m.messageId));

  const syncs = c.sync.counters().syncs;
  const frameMark = c.frames.length;
  const posted = [];
  for (const content of ['live 1', 'live 2', 'live 3']) posted.push(await adminPostOne(stack, sessionId, content));
  const truth = await assertConverges(stack, c, sessionId);
  assert.equal(truth.length, 6);
  assert.deepEqual(c.sync.messages().slice(3).map(essence), posted.map(essence));
  // Pushed, not fetched: each arrived as one new_message frame and no REST request was needed.
  const pushed = appFrames(c, channelOf(sessionId)).filter((f) => f.n > (c.frames[frameMark - 1]?.n ?? 0));
  assert.deepEqual(pushed.map((f) => f.frame.data.message.messageId), posted.map((m) => m.messageId));
  assert.equal(c.sync.counters().syncs, syncs, 'no REST request for pushed messages');
  // Each message inserted exactly once, across every `messages` event.
  assert.equal(assertInsertedOnce(c).size, 6);
  assert.equal(c.sync.counters().messagesInserted, 6);
  assert.equal(c.sync.counters().socketsOpened, 1);
  assert.deepEqual(c.log.error, []);
}));

test('the interact flow: user message, typing on and off, the assistant message and its status, then a catch-up of what is new', failures.wrap(async (t) => {
  const sessionId = await stack.api.createSession(stack.alice);
  const c = await connectedClient(stack, sessionId);
  const mark = Math.max(0, ...[...c.log.messages, ...c.log.typing, ...c.requests].map((e) => e.n));
  const syncs = c.sync.counters().syncs;
  const logFrom = stack.serverLog().length;

  const answer = await stack.api.call('POST', '/api/agent/interact', { token: stack.alice, body: { sessionId, content: 'hello pushsync' } });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  const { userMessage, assistantMessage, response } = answer.body;
  assert.equal(assistantMessage.status, 'success');

  // interact_response, then the catch-up it starts: only what is new (GET messages with `since`,
  // the server time of the last complete read), not the newest page again.
  const isCatchUp = (r) => r.n > mark && /\/messages\?limit=\d+&since=[^&]+$/.test(r.url);
  await waitFor(() => c.log.interactResponse.length === 1 && c.requests.some((r) => isCatchUp(r) && r.n > c.log.interactResponse[0].n && r.done),
    { what: 'interact_response and the catch-up after it', detail: c.describe });
  await assertConverges(stack, c, sessionId);

  const interact = c.log.interactResponse[0];
  assert.equal(interact.sessionId, sessionId);
  assert.deepEqual(interact.data, response);
  const refresh = c.requests.find((r) => isCatchUp(r) && r.n > interact.n);
  assert.equal(refresh.status, 200);
  assert.ok(c.sync.counters().syncs > syncs, 'the catch-up counts as a sync');
  assert.deepEqual(c.messageRequests().filter((r) => r.n > mark && !isCatchUp(r)).map((r) => r.url), [],
    'no newest-page read during the turn');
  const counters = c.sync.counters();
  assert.equal(counters.replies, 1);
  t.diagnostic(`the reply's catch-up read ${counters.replyMessages} message(s): ${refresh.url.replace(stack.url, '')}`);
  assert.ok(counters.replyMessages <= 3, `a reply reads what is new, not a page: ${counters.replyMessages} messages`);
  // The server saw it too: its request log has the catch-up after the interact request.
  const serverLog = stack.serverLog().slice(logFrom);
  const interactLine = serverLog.indexOf('POST /api/agent/interact 200');
  // Request lines name the query's parameters, not their values (docs/security.md).
  const refreshLine = serverLog.search(new RegExp(`GET /api/session/${sessionId}/messages\\?limit&since 200`));
  assert.ok(interactLine >= 0 && refreshLine > interactLine, 'server.log shows the catch-up after the interact request');

  // Typing: thinking, executing, verifying, then off.
  const typing = c.log.typing.filter((e) => e.n > mark);
  assert.deepEqual(typing.map((e) => [e.isTyping, e.context]),
    [[true, 'thinking'], [true, 'executing'], [true, 'verifying'], [false, '']]);
  assert.deepEqual(c.sync.typing(), { isTyping: false, context: '' });

  // The store's changes, in order: the user's message, the assistant's (pending), its update (success).
  const changes = c.log.messages.filter((e) => e.n > mark).flatMap((e) => [
    ...e.inserted.map((m) => ['inserted', m.messageId, m.status, e.n]),
    ...e.updated.map((m) => ['updated', m.messageId, m.status, e.n]),
  ]);
  assert.deepEqual(changes.map(([kind, id, status]) => [kind, id, status]), [
    ['inserted', userMessage.messageId, 'sent'],
    ['inserted', assistantMessage.messageId, 'pending'],
    ['updated', assistantMessage.messageId, 'success'],
  ]);
  // Interleaved as the server ran the turn. "thinking" may come from the user's new_message
  // itself (typing "auto" infers the turn from it, before the server's own typing event, which
  // then changes nothing): published after the message, never before it.
  const at = (list, match) => list.find(match).n;
  const typingAt = (context) => at(typing, (e) => e.isTyping && e.context === context);
  const order = [
    ['user message', changes[0][3]],
    ['typing thinking', typingAt('thinking')],
    ['typing executing', typingAt('executing')],
    ['assistant pending', changes[1][3]],
    ['typing verifying', typingAt('verifying')],
    ['assistant success', changes[2][3]],
    ['typing off', at(typing, (e) => !e.isTyping)],
    ['interact_response', interact.n],
    ['catch-up', refresh.n],
  ];
  for (let i = 1; i < order.length; i++) {
    assert.ok(order[i - 1][1] < order[i][1], `${order[i - 1][0]} before ${order[i][0]}: ${JSON.stringify(order)}`);
  }
  assert.deepEqual(c.sync.messages().map(essence), [userMessage, assistantMessage].map(essence));
  assert.deepEqual(c.log.error, []);
}));

test('an assistant turn costs a handful of REST messages, not a page', failures.wrap(async (t) => {
  const sessionId = await stack.api.createSession(stack.alice, 'reply cost');
  // More than a page of history: a newest-page refresh after each reply would read 50 messages.
  await stack.api.adminPost(sessionId, Array.from({ length: 80 }, (_, i) => `history ${i}`));
  const c = await connectedClient(stack, sessionId);
  await assertConverges(stack, c, sessionId);
  await waitFor(() => c.inFlight() === 0, { what: 'no request in flight' });
  const before = c.sync.counters();
  const turns = 10;
  for (let i = 0; i < turns; i++) {
    const answer = await stack.api.call('POST', '/api/agent/interact', { token: stack.alice, body: { sessionId, content: `cost ${i}` } });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    await waitFor(() => c.sync.counters().replies - before.replies === i + 1 && c.inFlight() === 0,
      { what: `the catch-up after turn ${i}`, detail: c.describe });
  }
  const truth = await assertConverges(stack, c, sessionId);
  assert.equal(truth.length, 80 + 2 * turns);
  const after = c.sync.counters();
  const replies = after.replies - before.replies;
  const replyMessages = after.replyMessages - before.replyMessages;
  const restMessages = after.restMessages - before.restMessages;
  t.diagnostic(`${turns} turns: replies ${replies}, replyMessages ${replyMessages} (${(replyMessages / turns).toFixed(1)} a turn), ` +
    `restMessages +${restMessages} (${(restMessages / turns).toFixed(1)} a turn; the session has ${truth.length}); dialect ${after.dialect}`);
  assert.equal(after.dialect, 'paged');
  assert.equal(replies, turns);
  assert.ok(replyMessages <= 3 * turns, `replyMessages ${replyMessages} > 3 × ${turns}`);
  assert.ok(restMessages <= 3 * turns, `restMessages grew by ${restMessages} over ${turns} turns (a page a turn would be ${50 * turns})`);
  assert.deepEqual(c.log.error, []);
}));

test('an assistant turn that fails ends in failure with its error in the store', failures.wrap(async (t) => {
  const sessionId = await stack.api.createSession(stack.alice);
  const c = await connectedClient(stack, sessionId);
  const answer = await stack.api.call('POST', '/api/agent/interact', { token: stack.alice, body: { sessionId, content: 'fail' } });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  await waitFor(() => c.log.interactResponse.length === 1, { what: 'interact_response', detail: c.describe });
  await assertConverges(stack, c, sessionId);
  const assistant = c.sync.messages().find((m) => m.role === 'assistant');
  assert.equal(assistant.status, 'failure');
  assert.deepEqual(assistant.error, answer.body.assistantMessage.error);
  assert.equal(c.log.interactResponse[0].data.status, 'failed');
}));

test('switching sessions: one socket, the old channel left, nothing of the old session in the new store', failures.wrap(async (t) => {
  const first = await stack.api.createSession(stack.alice, 'first');
  const second = await stack.api.createSession(stack.alice, 'second');
  await stack.api.adminPost(first, ['first 1', 'first 2', 'first 3']);
  await stack.api.adminPost(second, ['second 1', 'second 2']);

  const c = await connectedClient(stack, first);
  await assertConverges(stack, c, first);
  await stack.waitSubscriptions({ [channelOf(first)]: 1 });

  c.sync.selectSession(second);
  await waitFor(() => c.sync.sessionId() === second && c.settled(), { what: 'settled on the second session', detail: c.describe });
  await assertConverges(stack, c, second);
  // Sockudo's view: the socket left the first channel and joined the second.
  await stack.waitSubscriptions({ [channelOf(first)]: 0, [channelOf(second)]: 1 });
  assert.equal(c.sync.counters().socketsOpened, 1, 'the same socket');
  assert.deepEqual(c.states().slice(-2), ['connecting', 'connected']);
  const reset = c.log.messages.find((e) => e.diff.reset && e.diff.sessionId === second);
  assert.ok(reset, 'the store was reset for the new session');
  assert.ok(c.log.session.some((e) => e.sessionId === second));

  // The first session goes on; the second gets a marker after it. Once the marker is in, anything
  // of the first session would have arrived before it on this socket.
  const frameMark = c.frames.at(-1)?.n ?? 0;
  const leaked = await stack.api.adminPost(first, ['first after switch 1', 'first after switch 2']);
  const marker = await adminPostOne(stack, second, 'marker');
  await waitFor(() => c.sync.messages().some((m) => m.messageId === marker.messageId), { what: 'the marker', detail: c.describe });
  const secondTruth = await assertConverges(stack, c, second);
  assert.equal(secondTruth.length, 3);
  const leakedIds = new Set(leaked.map((m) => m.messageId));
  assert.ok(!c.sync.messages().some((m) => leakedIds.has(m.messageId)));
  assert.deepEqual(c.frames.filter((f) => f.n > frameMark && f.frame.channel === channelOf(first)).map((f) => f.frame.event), [],
    'no frame of the old channel after the switch');
  const afterSwitch = c.log.messages.filter((e) => e.n >= reset.n);
  for (const event of afterSwitch) {
    assert.equal(event.diff.sessionId, second);
    for (const m of [...event.inserted, ...event.updated]) assert.ok(secondTruth.some((t) => t.messageId === m.messageId), `${m.content} is not the second session's`);
  }

  // And back: the first session is reloaded whole (including what came while away), same socket.
  c.sync.selectSession(first);
  await waitFor(() => c.sync.sessionId() === first && c.settled(), { what: 'settled on the first session again', detail: c.describe });
  const firstTruth = await assertConverges(stack, c, first);
  assert.equal(firstTruth.length, 5);
  assert.equal(c.sync.counters().socketsOpened, 1);
  await stack.waitSubscriptions({ [channelOf(first)]: 1, [channelOf(second)]: 0 });
  assert.deepEqual(c.log.error, []);
}));

test('switching before the first subscription completes ends on the last session only', failures.wrap(async (t) => {
  const sessions = [];
  for (let i = 0; i < 3; i++) {
    const id = await stack.api.createSession(stack.alice, `quick ${i}`);
    await stack.api.adminPost(id, [`quick ${i} a`, `quick ${i} b`]);
    sessions.push(id);
  }
  const c = client(stack);
  for (const id of sessions) c.sync.selectSession(id); // no wait between: the auth requests race
  const last = sessions.at(-1);
  await waitFor(() => c.sync.sessionId() === last && c.settled(), { what: 'settled on the last session', detail: c.describe });
  await assertConverges(stack, c, last);
  await stack.waitSubscriptions(Object.fromEntries(sessions.map((id) => [channelOf(id), id === last ? 1 : 0])));
  assert.equal(c.sync.counters().socketsOpened, 1);
}));

test('1,000 messages in rapid succession: all present, in order, no duplicates', failures.wrap(async (t) => {
  const sessionId = await stack.api.createSession(stack.alice);
  const c = await connectedClient(stack, sessionId);
  const before = c.sync.counters();
  const started = performance.now();
  const stored = await stack.api.adminPost(sessionId, Array.from({ length: 1000 }, (_, i) => `rapid ${i}`));
  assert.equal(stored.length, 1000);
  const truth = await assertConverges(stack, c, sessionId, { timeout: 120_000 });
  const elapsed = performance.now() - started;
  assert.equal(truth.length, 1000);
  assert.deepEqual(c.sync.messages().map((m) => m.sequenceNumber), Array.from({ length: 1000 }, (_, i) => i + 1));
  assert.equal(assertInsertedOnce(c).size, 1000);
  const after = c.sync.counters();
  assert.equal(after.messagesInserted - before.messagesInserted, 1000);
  const pushed = appFrames(c, channelOf(sessionId)).filter((f) => f.frame.event === 'new_message').length;
  t.diagnostic(`1,000 messages: ${elapsed.toFixed(0)} ms from the batch request to the full store; ` +
    `${pushed} pushed frames, ${after.syncs - before.syncs} REST syncs, ${after.duplicates - before.duplicates} duplicates dropped`);
  assert.deepEqual(c.log.error, []);
}));

test('500 messages from 25 concurrent writers (pushes out of sequence order): all present, in order, once', failures.wrap(async (t) => {
  const sessionId = await stack.api.createSession(stack.alice);
  const c = await connectedClient(stack, sessionId);
  const before = c.sync.counters();
  const writers = Array.from({ length: 25 }, async (_, w) => {
    for (let i = 0; i < 20; i++) await adminPostOne(stack, sessionId, `writer ${w} message ${i}`);
  });
  await Promise.all(writers);
  const truth = await assertConverges(stack, c, sessionId, { timeout: 120_000 });
  assert.equal(truth.length, 500);
  assertOrderedUnique(c.sync.messages());
  assert.equal(assertInsertedOnce(c).size, 500);
  const pushedOrder = appFrames(c, channelOf(sessionId)).filter((f) => f.frame.event === 'new_message').map((f) => f.frame.data.message.sequenceNumber);
  const outOfOrder = pushedOrder.filter((s, i) => i > 0 && s < pushedOrder[i - 1]).length;
  const after = c.sync.counters();
  t.diagnostic(`concurrent writers: ${pushedOrder.length} pushed frames, ${outOfOrder} arrived after a higher sequence, ` +
    `${after.syncs - before.syncs} REST syncs, ${after.duplicates - before.duplicates} duplicates dropped`);
}));

test('the server\'s messages and the store agree field by field', failures.wrap(async (t) => {
  const sessionId = await stack.api.createSession(stack.alice);
  const c = await connectedClient(stack, sessionId);
  await stack.api.call('POST', `/api/admin/session/${sessionId}/messages`, {
    headers: { 'x-admin-token': 'pushsync-admin' },
    body: { messages: [
      { role: 'system', content: 'with payload', actionPayload: { taskId: 't-1', action: 'open', nested: { list: [1, 2] } } },
      { role: 'assistant', content: 'with error', status: 'failure', error: { code: 'boom', message: 'it broke' } },
      { role: 'user', content: 'unicode: héllo 🌍 "quoted" \\ back\nnewline' },
    ] },
  });
  await assertConverges(stack, c, sessionId);
  const server = await serverMessages(stack, sessionId);
  const strip = ({ clientMessageId, ...m }) => m; // eslint-disable-line no-unused-vars
  assert.deepEqual(c.sync.messages().map((m) => ({ ...m })), server.map(strip));
}));
