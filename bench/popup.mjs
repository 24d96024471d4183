// The popup on a long chat, in Chromium (Debian's, headless) with the built extension against a
// real stack: a 10,000-message session opened in the popup, then
//   1. one message pushed at a time (the admin route, then Sockudo, the worker's engine, the port):
//      from the port message reaching the popup to the frame that shows it painted, and the popup's
//      own work for it (the port message's handling plus the animation-frame callbacks that draw
//      it, the forced layout of following the bottom included);
//   2. a burst of 1,000 pushed in one admin batch: the longest task of the popup's main thread
//      (Long Tasks API: every task over 50 ms) and the input delay of key presses sent through CDP
//      every 100 ms meanwhile (Event Timing API);
//   3. the open itself: from the click to the newest message shown, and to the whole chat in the
//      worker's list (the debug panel's count), with the long tasks of that;
//   4. a second popup opened on that chat once it is all loaded: its snapshot carries the newest
//      300 messages of the worker's list (a view holds a window of it), from the navigation to the
//      newest shown, and its long tasks.
// The popup page is instrumented before its scripts run (page.addInitScript): its port's message
// listener and requestAnimationFrame are wrapped to time them, a MutationObserver notes when each
// message row enters the DOM, and a MessageChannel message posted from the frame's callbacks marks
// the end of that frame (it runs after the frame is painted).
// Goals (from issue 10, reported, never asserted): one pushed message to painted under 4 ms p99;
// during the burst, no task over 50 ms.
// Run it with `bench/run popup` (builds the extension, starts a stack on free ports unless
// BENCH_PORT / BENCH_SOCKUDO_PORT say otherwise); results: bench/results/popup.json.
//
//   node bench/popup.mjs [--seeded 10000] [--burst 1000] [--singles 200] [--reopens 5]
import { configureExtension, freePort, launchBrowser, until } from '../tests/browser/helpers.mjs';
import { command, machine, median, parseArgs, quantile, round, versions, writeResult } from './lib/env.mjs';
import { startStack } from './lib/stack.mjs';

const options = parseArgs(process.argv.slice(2), { seeded: 10_000, burst: 1_000, singles: 200, reopens: 5, name: 'popup' });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const GOAL_PAINT_P99_MS = 4;
const GOAL_LONGEST_TASK_MS = 50;

/**
 * A new popup.html tab on the chat already loaded: from the navigation to its newest message
 * shown (`lastBurst`), its snapshot, its long tasks, and its JS heap once all is shown.
 */
async function reopen(browser, lastBurst) {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 400, height: 580 });
  await page.addInitScript(instrument);
  await page.addInitScript(watchNewest, lastBurst);
  const openedAt = Date.now();
  await page.goto(browser.url('popup.html'));
  await until(async () => (await page.$$eval('#messages .message .content', (nodes) => nodes.at(-1)?.textContent ?? '')) === lastBurst, { timeoutMs: 60_000, intervalMs: 20, what: 'the reopened popup to show the chat' });
  const seenMs = Date.now() - openedAt;
  await sleep(1000);
  const tasks = await page.evaluate(() => window.__bench.longTasks.map((t) => t.duration));
  const snapshot = await page.evaluate(() => window.__bench.snapshots[0] ?? null);
  const newestShownAt = await page.evaluate(() => window.__newestShownAt ?? null);
  // What the page holds: its JS heap after a full collection (the messages it keeps, its DOM's
  // wrappers, its code), through CDP.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  await page.close();
  return {
    // On the page's clock (performance.now: since its navigation), when the row came; the
    // harness's own view of it (CDP polls every 20 ms, slower while the page is busy) besides.
    navigationToNewestShownMs: newestShownAt === null ? null : round(newestShownAt, 1),
    harnessSawNewestMs: seenMs,
    // The worker's snapshot: how many messages it carried, when it reached the page's listener
    // (ms since the navigation; the worker's structured clone and the page's are before it), and
    // the listener's own time (the view state and every component's first render of it).
    snapshotMessages: snapshot?.messages ?? null,
    snapshotReceivedMs: snapshot ? round(snapshot.start, 1) : null,
    snapshotHandleMs: snapshot ? round(snapshot.end - snapshot.start, 1) : null,
    heapUsedBytes: usedSize,
    longTaskDurationsMs: tasks.map((d) => round(d, 1)),
  };
}

/** Runs in a reopened popup before its scripts: when the last row first shows `last`. */
function watchNewest(last) {
  new MutationObserver((records, observer) => {
    const rows = document.querySelectorAll('#messages .message .content');
    if (rows[rows.length - 1]?.textContent !== last) return;
    window.__newestShownAt = performance.now();
    observer.disconnect();
  }).observe(document, { childList: true, subtree: true, characterData: true });
}

