// Popup open to first message painted, cold worker, from the local copy: the built extension in
// Debian's Chromium against a real stack (bench/lib/stack.mjs, ports 3400/3405). For sessions of
// 100, 1,000 and 10,000 messages on the server: the session is selected once (the engine reads it,
// the worker writes its local copy: the newest 1,000 at most), then for each run the worker is
// stopped the way Chrome stops an idle one (CDP ServiceWorker.stopWorker) and popup.html is opened
// in a new tab, which starts it. Timed inside the popup from its navigation start
// (performance.timeOrigin) to the first frame painted after the first `#messages .message` node
// appeared (a MutationObserver, then requestAnimationFrame: the frame that shows it).
// The popup paints from its own read of the local copy (extension/src/view/early-copy.ts) before
// the worker's snapshot; each run records the popup's marks, the worker's, and when the snapshot
// reached the popup (waited for after the paint).
// Two modes, interleaved per run: `offline` (Chromium's network emulation on: only the local copy
// can paint anything) and `online` (the server up as well; whatever comes first paints).
// Run it with `bench/run open`; results: bench/results/open.json.
//
//   node bench/open.mjs [--sizes 100,1000,10000] [--runs 5]
import { launchBrowser, stopServiceWorker, until, withTimeout } from '../tests/browser/helpers.mjs';
import { command, machine, median, parseArgs, quantile, round, versions, writeResult } from './lib/env.mjs';
import { startStack } from './lib/stack.mjs';

const options = parseArgs(process.argv.slice(2), { sizes: '100,1000,10000', runs: 5, name: 'open' });
const sizes = options.sizes.split(',').map(Number);
const GOAL_MS = 100;
const BATCH = 500; // the admin route takes up to 1,000 messages a request
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Installed in the popup before its scripts run: when the first message was painted. */
function watchFirstMessage() {
  if (!location.pathname.endsWith('/popup.html')) return;
  // The popup's port: when it connects and when the worker's snapshot arrives.
  globalThis.__port = { documentStartAt: performance.now() };
  const connect = chrome.runtime.connect.bind(chrome.runtime);
  chrome.runtime.connect = (...args) => {
    const port = connect(...args);
    globalThis.__port.connectAt ??= performance.now();
    port.onMessage.addListener((message) => {
      if (message.type === 'snapshot') globalThis.__port.snapshotAt ??= performance.now();
    });
    return port;
  };
  globalThis.__firstMessage = new Promise((resolve) => {
    const seen = () => {
      if (!document.querySelector('#messages .message')) return false;
      const appearedAt = performance.now();
      requestAnimationFrame(() => resolve({ appearedAt, paintedAt: performance.now(), count: document.querySelectorAll('#messages .message').length }));
      return true;
    };
    const observer = new MutationObserver(() => {
      if (seen()) observer.disconnect();
    });
    const start = () => {
      if (!seen()) observer.observe(document.documentElement, { childList: true, subtree: true });
    };
    if (document.documentElement) start();
    else document.addEventListener('readystatechange', start, { once: true });
  });
}

/** In an extension page: select a session through a view port and wait for `count` messages. */
function selectAndWait({ sessionId, count }) {
  return new Promise((resolve, reject) => {
    const port = chrome.runtime.connect({ name: 'pushsync-view' });
    let size = 0;
    const timer = setTimeout(() => reject(new Error(`only ${size} of ${count} messages within 120 s`)), 120_000);
    port.onMessage.addListener((message) => {
      if (message.type === 'snapshot') size = message.total;
      if (message.type === 'messages') size = message.diff.size;
      if (message.type === 'snapshot' && message.sessionId !== sessionId) port.postMessage({ type: 'request', id: 1, request: { op: 'selectSession', sessionId } });
      if (message.sessionId === sessionId || message.diff?.sessionId === sessionId) {
        if (size >= count) {
          clearTimeout(timer);
          // Past the local copy's batch delay before the view goes.
          setTimeout(() => {
            port.disconnect();
            resolve(size);
          }, 1500);
        }
      }
    });
  });
}

