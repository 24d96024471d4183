// pushsync against the roadmap's minimal backend: the reference server in its roadmap profile
// (docs/server.md, "The roadmap profile"; docs/backend-contract.md, first row): only the user's
// new_message and interact_response are pushed, the assistant's message is read from REST, and GET
// .../messages takes only `limit` and `since` and answers `{messages}`. Both page orders, each
// with its own stack (same ports, one after the other): newest-first (the newest `limit` matching
// messages) and oldest-first (the oldest `limit`, so a client can page on).
//
// What must hold: every message, the user's and the assistant's, ends up once and in order in the
// client's store, equal to the server's (its database: this REST cannot list a whole session); or,
// only newest-first, where the backend could not give what an outage or a late start left
// behind, the client's gaps say exactly where and how many (store + missing = server).
import { describe, test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileStorage } from '../../js-glue/dist/index.js';
import {
  startStack, client, connectedClient, closeAll, waitFor, roadmapEnv, serverMessages, adminPostOne, assertConverges, assertInsertedOnce,
  appFrames, channelOf, essence, failureFlag, compact, APP,
} from './support.mjs';

// Short reconnect schedule (300, 600, 1,200 ms, then polling): the outages below reach polling in
// about 2 s. The probe while polling keeps the engine's default (probeIntervalMs 8,000: every
// 4-8 s), which is what the push-return bound depends on.
const backoff = { backoffBaseMs: 300, backoffCapMs: 1200, maxReconnectAttempts: 3 };
const PUSH_RETURN_BOUND_MS = 10_000; // the roadmap's acceptance: push back within 10 s

// ---- helpers -------------------------------------------------------------------------------------

/**
 * Runs `turns` assistant turns (POST /api/agent/interact, two messages each) from `workers`
 * concurrent writers. `completed` counts finished turns; `done` resolves when all are, and rejects
 * on a failed request.
 */
function turnStream(stack, sessionId, { turns, workers = 1, prefix = 'turn' }) {
  let started = 0;
  let completed = 0;
  const worker = async () => {
    while (started < turns) {
      const i = started++;
      const answer = await stack.api.call('POST', '/api/agent/interact', { token: stack.alice, body: { sessionId, content: `${prefix} ${i}` } });
      if (answer.status !== 200) throw new Error(`interact ${prefix} ${i}: ${answer.status} ${JSON.stringify(answer.body)}`);
      completed++;
    }
  };
  const done = Promise.all(Array.from({ length: workers }, worker));
  done.catch(() => {}); // reported by whoever awaits `done`
  return { get completed() { return completed; }, done };
}

/**
 * The client's store and gaps against the server's messages: every stored message is the server's,
 * once, in the server's order, and every server message missing from the store lies in a reported
 * gap whose `missing` counts exactly the messages between its two ends. Answers the problems found
 * (none: consistent) and how many are missing.
 */
function audit(truth, messages, gaps) {
  const problems = [];
  const index = new Map(truth.map((m, i) => [m.messageId, i]));
  const have = new Set();
  let previous = -1;
  for (const m of messages) {
    const i = index.get(m.messageId);
    if (i === undefined) { problems.push(`#${m.sequenceNumber} ${m.messageId} is not the server's`); continue; }
    if (have.has(m.messageId)) problems.push(`#${m.sequenceNumber} is there twice`);
    else if (i < previous) problems.push(`#${m.sequenceNumber} is out of order`);
    have.add(m.messageId);
    previous = i;
    const t = truth[i];
    if (m.status !== t.status || m.content !== t.content || m.role !== t.role) problems.push(`#${t.sequenceNumber} differs: ${JSON.stringify(essence(m))} vs ${JSON.stringify(essence(t))}`);
  }
  const missing = truth.filter((m) => !have.has(m.messageId));
  let covered = 0;
  for (const gap of gaps) {
    const from = gap.afterId === '' ? -1 : index.get(gap.afterId);
    const to = gap.beforeId === '' ? truth.length : index.get(gap.beforeId);
    if (from === undefined || to === undefined) { problems.push(`gap ${JSON.stringify(gap)} names a message the server does not have`); continue; }
    const inside = truth.slice(from + 1, to);
    const stored = inside.filter((m) => have.has(m.messageId));
    if (stored.length) problems.push(`gap ${JSON.stringify(gap)} spans stored messages #${compact(stored.map((m) => m.sequenceNumber))}`);
    if (gap.missing !== inside.length) problems.push(`gap ${JSON.stringify(gap)} says ${gap.missing} missing, the server has ${inside.length} there (#${compact(inside.map((m) => m.sequenceNumber))})`);
    covered += inside.length - stored.length;
  }
  if (covered !== missing.length) {
    problems.push(`${missing.length} missing (#${compact(missing.map((m) => m.sequenceNumber))}), the gaps account for ${covered}`);
  }
  return { problems, missing: missing.length, reported: gaps.reduce((sum, g) => sum + (g.missing ?? 0), 0) };
}