/** Runs in the popup before its own scripts: timing hooks (see the top of this file). */
function instrument() {
  const bench = { arrivals: new Map(), handled: [], snapshots: [], frames: [], inserted: new Map(), painted: new Map(), longTasks: [], events: [] };
  window.__bench = bench;
  const connect = chrome.runtime.connect.bind(chrome.runtime);
  chrome.runtime.connect = (...args) => {
    const port = connect(...args);
    const add = port.onMessage.addListener.bind(port.onMessage);
    port.onMessage.addListener = (listener) =>
      add((message, from) => {
        const start = performance.now();
        listener(message, from);
        const end = performance.now();
        if (message.type === 'snapshot') bench.snapshots.push({ start, end, messages: message.messages.length });
        if (message.type === 'messages') {
          bench.handled.push({ start, end, inserted: message.inserted.length });
          for (const m of message.inserted) bench.arrivals.set(m.messageId, { at: start, handleMs: end - start, batch: message.inserted.length });
        }
      });
    return port;
  };
  let observer;
  const watch = () => {
    const list = document.getElementById('messages');
    if (!list) return;
    observer = new MutationObserver(() => {});
    observer.observe(list, { childList: true });
  };
  document.addEventListener('DOMContentLoaded', watch);
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (callback) =>
    raf((timestamp) => {
      const start = performance.now();
      callback(timestamp);
      const end = performance.now();
      bench.frames.push({ timestamp, start, end, list: callback.name === 'drawFrameBatch' });
      const added = [];
      for (const record of observer?.takeRecords() ?? []) {
        for (const node of record.addedNodes) if (node.classList?.contains('message')) added.push(node.dataset.id);
      }
      if (added.length === 0) return;
      for (const id of added) if (!bench.inserted.has(id)) bench.inserted.set(id, { at: end, frame: timestamp });
      // Runs once this frame is painted.
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        const at = performance.now();
        for (const id of added) if (!bench.painted.has(id)) bench.painted.set(id, at);
      };
      channel.port2.postMessage(null);
    });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) bench.longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) bench.events.push({ name: entry.name, start: entry.startTime, delay: entry.processingStart - entry.startTime, duration: entry.duration });
  }).observe({ type: 'event', durationThreshold: 16, buffered: true });
}

function stat(values) {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length === 0) return null;
  return { median: round(median(v), 2), p90: round(quantile(v, 0.9), 2), p99: round(quantile(v, 0.99), 2), max: round(Math.max(...v), 2), count: v.length };
}