/** In an extension page: how many messages the local copy holds for the session. */
function storedCount(sessionId) {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open('pushsync-local-copy');
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const db = request.result;
      const counted = db.transaction('messages', 'readonly').objectStore('messages').count(IDBKeyRange.bound([sessionId], [sessionId, []]));
      counted.onsuccess = () => {
        db.close();
        resolve(counted.result);
      };
      counted.onerror = () => reject(counted.error);
    };
  });
}

/** The worker's start marks (performance.mark in background.ts, engine-host.ts, local-copy.ts, view-hub.ts). */
async function workerMarks(browser) {
  const worker = browser.context.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${browser.extensionId}/`));
  if (!worker) return null;
  return withTimeout(
    worker.evaluate(() => ({
      timeOrigin: performance.timeOrigin,
      marks: Object.fromEntries(performance.getEntriesByType('mark').map((mark) => [mark.name, mark.startTime])),
    })),
    5_000,
    'reading the worker marks',
  ).catch(() => null);
}

function stat(values) {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length === 0) return null;
  return { median: round(median(v), 1), p90: round(quantile(v, 0.9), 1), min: round(Math.min(...v), 1), max: round(Math.max(...v), 1), runs: v.length };
}

async function main() {
  const startedAt = new Date().toISOString();
  const stack = await startStack('open');
  let browser;
  const cases = [];
  try {
    browser = await launchBrowser();
    await browser.context.addInitScript(watchFirstMessage);
    const page = await browser.open('options.html');
    const token = await stack.api.login();
    await page.evaluate(
      (settings) => chrome.storage.local.set(settings),
      { apiBase: stack.apiBase, wsHost: '127.0.0.1', wsPort: stack.sockudoPort, pusherKey: 'pushsync-key', protocol: 7, accessToken: token, accountEmail: 'alice@example.com' },
    );
    for (const size of sizes) {
      const sessionId = await stack.api.createSession(token);
      for (let from = 0; from < size; from += BATCH) {
        const batch = Array.from({ length: Math.min(BATCH, size - from) }, (_, i) => ({ content: `open bench message ${from + i}: the quick brown fox jumps over the lazy dog, ${'lorem ipsum '.repeat(8)}` }));
        await stack.api.postBatch(sessionId, batch);
      }
      const loaded = await withTimeout(page.evaluate(selectAndWait, { sessionId, count: Math.min(size, 1000) }), 150_000, `selecting a session of ${size}`);
      const stored = await page.evaluate(storedCount, sessionId);
      console.log(`open: session of ${size}: the worker shows ${loaded}, the local copy holds ${stored}`);
      const runs = [];
      for (let i = 0; i < options.runs; i++) {
        for (const mode of ['offline', 'online']) {
          await browser.context.setOffline(mode === 'offline');
          await stopServiceWorker(page);
          await sleep(500);
          const popup = await browser.context.newPage();
          await popup.setViewportSize({ width: 400, height: 580 });
          await popup.goto(browser.url('popup.html'));
          const first = await withTimeout(popup.evaluate(() => globalThis.__firstMessage), 30_000, 'the first message painted');
          // The popup paints before the worker answers: its snapshot (and the worker's marks) come after.
          await until(() => popup.evaluate(() => globalThis.__port.snapshotAt !== undefined), { timeoutMs: 30_000, what: 'the worker\'s snapshot' });
          const port = await popup.evaluate(() => globalThis.__port);
          const origin = await popup.evaluate(() => performance.timeOrigin);
          // The popup's own marks (view/early-copy.ts, popup.ts) and its document's load.
          const own = await popup.evaluate(() => {
            const navigation = performance.getEntriesByType('navigation')[0];
            return {
              marks: Object.fromEntries(performance.getEntriesByType('mark').map((mark) => [mark.name, mark.startTime])),
              responseEnd: navigation?.responseEnd,
              domInteractive: navigation?.domInteractive,
            };
          });
          const marks = await workerMarks(browser);
          const sinceOpen = (at) => (marks && at !== undefined ? round(marks.timeOrigin + at - origin, 1) : null);
          const run = {
            mode,
            paintedMs: round(first.paintedAt, 1),
            appearedMs: round(first.appearedAt, 1),
            documentLoadedMs: round(own.responseEnd, 1),
            // Playwright's init script: the document exists, before any of its own scripts.
            documentStartMs: round(port.documentStartAt, 1),
            documentParsedMs: round(own.domInteractive, 1),
            // popup-early.js, the page's first script, starts its own read of the local copy (view/early-copy.ts).
            popupScriptMs: round(own.marks['pushsync:popup-copy-asked'], 1),
            popupModuleMs: round(own.marks['pushsync:popup-module'], 1),
            popupSettingsReadMs: round(own.marks['pushsync:popup-settings-read'], 1),
            popupDbOpenMs: round(own.marks['pushsync:popup-db-open'], 1),
            popupTailReadMs: round(own.marks['pushsync:popup-tail-read'], 1),
            popupCopyReadMs: round(own.marks['pushsync:popup-copy-read'], 1),
            popupCopyShownMs: round(own.marks['pushsync:popup-copy-shown'], 1),
            portConnectMs: round(port.connectAt, 1),
            snapshotReceivedMs: round(port.snapshotAt, 1),
            // The worker's marks, in ms since the popup's navigation start.
            workerStartMs: sinceOpen(0),
            workerScriptMs: sinceOpen(marks?.marks['pushsync:worker-script']),
            settingsReadMs: sinceOpen(marks?.marks['pushsync:settings-read']),
            localCopyOpenedMs: sinceOpen(marks?.marks['pushsync:local-copy-opened']),
            localCopyReadMs: sinceOpen(marks?.marks['pushsync:local-copy-read']),
            snapshotPostedMs: sinceOpen(marks?.marks['pushsync:snapshot-posted']),
            rendered: first.count,
            // Painted from the popup's own read (before the worker's snapshot came), or the snapshot's.
            paintedFrom: own.marks['pushsync:popup-copy-shown'] !== undefined && (port.snapshotAt === undefined || own.marks['pushsync:popup-copy-shown'] < port.snapshotAt) ? 'popup read' : 'snapshot',
          };
          runs.push(run);
          console.log(`open: ${size} ${JSON.stringify(run)}`);
          await popup.close();
          await browser.context.setOffline(false);
          await sleep(1500);
        }
      }
      const summary = (mode) => stat(runs.filter((r) => r.mode === mode).map((r) => r.paintedMs));
      cases.push({ size, workerShows: loaded, localCopyHolds: stored, offline: summary('offline'), online: summary('online'), runs });
    }
  } finally {
    await browser?.context.setOffline(false).catch(() => {});
    await browser?.close();
    await stack.down();
  }
  const goals = cases.map((c) => ({
    goal: `popup open to first message painted, cold worker, ${c.size.toLocaleString('en-US')} messages, from the local copy: under ${GOAL_MS} ms`,
    size: c.size,
    medianMs: c.offline?.median ?? null,
    met: c.offline ? c.offline.median < GOAL_MS : null,
  }));
  const file = writeResult(options.name, {
    benchmark: 'open',
    command: command(),
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: machine(),
    versions: versions(['chromium']),
    settings: options,
    notes: [
      'ms from the popup\'s navigation start (performance.timeOrigin) to the frame after the first message node appeared (MutationObserver, then requestAnimationFrame). Each run: the worker stopped through CDP, then popup.html opened in a new tab (which starts the worker: module load, settings and the local copy read, the snapshot).',
      'offline: Chromium\'s network emulation on (context.setOffline), so only the local copy can paint; online: the server up too.',
      'The local copy keeps the newest 1,000 messages of a session (MESSAGES_PER_SESSION): a session of 10,000 opens with its newest 1,000.',
      'The popup reads the newest rows of the selected session from the local copy itself (view/early-copy.ts, the owner checked against the settings) and paints them before the worker\'s snapshot, which replaces them: popupScriptMs is when it asked (its script\'s first statement), popupCopyReadMs when it had them, popupCopyShownMs when they went to the list; paintedFrom says which came first. documentLoadedMs / documentParsedMs: the navigation timing\'s responseEnd and domInteractive.',
    ],
    goals,
    cases,
  });
  console.log(`open: ${JSON.stringify(goals)}`);
  console.log(`open: wrote ${file}`);
}

await main();
process.exit(0);