/** The messages requests a client made, as `+ms path?query status` lines from `since`. */
function requestLines(c, stack, from = 0) {
  const base = c.requests[0]?.t ?? 0;
  return c.messageRequests().filter((r) => r.n > from)
    .map((r) => `+${(r.t - base).toFixed(0)}ms ${decodeURIComponent(r.url.replace(/^.*\/messages/, ''))} ${r.status}`);
}

/**
 * Waits until the client's store is consistent with the server's messages (audit) and, for
 * oldest-first or when nothing is missing, equal to them. Answers {truth, missing, gaps}.
 * Newest-first may report gaps; oldest-first must not (it can always page on).
 */
async function settleAgainstServer(stack, c, sessionId, paging, { timeout = 60_000, what = 'the store' } = {}) {
  const truth = await serverMessages(stack, sessionId);
  let last;
  await waitFor(() => {
    last = audit(truth, c.sync.messages(), c.sync.gaps());
    return last.problems.length === 0 && c.inFlight() === 0
      && (paging === 'newest' || last.missing === 0);
  }, {
    timeout,
    what: `${what} to hold the server's ${truth.length} messages${paging === 'newest' ? ' (or gaps for exactly those missing)' : ''}`,
    detail: () => `${c.describe()}\nproblems: ${last?.problems.slice(0, 10).join('; ')}\ngaps: ${JSON.stringify(c.sync.gaps())}\n` +
      `requests:\n${requestLines(c, stack).slice(-40).join('\n')}`,
  });
  const gaps = c.sync.gaps();
  if (paging === 'oldest') assert.deepEqual(gaps, [], 'oldest-first pages on: no gap');
  if (last.missing === 0) assert.deepEqual(c.sync.messages().map(essence), truth.map(essence));
  assert.equal(c.sync.messages().length + last.reported, truth.length, 'store + missing = the server\'s messages');
  assertInsertedOnce(c);
  return { truth, missing: last.missing, gaps };
}