async function main() {
  const startedAt = new Date().toISOString();
  // Free ports unless pinned: other stacks (tests, other benchmarks) may hold 3400/3405.
  process.env.BENCH_PORT ??= String(await freePort());
  process.env.BENCH_SOCKUDO_PORT ??= String(await freePort());
  const stack = await startStack('popup');
  let browser;
  const result = {};
  try {
    browser = await launchBrowser();
    const setup = await browser.open('options.html');
    await configureExtension(setup, stack);
    const token = await stack.api.login();
    await setup.evaluate((t) => chrome.storage.local.set({ accessToken: t, accountEmail: 'alice@example.com', developerMode: false }), token);
    const sessionId = await stack.api.createSession(token);
    for (let from = 0; from < options.seeded; from += 1000) {
      const count = Math.min(1000, options.seeded - from);
      await stack.api.postBatch(sessionId, Array.from({ length: count }, (_, i) => ({ content: `seeded message ${from + i}: a line of text of a common length` })));
    }
    await setup.close();

    const popup = await browser.context.newPage();
    await popup.setViewportSize({ width: 400, height: 580 });
    await popup.addInitScript(instrument);
    await popup.goto(browser.url('popup.html'));
    await popup.waitForSelector(`#sessions .session[data-session-id="${sessionId}"]`);
    const lastShown = () => popup.$$eval('#messages .message .content', (nodes) => nodes.at(-1)?.textContent ?? '');

    // ---- 3. the open ------------------------------------------------------------------------
    const clickAt = await popup.evaluate(() => performance.now());
    await popup.click(`#sessions .session[data-session-id="${sessionId}"]`);
    const newest = `seeded message ${options.seeded - 1}: a line of text of a common length`;
    await until(async () => (await lastShown()) === newest, { timeoutMs: 120_000, intervalMs: 50, what: 'the newest message' });
    const newestAt = await popup.evaluate(() => performance.now());
    // The whole chat: the engine reads the newest page first, then the rest; the first message
    // shows at the top once all is there (scrolled up to it, then back).
    await until(
      async () => {
        const count = await popup.evaluate(() => window.__bench.handled.reduce((sum, h) => sum + h.inserted, 0));
        return count >= options.seeded;
      },
      { timeoutMs: 180_000, intervalMs: 100, what: `all ${options.seeded} messages in the view` },
    );
    const allAt = await popup.evaluate(() => performance.now());
    await sleep(1500);
    const openTasks = await popup.evaluate((from) => window.__bench.longTasks.filter((t) => t.start >= from).map((t) => t.duration), clickAt);
    result.open = {
      clickToNewestShownMs: round(newestAt - clickAt, 1),
      clickToAllInViewMs: round(allAt - clickAt, 1),
      longTasks: openTasks.length,
      longestTaskMs: round(Math.max(0, ...openTasks), 1),
      nodes: await popup.$$eval('#messages .message', (nodes) => nodes.length),
    };
    console.log(`popup: open ${JSON.stringify(result.open)}`);

    // ---- 1. one pushed message at a time ----------------------------------------------------------
    const singles = [];
    for (let i = 0; i < options.singles; i++) {
      const content = `single ${i}`;
      const postedAt = Date.now();
      const [message] = (await stack.api.postOne(sessionId, { content })).messages;
      const id = message.messageId;
      const seen = await until(
        () => popup.evaluate((id) => {
          const b = window.__bench;
          const painted = b.painted.get(id);
          if (painted === undefined) return null;
          const arrival = b.arrivals.get(id);
          const inserted = b.inserted.get(id);
          const frame = b.frames.filter((f) => f.timestamp === inserted.frame);
          const frameWork = frame.reduce((sum, f) => sum + (f.end - f.start), 0);
          const listWork = frame.filter((f) => f.list).reduce((sum, f) => sum + (f.end - f.start), 0);
          return { arrival: arrival.at, handleMs: arrival.handleMs, batch: arrival.batch, insertedAt: inserted.at, painted, frameWork, listWork, origin: performance.timeOrigin };
        }, id),
        { timeoutMs: 15_000, intervalMs: 10, what: `message ${content} painted` },
      );
      singles.push({
        arrivalToPaintedMs: seen.painted - seen.arrival,
        workMs: seen.handleMs + seen.frameWork,
        handleMs: seen.handleMs,
        frameMs: seen.frameWork,
        listFrameMs: seen.listWork,
        otherFrameMs: seen.frameWork - seen.listWork,
        postToPaintedMs: seen.origin + seen.painted - postedAt,
        batch: seen.batch,
      });
      await sleep(60);
    }
    result.single = {
      workMs: stat(singles.map((s) => s.workMs)),
      handleMs: stat(singles.map((s) => s.handleMs)),
      frameMs: stat(singles.map((s) => s.frameMs)),
      listFrameMs: stat(singles.map((s) => s.listFrameMs)),
      otherFrameMs: stat(singles.map((s) => s.otherFrameMs)),
      arrivalToPaintedMs: stat(singles.map((s) => s.arrivalToPaintedMs)),
      postToPaintedMs: stat(singles.map((s) => s.postToPaintedMs)),
    };
    console.log(`popup: single ${JSON.stringify(result.single)}`);

    // ---- 2. the burst -----------------------------------------------------------------------------
    await popup.click('#message-input');
    const burstFrom = await popup.evaluate(() => performance.now());
    let typing = true;
    const presses = (async () => {
      let sent = 0;
      while (typing) {
        await popup.keyboard.press('Shift');
        sent++;
        await sleep(100);
      }
      return sent;
    })();
    const postedAt = Date.now();
    await stack.api.postBatch(sessionId, Array.from({ length: options.burst }, (_, i) => ({ content: `burst ${i}` })));
    const answeredAt = Date.now();
    await until(async () => (await lastShown()) === `burst ${options.burst - 1}`, { timeoutMs: 180_000, intervalMs: 50, what: 'the last message of the burst' });
    const shownAt = Date.now();
    await sleep(500);
    typing = false;
    const pressed = await presses;
    const burst = await popup.evaluate((from) => {
      const b = window.__bench;
      return {
        longTasks: b.longTasks.filter((t) => t.start >= from).map((t) => t.duration),
        events: b.events.filter((e) => e.start >= from),
        handled: b.handled.filter((h) => h.start >= from),
        frames: b.frames.filter((f) => f.start >= from).map((f) => f.end - f.start),
        listFrames: b.frames.filter((f) => f.start >= from && f.list).map((f) => f.end - f.start),
        otherFrames: b.frames.filter((f) => f.start >= from && !f.list).map((f) => f.end - f.start),
      };
    }, burstFrom);
    const maxNodes = await popup.$$eval('#messages .message', (nodes) => nodes.length);
    result.burst = {
      messages: options.burst,
      postAnsweredMs: answeredAt - postedAt,
      postToLastShownMs: shownAt - postedAt,
      longTasks: burst.longTasks.length,
      longestTaskMs: round(Math.max(0, ...burst.longTasks), 1),
      longTaskDurationsMs: burst.longTasks.map((d) => round(d, 1)),
      keyPresses: pressed,
      inputEventsOver16Ms: burst.events.length,
      longestInputDelayMs: round(Math.max(0, ...burst.events.map((e) => e.delay)), 1),
      portMessages: burst.handled.length,
      portMessageHandleMs: stat(burst.handled.map((h) => h.end - h.start)),
      frameCallbackMs: stat(burst.frames),
      listFrameCallbackMs: stat(burst.listFrames),
      otherFrameCallbackMs: stat(burst.otherFrames),
      messageNodesAfter: maxNodes,
    };
    console.log(`popup: burst ${JSON.stringify({ ...result.burst, longTaskDurationsMs: undefined })}`);

    // ---- 4. a popup opened on the chat already loaded: the snapshot of every message -----------
    const lastBurst = `burst ${options.burst - 1}`;
    const reopens = [];
    for (let i = 0; i < options.reopens; i++) reopens.push(await reopen(browser, lastBurst));
    const medianOf = (key) => (reopens.some((r) => r[key] === null) ? null : round(median(reopens.map((r) => r[key])), 1));
    const tasks = reopens.flatMap((r) => r.longTaskDurationsMs);
    result.reopen = {
      messages: options.seeded + options.singles + options.burst,
      runs: reopens.length,
      navigationToNewestShownMs: medianOf('navigationToNewestShownMs'),
      harnessSawNewestMs: medianOf('harnessSawNewestMs'),
      snapshotMessages: reopens[0]?.snapshotMessages ?? null,
      snapshotReceivedMs: medianOf('snapshotReceivedMs'),
      snapshotHandleMs: medianOf('snapshotHandleMs'),
      heapUsedBytes: medianOf('heapUsedBytes'),
      longTasks: tasks.length,
      longestTaskMs: round(Math.max(0, ...tasks), 1),
      perRun: reopens,
    };
    console.log(`popup: reopen ${JSON.stringify({ ...result.reopen, perRun: undefined })}`);
  } finally {
    await browser?.close();
    await stack.down();
  }
  const p99 = result.single?.workMs?.p99;
  const file = writeResult(options.name, {
    benchmark: 'popup',
    command: command(),
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: machine(),
    versions: versions(['chromium', 'sockudo']),
    settings: options,
    goals: {
      onePushedMessageToPaintedP99Ms: { goal: `under ${GOAL_PAINT_P99_MS}`, measured: 'single.workMs.p99', value: p99 ?? null, met: p99 === undefined ? null : p99 < GOAL_PAINT_P99_MS },
      burstLongestTaskMs: { goal: `at most ${GOAL_LONGEST_TASK_MS}`, measured: 'burst.longestTaskMs', value: result.burst?.longestTaskMs ?? null, met: result.burst ? result.burst.longestTaskMs <= GOAL_LONGEST_TASK_MS : null },
    },
    notes: [
      'ms, the popup page\'s performance.now(). The popup is popup.html in a 400x580 tab of Debian\'s Chromium (headless=new, --disable-gpu), the extension built by toolchain/build-extension, against toolchain/stack (Sockudo + the reference server) on this machine.',
      'single.workMs: the popup\'s main-thread work for one pushed message: its port message handled (ViewState and every listener) plus the animation-frame callbacks of the frame that drew it (the windowed list\'s render, the forced layout of following the bottom included). This is the figure held against the 4 ms goal. listFrameMs is the message list\'s callback of that frame (view/frame-batch.ts, named drawFrameBatch), otherFrameMs every other callback of it (the outbox view\'s).',
      'single.arrivalToPaintedMs: from the port message reaching the popup to the end of the painted frame that shows it (a MessageChannel message posted from the frame\'s callbacks): it includes the wait for the next frame (up to one 16.7 ms frame interval at 60 Hz), which no renderer can avoid. postToPaintedMs adds the server, Sockudo, the worker\'s engine and the port (machine clock on both ends).',
      'burst.longestTaskMs: the longest task of the popup\'s main thread from the burst\'s post to 500 ms after its last message showed (Long Tasks API: only tasks over 50 ms are reported; 0 means none). longestInputDelayMs: Event Timing entries (16 ms threshold) of Shift key presses sent through CDP every 100 ms meanwhile.',
      'open: from the click on the chat to its newest message shown (the engine reads the newest page first) and to every message in the view\'s list (counted from the port messages).',
      'reopen: a new popup.html tab once the chat is loaded (its snapshot carries the newest 300 messages; before the view window, all of them), --reopens times, medians: from the navigation to its newest message shown, its snapshot received and handled, its JS heap after a full collection (CDP), and every task over 50 ms of those pages (Long Tasks API, buffered from each start).',
    ],
    ...result,
  });
  console.log(`popup: wrote ${file}`);
}

await main();
process.exit(0);
