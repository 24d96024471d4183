// Start in Chromium: the built extension (extension/dist) in Debian's Chromium, its service worker
// stopped the way Chrome stops an idle worker (CDP ServiceWorker.stopWorker) and started again by a
// view's port, timed from the worker's start (its performance.timeOrigin) to subscribed (the engine
// reports `connected`, which it does on pusher_internal:subscription_succeeded) — the path every
// MV3 worker restart takes: load the module, restore the persisted session, connect, authorize,
// subscribe. Also the first subscription after selecting a session in a running worker.
// Run it with `bench/run start` (builds the extension, starts a stack on 3400/3405, launches
// Chromium with tests/browser/helpers.mjs); results: bench/results/start.json.
//
//   node bench/start.mjs [--runs 10]
import { configureExtension, launchBrowser, stopServiceWorker, withTimeout } from '../tests/browser/helpers.mjs';
import { command, machine, median, parseArgs, quantile, round, versions, writeResult } from './lib/env.mjs';
import { startStack } from './lib/stack.mjs';

const options = parseArgs(process.argv.slice(2), { runs: 10, name: 'start' });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * In an extension page: open a view port (this starts a stopped worker) and resolve when the
 * worker reports `connected`. Times are the page's Date.now() (one clock with the worker's
 * performance.timeOrigin, which is epoch-based too).
 */
function connectAndWait(request) {
  return new Promise((resolve, reject) => {
    const wake = Date.now();
    const port = chrome.runtime.connect({ name: 'pushsync-view' });
    const timer = setTimeout(() => reject(new Error(`not connected within 20 s; saw ${JSON.stringify(seen)}`)), 20_000);
    const seen = [];
    let firstMessageAt;
    let requestedAt;
    port.onMessage.addListener((message) => {
      const raw = message.type === 'snapshot' || message.type === 'state' ? message.state : undefined;
      const state = raw && typeof raw === 'object' ? raw.state : raw;
      firstMessageAt ??= Date.now();
      if (state) seen.push(state);
      if (message.type === 'snapshot' && request && requestedAt === undefined) {
        requestedAt = Date.now();
        port.postMessage({ type: 'request', id: 1, request });
        return;
      }
      if (state === 'connected' && (!request || requestedAt !== undefined)) {
        clearTimeout(timer);
        const connectedAt = Date.now();
        // Keep the port for a moment so the worker is not left without a view while we read it.
        setTimeout(() => port.disconnect(), 3000);
        resolve({ wake, firstMessageAt, requestedAt, connectedAt, seen });
      }
    });
  });
}

async function workerTimings(context, extensionId) {
  const worker = context.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${extensionId}/`));
  if (!worker) return null;
  return withTimeout(
    worker.evaluate(() => ({
      timeOrigin: performance.timeOrigin,
      marks: performance.getEntriesByType('mark').map((e) => ({ name: e.name, at: e.startTime })),
      resources: performance.getEntriesByType('resource').map((e) => ({ name: e.name.replace(/^chrome-extension:\/\/[^/]+/, '').replace(/^http:\/\/[^/]+/, ''), start: e.startTime, end: e.responseEnd })),
    })),
    5_000,
    'reading the worker timings',
  ).catch(() => null);
}

function stat(values) {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length === 0) return null;
  return { median: round(median(v)), p90: round(quantile(v, 0.9)), min: round(Math.min(...v)), max: round(Math.max(...v)), runs: v.length };
}

async function main() {
  const startedAt = new Date().toISOString();
  const stack = await startStack('start');
  let browser;
  const runs = [];
  const notCold = [];
  let select;
  try {
    browser = await launchBrowser();
    const page = await browser.open('options.html');
    await configureExtension(page, stack);
    const token = await stack.api.login();
    await page.evaluate((t) => chrome.storage.local.set({ accessToken: t, accountEmail: 'alice@example.com' }), token);
    const sessionId = await stack.api.createSession(token);
    await stack.api.postBatch(sessionId, Array.from({ length: 50 }, (_, i) => ({ content: `start bench message ${i}` })));
    await sleep(500);
    // Selecting the session in a running worker: request to subscribed.
    select = await page.evaluate(connectAndWait, { op: 'selectSession', sessionId });
    await sleep(3500);
    // A run whose worker started before the view's port asked (something else woke it after the
    // stop: the wake alarm, a storage event) is no cold start from a view: it is run again.
    for (let i = 0, attempts = 0; i < options.runs && attempts < 2 * options.runs; attempts++) {
      await stopServiceWorker(page);
      await sleep(1000);
      const t = await page.evaluate(connectAndWait, null);
      const worker = await workerTimings(browser.context, browser.extensionId);
      const origin = worker?.timeOrigin;
      const find = (pattern) => worker?.resources.find((r) => pattern.test(r.name));
      const auth = find(/\/api\/pusher\/auth$/);
      const run = {
        wakeToWorkerStartMs: origin ? round(origin - t.wake, 1) : null,
        workerStartToSubscribedMs: origin ? round(t.connectedAt - origin, 1) : null,
        wakeToSubscribedMs: t.connectedAt - t.wake,
        authAnsweredAtMs: auth ? round(auth.end, 1) : null,
        states: t.seen,
        marks: worker?.marks.map((m) => `${m.name.replace(/^pushsync:/, '')} ${round(m.at, 1)}`),
        resources: worker?.resources.map((r) => `${r.name} ${round(r.start, 1)}-${round(r.end, 1)}`),
      };
      await sleep(3500);
      if (run.wakeToWorkerStartMs !== null && run.wakeToWorkerStartMs < 0) {
        notCold.push(run);
        console.log(`start: not a cold start (the worker started ${-run.wakeToWorkerStartMs} ms before the wake), run again`);
        continue;
      }
      runs.push(run);
      console.log(`start: run ${i}: ${JSON.stringify(run)}`);
      i++;
    }
  } finally {
    await browser?.close();
    await stack.down();
  }
  const file = writeResult(options.name, {
    benchmark: 'start',
    command: command(),
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: machine(),
    versions: versions(['chromium', 'emcc']),
    settings: options,
    notes: [
      'ms. Each run: the worker is stopped through CDP (as Chrome stops an idle one), then an extension page opens a view port, which starts it; it loads the WASM module, restores the persisted session, opens its socket, asks /api/pusher/auth, subscribes.',
      'workerStartToSubscribed: the page\'s Date.now() when the worker reports connected, minus the worker\'s performance.timeOrigin. wakeToSubscribed: from the port connect call (includes Chrome starting the worker).',
      'authAnsweredAt: the worker\'s resource timing entry of POST /api/pusher/auth (responseEnd, ms after the worker\'s start; the extension\'s own files, the .wasm included, are not in resource timing).',
      'selectToSubscribed: in a running worker, a view\'s selectSession request to the engine reporting connected.',
      'notColdRuns: runs whose worker had started before the wake (woken by something else after the stop), left out of the figures and run again.',
    ],
    selectToSubscribedMs: select ? select.connectedAt - select.requestedAt : null,
    summary: {
      workerStartToSubscribedMs: stat(runs.map((r) => r.workerStartToSubscribedMs)),
      wakeToSubscribedMs: stat(runs.map((r) => r.wakeToSubscribedMs)),
      wakeToWorkerStartMs: stat(runs.map((r) => r.wakeToWorkerStartMs)),
      authAnsweredAtMs: stat(runs.map((r) => r.authAnsweredAtMs)),
    },
    runs,
    notColdRuns: notCold,
  });
  console.log(`start: wrote ${file}`);
}

await main();
process.exit(0);
