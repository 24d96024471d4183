// Where the extension keeps its local copy of the chats: IndexedDB or chrome.storage.local,
// measured where it will run — inside the built extension's service worker in Debian's Chromium
// (the worker's own origin and quota, the same process model). For each store:
//   - write 10,000 messages of a session, and read them back (warm: the store already open);
//   - read them in a worker Chrome has just started (cold: the first access after a stop, which
//     is what a popup opened on a stopped worker waits for);
//   - append a batch of 1, 10 and 50 messages to that session (what the worker does after each
//     engine diff), in the layout each store allows: IndexedDB one record per message in one
//     transaction; chrome.storage.local one value per session (the batch means reading and
//     rewriting the whole list) and, the fairer layout for it, chunks of 500 messages per key
//     (the batch rewrites the last chunk).
// No stack is needed: nothing here talks to a server. Run it with `bench/run storage`; results:
// bench/results/storage.json.
//
//   node bench/storage.mjs [--messages 10000] [--appends 20]
import { launchBrowser, stopServiceWorker, until, withTimeout } from '../tests/browser/helpers.mjs';
import { command, machine, median, parseArgs, quantile, round, versions, writeResult } from './lib/env.mjs';

const options = parseArgs(process.argv.slice(2), { messages: 10_000, appends: 20, colds: 5, name: 'storage' });

