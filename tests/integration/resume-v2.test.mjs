// Sockudo protocol V2 (protocol: 2): after a socket cut, the client resumes from its last serial
// through Sockudo's connection recovery and needs no REST request when the replay buffer covers
// the gap; when it cannot (a gap larger than the buffer, or a Sockudo restart that lost the
// buffer), REST fills it. Every test ends with exactly the server's messages.
//
// Socket cuts without touching Sockudo go through a TCP relay (startRelay): `cut()` kills the
// client's connection while Sockudo keeps running, `hold()`/`release()` decide when the client's
// reconnect reaches Sockudo, so the messages of the gap are posted while it is surely away.
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  startStack, client, closeAll, waitFor, assertConverges, assertInsertedOnce, appFrames, channelOf, failureFlag,
  startRelay, adminPostOne,
} from './support.mjs';

let stack;
let relay;
const failures = failureFlag();
const BUFFER = 100; // SOCKUDO_RECOVERY_BUFFER: messages Sockudo keeps per channel for resumes

before(async () => {
  stack = await startStack({ SOCKUDO_RECOVERY_BUFFER: String(BUFFER), SOCKUDO_RECOVERY_TTL: '120' });
  relay = await startRelay(stack.sockudoPort);
});

// A test that failed while Sockudo was down must not leave the next one without it: `up` starts
// only what is missing (and answers at once when both parts run).
beforeEach(async () => {
  relay.release(); // and a relay left holding by a failed test lets connections through again
  const up = await stack.command('up');
  assert.equal(up.code, 0, `toolchain/stack up: ${up.stdout}\n${up.stderr}`);
});

afterEach(() => closeAll());

after(async () => {
  closeAll();
  await relay?.close();
  await stack?.down({ failed: failures.failed });
});

const engineConfig = { backoffBaseMs: 200, backoffCapMs: 1000, maxReconnectAttempts: 50 };

/** A V2 client through the relay, connected and settled, with `initial` messages pushed to it. */
async function resumableClient(sessionId, initial = 3) {
  const c = client(stack, { protocol: 2, wsPort: relay.port, engineConfig });
  c.sync.selectSession(sessionId);
  await waitFor(c.settled, { what: 'connected (V2)', detail: c.describe });
  for (let i = 0; i < initial; i++) await adminPostOne(stack, sessionId, `seen ${i}`);
  await assertConverges(stack, c, sessionId);
  // V2 frames carry the position the client resumes from.
  const last = appFrames(c, channelOf(sessionId)).at(-1).frame;
  assert.equal(typeof last.serial, 'number', `a V2 event carries a serial: ${JSON.stringify(last)}`);
  assert.ok(last.stream_id, 'and a stream_id');
  await waitFor(() => c.inFlight() === 0, { what: 'no request in flight' });
  return c;
}

const resumeAnswers = (c, since) => c.frames.filter((f) => f.n > since && /^sockudo:resume_(success|failed)$/.test(f.frame.event));

test('V2: offline then online: resumed from Sockudo\'s buffer, no REST request for the gap', failures.wrap(async (t) => {
  const sessionId = await stack.api.createSession(stack.alice, 'v2 offline');
  const c = await resumableClient(sessionId);
  const before = c.sync.counters();
  const mark = c.frames.at(-1).n;

  c.sync.setOnline(false);
  await waitFor(() => c.sync.state().state === 'offline', { what: 'offline', detail: c.describe });
  await stack.waitSubscriptions({ [channelOf(sessionId)]: 0 }); // surely away from the channel
  const missed = await stack.api.adminPost(sessionId, ['missed 1', 'missed 2', 'missed 3', 'missed 4', 'missed 5']);
  c.sync.setOnline(true);

  await waitFor(() => c.sync.state().state === 'connected' && resumeAnswers(c, mark).length > 0,
    { what: 'connected and resumed', detail: c.describe });
  await assertConverges(stack, c, sessionId);
  await waitFor(() => c.inFlight() === 0, { what: 'no request in flight' });
  const after = c.sync.counters();
  const answer = resumeAnswers(c, mark)[0].frame;
  t.diagnostic(`resume answer: ${JSON.stringify(answer)}`);
  assert.equal(answer.event, 'sockudo:resume_success');
  assert.equal(answer.data.recovered?.find((r) => r.channel === channelOf(sessionId))?.replayed, missed.length);
  assert.equal(after.resumes, before.resumes + 1, 'one resume');
  assert.equal(after.syncs, before.syncs, 'no REST request: the replay covered the gap');
  assert.equal(after.socketsOpened, before.socketsOpened + 1);
  const replayed = appFrames(c, channelOf(sessionId)).filter((f) => f.n > mark).map((f) => f.frame.data.message.messageId);
  assert.deepEqual(replayed, missed.map((m) => m.messageId), 'the missed messages came as replays, in order');
  assertInsertedOnce(c);

  // Push goes on live after the resume.
  const live = await adminPostOne(stack, sessionId, 'live after resume');
  await waitFor(() => c.sync.messages().some((m) => m.messageId === live.messageId), { what: 'a live message after the resume', detail: c.describe });
  assert.equal(c.sync.counters().syncs, before.syncs);
}));