/** Resolves with performance.now() when Sockudo first answers its health route (/up/<app>). */
async function healthyAt(port, timeout = 60_000) {
  const deadline = performance.now() + timeout;
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/up/${APP.id}`, { signal: AbortSignal.timeout(500) });
      if (response.ok) return performance.now();
    } catch { /* not yet */ }
    if (performance.now() > deadline) throw new Error(`Sockudo did not become healthy within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Starts Sockudo again (toolchain/stack up: only what is missing) and answers when it was healthy. */
async function restartSockudo(stack) {
  const healthy = healthyAt(stack.sockudoPort);
  const up = await stack.command('up');
  assert.equal(up.code, 0, `toolchain/stack up: ${up.stdout}\n${up.stderr}`);
  assert.match(up.stdout, /sockudo started/);
  return healthy;
}

// ---- the tests, for each page order ---------------------------------------------------------------

for (const paging of ['newest', 'oldest']) {
  describe(`roadmap profile, ${paging}-first pages`, () => {
    let stack;
    const failures = failureFlag();

    before(async () => {
      stack = await startStack(roadmapEnv({ paging }));
      assert.equal(stack.health.paging, paging);
    });

    // A test that failed while Sockudo was down must not leave the next one without it.
    beforeEach(async () => {
      const up = await stack.command('up');
      assert.equal(up.code, 0, `toolchain/stack up: ${up.stdout}\n${up.stderr}`);
    });

    afterEach(() => closeAll());

    after(async () => {
      closeAll();
      await stack?.down({ failed: failures.failed });
    });


    test(`${paging}: typing is inferred from the user's message and cleared by interact_response; a turn costs a few REST messages`, failures.wrap(async (t) => {
      const sessionId = await stack.api.createSession(stack.alice, `typing ${paging}`);
      const c = await connectedClient(stack, sessionId);
      assert.equal(c.sync.counters().dialect, 'minimal', 'an answer of {messages} only is the minimal dialect');
      const mark = Math.max(0, ...[...c.log.messages, ...c.log.typing, ...c.requests, ...c.frames].map((e) => e.n));
      // What the indicator says the moment the user's message is in the store.
      const atUserMessage = [];
      c.sync.on('messages', ({ inserted }) => {
        if (inserted.some((m) => m.role === 'user')) atUserMessage.push(c.sync.typing());
      });

      const answer = await stack.api.call('POST', '/api/agent/interact', { token: stack.alice, body: { sessionId, content: 'hello roadmap' } });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const { userMessage, assistantMessage } = answer.body;
      await waitFor(() => c.log.interactResponse.length === 1 && c.sync.messages().some((m) => m.messageId === assistantMessage.messageId),
        { what: 'interact_response and the assistant message', detail: c.describe });
      await assertConverges(stack, c, sessionId);

      const channel = channelOf(sessionId);
      assert.deepEqual(appFrames(c, channel).map((f) => f.frame.event), ['new_message', 'interact_response'],
        'the roadmap profile pushes the user message and interact_response only (no typing, no assistant message)');
      const typing = c.log.typing.filter((e) => e.n > mark);
      assert.deepEqual(typing.map((e) => [e.isTyping, e.context]), [[true, 'thinking'], [false, '']]);
      assert.deepEqual(atUserMessage[0], { isTyping: true, context: 'thinking' }, 'typing is on as the user message appears');
      const userFrame = appFrames(c, channel).find((f) => f.frame.event === 'new_message');
      const responseFrame = appFrames(c, channel).find((f) => f.frame.event === 'interact_response');
      const assistantInsert = c.log.messages.find((e) => e.inserted.some((m) => m.messageId === assistantMessage.messageId));
      assert.ok(userFrame.frame.data.message.messageId === userMessage.messageId);
      const userInsert = c.log.messages.find((e) => e.inserted.some((m) => m.messageId === userMessage.messageId));
      assert.ok(typing[0].n > userFrame.n, 'typing on after the user message arrived');
      assert.ok(typing[0].n > userInsert.n, 'typing on published after the user message, never before it');
      assert.ok(typing[1].n > responseFrame.n, 'typing off after interact_response arrived');
      assert.ok(typing[1].n < assistantInsert.n, 'typing off at interact_response, before the assistant message was read');
      t.diagnostic(`typing on ${(typing[1].t - typing[0].t).toFixed(0)} ms (the turn: user message to interact_response)`);
      assert.deepEqual(c.sync.typing(), { isTyping: false, context: '' });

      // More turns: each reply is read by a catch-up of what is new, not a page.
      const restBefore = c.sync.counters().restMessages;
      const turns = 5;
      for (let i = 0; i < turns; i++) {
        const more = await stack.api.call('POST', '/api/agent/interact', { token: stack.alice, body: { sessionId, content: `turn ${i}` } });
        assert.equal(more.status, 200);
        await waitFor(() => c.sync.messages().some((m) => m.messageId === more.body.assistantMessage.messageId),
          { what: `the reply to turn ${i}`, detail: c.describe });
      }
      await assertConverges(stack, c, sessionId);
      await waitFor(() => c.inFlight() === 0, { what: 'no request in flight' });
      const counters = c.sync.counters();
      t.diagnostic(`${counters.replies} replies read ${counters.replyMessages} REST messages (${(counters.replyMessages / counters.replies).toFixed(1)} a reply); ` +
        `restMessages +${counters.restMessages - restBefore} over ${turns} turns; requests: ${requestLines(c, stack, mark).join(' | ')}`);
      assert.equal(counters.replies, turns + 1);
      assert.ok(counters.replyMessages <= 3 * counters.replies, `replyMessages ${counters.replyMessages} > 3 × ${counters.replies}`);
      assert.equal(c.log.typing.filter((e) => e.n > mark).length, 2 * (turns + 1), 'on and off once a turn');
      assert.deepEqual(c.log.error, []);
    }));

    test(`${paging}: a pushed message that skips a sequence number is backfilled within 1 s`, failures.wrap(async (t) => {
      const sessionId = await stack.api.createSession(stack.alice, `gap ${paging}`);
      const first = await adminPostOne(stack, sessionId, 'first', { role: 'user' });
      const c = await connectedClient(stack, sessionId);
      await waitFor(() => c.sync.messages().length === 1, { what: 'the first message', detail: c.describe });
      await new Promise((resolve) => setTimeout(resolve, 300)); // idle: nothing in flight, nothing due
      assert.equal(c.inFlight(), 0);
      const mark = Math.max(...c.requests.map((r) => r.n), ...c.frames.map((f) => f.n));

      // The assistant's message is stored and never pushed (this profile); the next user message is
      // pushed with a sequence number that skips it.
      const hidden = await adminPostOne(stack, sessionId, 'not pushed', { role: 'assistant' });
      const pushed = await adminPostOne(stack, sessionId, 'pushed after the gap', { role: 'user' });
      assert.equal(pushed.sequenceNumber, first.sequenceNumber + 2);
      await waitFor(() => c.sync.messages().length === 3, { what: 'the hidden message backfilled', detail: c.describe });
      const frame = appFrames(c, channelOf(sessionId)).find((f) => f.n > mark && f.frame.data?.message?.messageId === pushed.messageId);
      assert.ok(frame, 'the user message came by push');
      const backfill = c.messageRequests().find((r) => r.n > frame.n);
      assert.ok(backfill, 'a REST read after the push');
      const delay = backfill.t - frame.t;
      t.diagnostic(`gap backfill started ${delay.toFixed(0)} ms after the push (gap grace 500 ms): ${requestLines(c, stack, mark).join(' | ')}`);
      assert.ok(delay < 1000, `the backfill started ${delay.toFixed(0)} ms after the push`);
      assert.match(backfill.url, /[?&]since=/);
      assert.doesNotMatch(backfill.url, /afterSequence/, 'the minimal dialect asks with limit and since only');
      await assertConverges(stack, c, sessionId);
      assert.deepEqual(c.sync.messages().map((m) => m.messageId), [first, hidden, pushed].map((m) => m.messageId));
      assert.deepEqual(c.sync.gaps(), []);
    }));

    test(`${paging}: push is back within 10 s of Sockudo being healthy again`, failures.wrap(async (t) => {
      const sessionId = await stack.api.createSession(stack.alice, `push return ${paging}`);
      const c = await connectedClient(stack, sessionId, { engineConfig: backoff });
      await stack.killSockudo('SIGKILL');
      await waitFor(() => c.sync.state().state === 'polling', { what: 'polling', detail: c.describe });
      assert.equal(c.sync.state().code, 'server_unreachable');
      // Steady polling: a background probe has failed once, so the next one is a whole interval away
      // (4-8 s, or 2-4 s after a successful poll): Sockudo returns right after a failed probe.
      const opened = c.sync.counters().socketsOpened;
      await waitFor(() => c.sync.counters().socketsOpened > opened, { what: 'a probe while polling', timeout: 20_000, detail: c.describe });
      await new Promise((resolve) => setTimeout(resolve, 200)); // its connect is refused at once
      assert.equal(c.sync.state().state, 'polling');
      const mark = c.log.state.length;
      const healthy = await restartSockudo(stack);
      await waitFor(() => c.sync.state().state === 'connected', { what: 'connected again', timeout: 30_000, detail: c.describe });
      const connected = c.log.state.slice(mark).find((s) => s.state === 'connected');
      const took = connected.t - healthy;
      t.diagnostic(`push back ${took.toFixed(0)} ms after Sockudo was healthy (bound ${PUSH_RETURN_BOUND_MS} ms); states ${c.states().slice(mark).join(' → ')}`);
      assert.deepEqual(c.log.state.slice(mark).map((s) => s.state), ['connected'], 'from polling straight to connected');
      assert.ok(took < PUSH_RETURN_BOUND_MS, `push came back ${took.toFixed(0)} ms after Sockudo was healthy`);
      // And it delivers.
      const live = await adminPostOne(stack, sessionId, 'live again', { role: 'user' });
      await waitFor(() => c.sync.messages().some((m) => m.messageId === live.messageId), { what: 'a pushed message', detail: c.describe });
    }));

    test(`${paging}: 80 turns while push is down: all 160 messages once, in order; push back afterwards`, failures.wrap(async (t) => {
      const sessionId = await stack.api.createSession(stack.alice, `down ${paging}`);
      const c = await connectedClient(stack, sessionId, { engineConfig: backoff });
      await stack.killSockudo('SIGKILL');
      await waitFor(() => c.sync.state().state === 'polling', { what: 'polling', detail: c.describe });
      const started = performance.now();
      const stream = turnStream(stack, sessionId, { turns: 80, prefix: 'while down' });
      await stream.done;
      const elapsed = performance.now() - started;
      // Still polling: the polls alone must bring everything.
      const whileDown = await settleAgainstServer(stack, c, sessionId, paging, { what: 'the store, by polling' });
      assert.equal(whileDown.truth.length, 160);
      assert.equal(c.sync.state().state, 'polling');
      assert.equal(whileDown.missing, 0, `nothing missing: ${JSON.stringify(whileDown.gaps)}`);
      const healthy = await restartSockudo(stack);
      await waitFor(() => c.sync.state().state === 'connected', { what: 'connected again', timeout: 30_000, detail: c.describe });
      const after = await settleAgainstServer(stack, c, sessionId, paging);
      assert.equal(after.missing, 0);
      assert.deepEqual(c.sync.messages().map((m) => m.sequenceNumber), Array.from({ length: 160 }, (_, i) => i + 1));
      const counters = c.sync.counters();
      t.diagnostic(`80 turns in ${(elapsed / 1000).toFixed(1)} s while polling; push back ${(c.log.state.at(-1).t - healthy).toFixed(0)} ms after Sockudo; ` +
        `${c.messageRequests().length} reads, restMessages ${counters.restMessages}, gapsFound ${counters.gapsFound}`);
    }));

    test(`${paging}: 1,000 messages, Sockudo killed and restarted mid-way: all once, in order${paging === 'newest' ? ', or gaps for exactly what is missing' : ''}`, failures.wrap(async (t) => {
      const sessionId = await stack.api.createSession(stack.alice, `stream ${paging}`);
      const c = await connectedClient(stack, sessionId, { engineConfig: backoff });
      const started = performance.now();
      // 500 turns from 4 writers: 1,000 messages, half of them (the assistant's) never pushed.
      const stream = turnStream(stack, sessionId, { turns: 500, workers: 4, prefix: 'stream' });
      let outage;
      try {
        await waitFor(() => stream.completed >= 150, { what: '150 turns', timeout: 60_000, detail: c.describe });
        assert.equal(c.sync.state().state, 'connected');
        const killedAt = performance.now();
        const killedWall = Date.now();
        const killMark = Math.max(...c.requests.map((r) => r.n));
        await stack.killSockudo('SIGKILL');
        await waitFor(() => c.sync.state().state === 'polling', { what: 'polling', detail: c.describe });
        const pollingAt = performance.now();
        // Polling while the turns go on: two successful polls at least, and 150 more turns.
        await waitFor(() => c.messageRequests().filter((r) => r.t > pollingAt && r.done && r.status === 200).length >= 2 && stream.completed >= 300,
          { what: 'two polls and 300 turns', timeout: 60_000, detail: c.describe });
        const healthy = await restartSockudo(stack);
        await waitFor(() => c.sync.state().state === 'connected', { what: 'connected again', timeout: 30_000, detail: c.describe });
        outage = { down: healthy - killedAt, back: c.log.state.at(-1).t - healthy, from: killedWall, to: Date.now(), reads: requestLines(c, stack, killMark) };
      } finally {
        await stream.done;
      }
      const streamed = performance.now() - started;
      const result = await settleAgainstServer(stack, c, sessionId, paging);
      assert.equal(result.truth.length, 1000);
      assert.equal(c.sync.state().state, 'connected');
      const counters = c.sync.counters();
      t.diagnostic(`1,000 messages in ${(streamed / 1000).toFixed(1)} s; Sockudo down ${(outage.down / 1000).toFixed(1)} s, push back ${outage.back.toFixed(0)} ms after; ` +
        `store ${c.sync.messages().length}, missing ${result.missing} in ${result.gaps.length} gap(s) ${JSON.stringify(result.gaps.map((g) => g.missing))}; ` +
        `${c.messageRequests().length} reads, restMessages ${counters.restMessages}, replies ${counters.replies}/${counters.replyMessages}, gapsFound ${counters.gapsFound}`);
      if (result.missing > 0) {
        // Only what a newest-first page could not reach: messages of the outage (more than the
        // largest page came between two reads), never any from while push was up.
        t.diagnostic(`gaps: ${JSON.stringify(result.gaps)}; reads from the kill to push back: ${outage.reads.join(' | ')}`);
        const have = new Set(c.sync.messages().map((m) => m.messageId));
        const outside = result.truth.filter((m) => !have.has(m.messageId))
          .filter((m) => Date.parse(m.timestamp) < outage.from - 1000 || Date.parse(m.timestamp) > outage.to + 1000);
        assert.deepEqual(outside.map((m) => m.sequenceNumber), [], 'missing messages from outside the outage');
        assert.ok(c.log.error.some((e) => e.code === 'incomplete'), 'a gap is reported as an error too');
      }
    }));

    test(`${paging}: a watcher stopped and started again during the stream ends with every message${paging === 'newest' ? ' or exact gaps' : ''}`, failures.wrap(async (t) => {
      const sessionId = await stack.api.createSession(stack.alice, `watcher ${paging}`);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pushsync-watcher-'));
      try {
        const file = path.join(dir, 'state.json');
        const first = await connectedClient(stack, sessionId, { storage: fileStorage(file) });
        const stream = turnStream(stack, sessionId, { turns: 150, workers: 2, prefix: 'watched' });
        let again;
        let fresh;
        try {
          await waitFor(() => stream.completed >= 40, { what: '40 turns', timeout: 60_000 });
          await waitFor(() => {
            try { return JSON.parse(JSON.parse(fs.readFileSync(file, 'utf8'))['pushsync.state']).sessionId === sessionId; } catch { return false; }
          }, { what: 'the state persisted' });
          const seen = first.sync.messages().length;
          await first.destroy(); // the watcher stops (an extension's service worker killed)
          await waitFor(() => stream.completed >= 70, { what: '70 turns', timeout: 60_000 });
          // The same storage: it restores the session by itself. And a new watcher with nothing.
          again = client(stack, { storage: fileStorage(file) });
          fresh = client(stack);
          fresh.sync.selectSession(sessionId);
          await waitFor(() => again.settled() && fresh.settled(), { what: 'both watchers connected', detail: () => `${again.describe()}\n${fresh.describe()}` });
          assert.equal(again.sync.sessionId(), sessionId, 'the restored watcher selected the session from its storage');
          t.diagnostic(`the first watcher had ${seen} messages when stopped`);
        } finally {
          await stream.done;
        }
        for (const [name, c] of [['restored', again], ['fresh', fresh]]) {
          const result = await settleAgainstServer(stack, c, sessionId, paging, { what: `the ${name} watcher's store` });
          assert.equal(result.truth.length, 300);
          t.diagnostic(`${name} watcher: store ${c.sync.messages().length}, missing ${result.missing}, gaps ${JSON.stringify(result.gaps)}; ` +
            `first reads: ${requestLines(c, stack).slice(0, 4).join(' | ')}`);
        }
      } finally {
        await closeAll(); // their last writes land before the folder goes
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }));

    if (paging === 'newest') {
      // The default settings (no short backoff): Sockudo comes back while the engine still waits
      // between reconnect attempts (1, 2, 4, 8, 16 s, + up to 20 %). From the third failure the
      // engine polls, and a poll that succeeds brings the next attempt within 2-4 s: push is back
      // within the 10 s bound wherever in the backoff Sockudo returns.
      test('default settings: push is back within 10 s of Sockudo being healthy again, also during the reconnect backoff', {
      }, async (t) => {
        const sessionId = await stack.api.createSession(stack.alice, 'push return, default settings');
        const c = await connectedClient(stack, sessionId);
        await stack.killSockudo('SIGKILL');
        // The fourth attempt failed: the fifth waits 16 s (the largest step before polling).
        await waitFor(() => c.sync.state().reason === 'Attempt 5 of 5', { what: 'the fifth attempt pending', timeout: 40_000, detail: c.describe });
        const mark = c.log.state.length;
        const healthy = await restartSockudo(stack);
        await waitFor(() => c.sync.state().state === 'connected', { what: 'connected again', timeout: 40_000, detail: c.describe });
        const took = c.log.state.slice(mark).find((s) => s.state === 'connected').t - healthy;
        t.diagnostic(`push back ${took.toFixed(0)} ms after Sockudo was healthy (bound ${PUSH_RETURN_BOUND_MS} ms); ` +
          `states ${c.log.state.map((s) => `${s.state}(${s.reason})`).join(' → ')}; reads while down: ${requestLines(c, stack).join(' | ')}`);
        assert.ok(took < PUSH_RETURN_BOUND_MS, `push came back ${took.toFixed(0)} ms after Sockudo was healthy`);
      });
    }
  });
}