/** Runs in the service worker: the measurements, by name; the messages are made there. */
async function measure({ count, appends, phase }) {
  const CHUNK = 500;
  const SESSION = 'bench-session';
  const words = 'the quick brown fox jumps over a lazy dog while sync engines merge ordered diffs from Sockudo'.split(' ');
  const message = (i) => ({
    messageId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    sequenceNumber: i + 1,
    role: i % 2 ? 'assistant' : 'user',
    content: Array.from({ length: 40 }, (_, w) => words[(i * 7 + w) % words.length]).join(' '),
    status: 'sent',
    timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
  });
  const SMALL = 'bench-session-small'; // what the extension keeps of a session: its newest 1,000
  const SMALL_COUNT = 1000;
  const key = (m, session = SESSION) => [session, Date.parse(m.timestamp), m.sequenceNumber, m.messageId];
  const time = async (fn) => {
    const t0 = performance.now();
    const out = await fn();
    return { ms: performance.now() - t0, out };
  };
  const done = (tx) => new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
  const ask = (request) => new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const openDb = () => new Promise((resolve, reject) => {
    const request = indexedDB.open('pushsync-bench', 1);
    request.onupgradeneeded = () => request.result.createObjectStore('messages');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const range = (session = SESSION) => IDBKeyRange.bound([session], [session, []]);
  const idbRead = async (db, session = SESSION) => ask(db.transaction('messages', 'readonly').objectStore('messages').getAll(range(session)));
  const chunkKeys = (n) => Array.from({ length: Math.ceil(n / CHUNK) }, (_, c) => `bench.chunk.${c}`);
  const chunkedRead = async (n) => {
    const got = await chrome.storage.local.get(chunkKeys(n));
    return chunkKeys(n).flatMap((k) => got[k] ?? []);
  };

  if (phase === 'cold') {
    // The size the extension keeps first (each store's first access in this worker is this one).
    const idbSmall = await time(async () => idbRead(await openDb(), SMALL));
    const wholeSmall = await time(async () => (await chrome.storage.local.get('bench.small'))['bench.small']);
    const idb = await time(async () => idbRead(await openDb()));
    const whole = await time(async () => (await chrome.storage.local.get('bench.whole'))['bench.whole']);
    const chunked = await time(() => chunkedRead(count));
    return { idbSmallColdReadMs: idbSmall.ms, idbSmallCount: idbSmall.out.length, wholeSmallColdReadMs: wholeSmall.ms, idbColdReadMs: idb.ms, idbCount: idb.out.length, wholeColdReadMs: whole.ms, wholeCount: whole.out.length, chunkedColdReadMs: chunked.ms, chunkedCount: chunked.out.length };
  }

  // Start from nothing.
  await new Promise((resolve) => {
    const request = indexedDB.deleteDatabase('pushsync-bench');
    request.onsuccess = request.onerror = request.onblocked = () => resolve();
  });
  await chrome.storage.local.remove(['bench.whole', 'bench.small', ...chunkKeys(count + 50 * appends * 3 + CHUNK)]);
  const all = Array.from({ length: count }, (_, i) => message(i));
  const bytes = new TextEncoder().encode(JSON.stringify(all)).length;
  const result = { count, jsonBytes: bytes, idb: {}, whole: {}, chunked: {} };

  const db = await openDb();
  result.idb.write = (await time(async () => {
    const tx = db.transaction('messages', 'readwrite');
    const store = tx.objectStore('messages');
    for (const m of all) store.put(m, key(m));
    await done(tx);
  })).ms;
  const idbWarm = await time(() => idbRead(db));
  result.idb.warmRead = idbWarm.ms;
  const small = Array.from({ length: SMALL_COUNT }, (_, i) => message(i));
  await (async () => {
    const tx = db.transaction('messages', 'readwrite');
    for (const m of small) tx.objectStore('messages').put(m, key(m, SMALL));
    await done(tx);
  })();
  await chrome.storage.local.set({ 'bench.small': small });
  result.idb.readCount = idbWarm.out.length;

  result.whole.write = (await time(() => chrome.storage.local.set({ 'bench.whole': all }))).ms;
  const wholeWarm = await time(async () => (await chrome.storage.local.get('bench.whole'))['bench.whole']);
  result.whole.warmRead = wholeWarm.ms;
  result.whole.readCount = wholeWarm.out.length;

  result.chunked.write = (await time(async () => {
    const items = {};
    chunkKeys(count).forEach((k, c) => { items[k] = all.slice(c * CHUNK, (c + 1) * CHUNK); });
    await chrome.storage.local.set(items);
  })).ms;
  const chunkedWarm = await time(() => chunkedRead(count));
  result.chunked.warmRead = chunkedWarm.ms;
  result.chunked.readCount = chunkedWarm.out.length;

  // Appends: the same batches for each store, interleaved.
  let next = count;
  let list = wholeWarm.out;
  let chunks = count;
  for (const size of [1, 10, 50]) {
    const idbTimes = [];
    const wholeTimes = [];
    const chunkedTimes = [];
    for (let a = 0; a < appends; a++) {
      const batch = Array.from({ length: size }, () => message(next++));
      idbTimes.push((await time(async () => {
        const tx = db.transaction('messages', 'readwrite');
        const store = tx.objectStore('messages');
        for (const m of batch) store.put(m, key(m));
        await done(tx);
      })).ms);
      wholeTimes.push((await time(async () => {
        // One value per session: the batch costs a read and a rewrite of the whole list.
        const stored = (await chrome.storage.local.get('bench.whole'))['bench.whole'];
        list = [...stored, ...batch];
        await chrome.storage.local.set({ 'bench.whole': list });
      })).ms);
      chunkedTimes.push((await time(async () => {
        // Chunks of CHUNK: the batch rewrites the last chunk (and starts the next one).
        const last = Math.floor((chunks - 1) / CHUNK);
        const k = `bench.chunk.${last}`;
        const current = (await chrome.storage.local.get(k))[k] ?? [];
        const merged = [...current, ...batch];
        const items = { [k]: merged.slice(0, CHUNK) };
        if (merged.length > CHUNK) items[`bench.chunk.${last + 1}`] = merged.slice(CHUNK);
        await chrome.storage.local.set(items);
        chunks += size;
      })).ms);
    }
    result.idb[`append${size}`] = idbTimes;
    result.whole[`append${size}`] = wholeTimes;
    result.chunked[`append${size}`] = chunkedTimes;
  }
  result.finalCount = next;
  db.close();
  return result;
}

function stat(values) {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length === 0) return null;
  return { median: round(median(v), 2), p90: round(quantile(v, 0.9), 2), min: round(Math.min(...v), 2), max: round(Math.max(...v), 2), runs: v.length };
}

function serviceWorker(browser) {
  return until(() => browser.context.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${browser.extensionId}/`)), { timeoutMs: 10_000, what: 'the service worker' });
}

async function main() {
  const startedAt = new Date().toISOString();
  const browser = await launchBrowser();
  let warm;
  const colds = [];
  try {
    const page = await browser.open('options.html');
    warm = await withTimeout((await serviceWorker(browser)).evaluate(measure, { count: options.messages, appends: options.appends, phase: 'warm' }), 300_000, 'the warm measurements');
    for (let i = 0; i < options.colds; i++) {
      await stopServiceWorker(page);
      // A view's port starts it again, as when a popup opens.
      await page.evaluate(() => { chrome.runtime.connect({ name: 'pushsync-view' }); });
      const worker = await serviceWorker(browser);
      colds.push(await withTimeout(worker.evaluate(measure, { count: warm.finalCount, appends: 0, phase: 'cold' }), 60_000, 'a cold read'));
      console.log(`storage: cold ${i}: ${JSON.stringify(colds.at(-1))}`);
    }
  } finally {
    await browser.close();
  }
  const summary = {};
  for (const store of ['idb', 'whole', 'chunked']) {
    summary[store] = {
      writeAllMs: round(warm[store].write, 2),
      warmReadAllMs: round(warm[store].warmRead, 2),
      coldReadAllMs: stat(colds.map((c) => c[`${store}ColdReadMs`])),
      coldRead1000Ms: store === 'chunked' ? null : stat(colds.map((c) => c[`${store}SmallColdReadMs`])),
      append1Ms: stat(warm[store].append1),
      append10Ms: stat(warm[store].append10),
      append50Ms: stat(warm[store].append50),
    };
  }
  const file = writeResult(options.name, {
    benchmark: 'storage',
    command: command(),
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: machine(),
    versions: versions(['chromium']),
    settings: options,
    notes: [
      'ms, measured with performance.now() inside the built extension\'s service worker in Chromium (headless=new). Messages of the app server\'s shape, ~300 characters of content each.',
      'idb: IndexedDB, one record per message keyed [session, time, sequence, id] (so a key range reads a session in the engine\'s order), a batch in one readwrite transaction, timed to its complete event.',
      'whole: chrome.storage.local, one value per session (the whole message array); an append reads it and writes it back with the batch.',
      'chunked: chrome.storage.local, 500 messages per key; an append reads and rewrites the last chunk.',
      'cold: the first read in a worker Chrome started again (stopped through CDP, started by a view port), including opening the database: first a session of 1,000 (what the extension keeps of a session), then the 10,000.',
    ],
    jsonBytes: warm.jsonBytes,
    messages: warm.count,
    summary,
    colds,
  });
  console.log(`storage: ${JSON.stringify(summary, null, 1)}`);
  console.log(`storage: wrote ${file}`);
}

await main();
process.exit(0);