test('V2: a socket cut while Sockudo runs: reconnecting, resumed, no REST request for the gap', failures.wrap(async (t) => {
  const sessionId = await stack.api.createSession(stack.alice, 'v2 cut');
  const c = await resumableClient(sessionId);
  const before = c.sync.counters();
  const mark = c.frames.at(-1).n;
  const stateMark = c.log.state.length;

  relay.hold();
  relay.cut();
  await waitFor(() => c.sync.state().state === 'reconnecting', { what: 'reconnecting', detail: c.describe });
  await stack.waitSubscriptions({ [channelOf(sessionId)]: 0 });
  const missed = [];
  for (let i = 0; i < 10; i++) missed.push(await adminPostOne(stack, sessionId, `missed while cut ${i}`));
  await waitFor(() => relay.waiting() > 0, { what: 'the reconnect to wait at the relay', detail: c.describe });
  relay.release();

  await waitFor(() => c.sync.state().state === 'connected' && resumeAnswers(c, mark).length > 0,
    { what: 'connected and resumed', detail: c.describe });
  await assertConverges(stack, c, sessionId);
  await waitFor(() => c.inFlight() === 0, { what: 'no request in flight' });
  const after = c.sync.counters();
  t.diagnostic(`states ${c.states().slice(stateMark).join(' → ')}; resume answer ${JSON.stringify(resumeAnswers(c, mark)[0].frame.data)}`);
  // Reconnecting (more attempts only if the held one timed out on a very slow machine), then connected.
  const states = c.states().slice(stateMark);
  assert.equal(states[0], 'reconnecting(Attempt 1 of 50)');
  assert.equal(states.at(-1), 'connected');
  assert.ok(states.slice(0, -1).every((s) => s.startsWith('reconnecting(')), states.join(' → '));
  assert.equal(resumeAnswers(c, mark)[0].frame.event, 'sockudo:resume_success');
  assert.equal(after.resumes, before.resumes + 1);
  assert.equal(after.syncs, before.syncs, 'no REST request: the replay covered the gap');
  const replayed = appFrames(c, channelOf(sessionId)).filter((f) => f.n > mark).map((f) => f.frame.data.message.messageId);
  assert.deepEqual(replayed, missed.map((m) => m.messageId));
  assertInsertedOnce(c);
}));

test('V2: a gap larger than Sockudo\'s replay buffer is filled by REST: nothing lost', failures.wrap(async (t) => {
  const sessionId = await stack.api.createSession(stack.alice, 'v2 overflow');
  const c = await resumableClient(sessionId);
  const before = c.sync.counters();
  const mark = c.frames.at(-1).n;

  c.sync.setOnline(false);
  await waitFor(() => c.sync.state().state === 'offline', { what: 'offline', detail: c.describe });
  await stack.waitSubscriptions({ [channelOf(sessionId)]: 0 });
  const missed = await stack.api.adminPost(sessionId, Array.from({ length: BUFFER + 50 }, (_, i) => `overflow ${i}`));
  c.sync.setOnline(true);

  await waitFor(() => c.sync.state().state === 'connected' && resumeAnswers(c, mark).length > 0,
    { what: 'connected and resumed (or refused)', detail: c.describe });
  const truth = await assertConverges(stack, c, sessionId);
  assert.equal(truth.length, 3 + missed.length);
  assertInsertedOnce(c);
  const after = c.sync.counters();
  const answer = resumeAnswers(c, mark)[0].frame;
  const replayed = appFrames(c, channelOf(sessionId)).filter((f) => f.n > mark).length;
  t.diagnostic(`${missed.length} missed with a buffer of ${BUFFER}: ${answer.event} ${JSON.stringify(answer.data)}; ` +
    `${replayed} replayed, ${after.syncs - before.syncs} REST syncs, ${after.duplicates - before.duplicates} duplicates dropped`);
  assert.equal(after.resumes, before.resumes + 1);
  assert.ok(after.syncs > before.syncs, 'REST filled what the buffer could not');
}));

test('V2: Sockudo restarted (buffer lost): no resume from the lost stream, REST backfills: nothing lost', failures.wrap(async (t) => {
  const sessionId = await stack.api.createSession(stack.alice, 'v2 restart');
  const c = await resumableClient(sessionId);
  const before = c.sync.counters();
  const mark = c.frames.at(-1).n;
  const streamBefore = appFrames(c, channelOf(sessionId)).at(-1).frame.stream_id;

  // The client's reconnects wait at the relay while Sockudo is down (their timing is the business
  // of outage.test.mjs); the messages posted meanwhile are stored but their triggers fail.
  relay.hold();
  await stack.killSockudo('SIGKILL');
  await waitFor(() => c.sync.state().state === 'reconnecting', { what: 'reconnecting', detail: c.describe });
  const lost = await stack.api.adminPost(sessionId, ['during the restart 1', 'during the restart 2', 'during the restart 3']);
  const up = await stack.command('up');
  assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
  await waitFor(() => relay.waiting() > 0, { what: 'a reconnect waiting at the relay', detail: c.describe });
  relay.release();

  await waitFor(() => c.sync.state().state === 'connected' && c.sync.counters().syncs > before.syncs,
    { what: 'connected, REST backfill', timeout: 60_000, detail: c.describe });
  await assertConverges(stack, c, sessionId);
  const after = c.sync.counters();
  const answers = resumeAnswers(c, mark).map((f) => f.frame);
  t.diagnostic(`resume answers after the restart: ${JSON.stringify(answers)}`);
  // The new subscription names Sockudo's new stream: a resume from the lost one could only fail.
  assert.equal(after.resumes, before.resumes, 'no resume from a stream the server lost');
  assert.equal(answers.length, 0);
  assert.ok(after.syncs > before.syncs, 'REST backfilled the gap');
  assert.ok(lost.every((m) => c.sync.messages().some((s) => s.messageId === m.messageId)));
  assertInsertedOnce(c);

  // The new stream works for live pushes, and a later cut resumes from the new stream.
  const live = await adminPostOne(stack, sessionId, 'live on the new stream');
  await waitFor(() => c.sync.messages().some((m) => m.messageId === live.messageId), { what: 'a live message', detail: c.describe });
  const streamAfter = appFrames(c, channelOf(sessionId)).at(-1).frame.stream_id;
  assert.notEqual(streamAfter, streamBefore, 'Sockudo started a new stream');
  const syncs = c.sync.counters().syncs;
  const mark2 = c.frames.at(-1).n;
  c.sync.setOnline(false);
  await waitFor(() => c.sync.state().state === 'offline', { what: 'offline' });
  await stack.waitSubscriptions({ [channelOf(sessionId)]: 0 });
  await stack.api.adminPost(sessionId, ['after the restart, missed']);
  c.sync.setOnline(true);
  await waitFor(() => c.sync.state().state === 'connected' && resumeAnswers(c, mark2).length > 0, { what: 'resumed again', detail: c.describe });
  await assertConverges(stack, c, sessionId);
  await waitFor(() => c.inFlight() === 0, { what: 'no request in flight' });
  assert.equal(resumeAnswers(c, mark2)[0].frame.event, 'sockudo:resume_success');
  assert.equal(c.sync.counters().syncs, syncs, 'resumed from the new stream without REST');
}));
