// The worker's local copy and the toolbar badge, in Chromium with the built extension against a
// stack of its own (issue 10, items 1, 5 and 7):
// - the chat is written to IndexedDB from the engine's diffs; a popup opened offline on a stopped
//   worker shows it at once, marked not confirmed (the snapshot's `confirmed` false), and the
//   cached session list; back online, the engine's read confirms it, a message posted meanwhile
//   and a session made elsewhere arrive by themselves;
// - the same with the whole server down instead of the network;
// - the assistant's messages while no popup is open are counted on the action badge, and opening
//   the popup clears it;
// - push down (polling), Sockudo back, the probe made very long: opening a popup tries push at
//   once (the engine's visibility event);
// - bounded: a session's newest 1,000 messages, the 20 sessions selected last;
// - logging out wipes the copy; another account's login too, and its views never show the old one.
// Offline is Playwright's context.setOffline (Chromium's network emulation, which reaches the
// service worker; its navigator.onLine follows, no online/offline event does).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  FAST_FALLBACK,
  configureExtension,
  launchBrowser,
  loginWithOptions,
  shownMessages,
  startStack,
  stopServiceWorker,
  until,
} from './helpers.mjs';

const HISTORY = 30;
const BOB = { email: 'bob@example.com', password: 'bob-password' };

/** In an extension page: the local copy's stored messages of a session (null: no database yet). */
function storedMessages(page, sessionId) {
  return page.evaluate(async (id) => {
    const names = (await indexedDB.databases()).map((db) => db.name);
    if (!names.includes('pushsync-local-copy')) return null;
    const db = await new Promise((resolve, reject) => {
      const request = indexedDB.open('pushsync-local-copy');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    try {
      const range = IDBKeyRange.bound([id], [id, []]);
      return await new Promise((resolve, reject) => {
        const request = db.transaction('messages', 'readonly').objectStore('messages').getAll(range);
        request.onsuccess = () => resolve(request.result.map((m) => m.messageId));
        request.onerror = () => reject(request.error);
      });
    } finally {
      db.close();
    }
  }, sessionId);
}

/**
 * In an extension page (a popup, or the options page): a view port of its own that records what
 * the worker tells it and sends requests. The tests read the worker through it rather than
 * through the popup's markup.
 */
function attachClient(page) {
  return page.evaluate(() => {
    const summary = (m) => ({
      type: m.type,
      state: typeof m.state === 'object' ? m.state.state : m.state,
      confirmed: m.confirmed,
      sessionId: m.sessionId,
      messages: m.messages?.map((message) => message.messageId),
      restMessages: m.figures?.counters?.restMessages,
      counters: m.figures?.counters,
      errors: m.errors,
      gaps: m.gaps,
    });
    const client = { log: [], pending: new Map(), next: 1, port: chrome.runtime.connect({ name: 'pushsync-view' }) };
    client.port.onMessage.addListener((message) => {
      if (message.type !== 'reply') {
        client.log.push(summary(message));
        return;
      }
      const waiting = client.pending.get(message.id);
      client.pending.delete(message.id);
      if (message.ok) waiting?.resolve(message.result);
      else waiting?.reject(new Error(`${message.error.code}: ${message.error.message}`));
    });
    client.request = (request) =>
      new Promise((resolve, reject) => {
        const id = client.next++;
        client.pending.set(id, { resolve, reject });
        client.port.postMessage({ type: 'request', id, request });
      });
    globalThis.testClient = client;
  });
}

const request = (page, body) => page.evaluate((r) => globalThis.testClient.request(r), body);
const clientLog = (page) => page.evaluate(() => globalThis.testClient.log);
const detachClient = (page) => page.evaluate(() => globalThis.testClient.port.disconnect());

/** The worker's view now: a fresh snapshot asked through the client. */
async function workerView(page) {
  await request(page, { op: 'snapshot' });
  return (await clientLog(page)).filter((m) => m.type === 'snapshot').at(-1);
}

async function waitForState(page, state, timeoutMs = 20_000) {
  return until(async () => (await workerView(page)).state === state, { timeoutMs, intervalMs: 250, what: `the state ${state}` });
}

async function waitForMessages(page, ids, timeoutMs = 15_000) {
  await until(async () => JSON.stringify((await workerView(page)).messages) === JSON.stringify(ids), { timeoutMs, intervalMs: 250, what: `the ${ids.length} messages` });
}

async function sessionList(page) {
  return (await request(page, { op: 'listSessions' })).map((session) => session.sessionId);
}

/** Opens the popup (a real view) with a test client in it. */
async function openPopup(browser) {
  const popup = await browser.open('popup.html');
  await attachClient(popup);
  return popup;
}

/** The message reads the server logged, from line `from` on. */
function messageReads(stack, from = 0) {
  const lines = fs.readFileSync(path.join(stack.runDir, 'server.log'), 'utf8').split('\n').slice(from);
  return { lines: from + lines.length - 1, reads: lines.map((line) => /\bGET (\/api\/session\/[^/]+\/messages\S*) (\d{3}) /.exec(line)?.[1]).filter(Boolean) };
}

const badgeText = (page) => page.evaluate(() => chrome.action.getBadgeText({}));

describe('the local copy and the action badge', { timeout: 300_000 }, () => {
  let stack;
  let browser;
  let popup;
  let options; // an extension page that is not a view: storage, CDP, the badge
  let token;
  let sessionId;
  let serverIds;
  let catchUp; // the engine's counters after the start from the local copy

  before(async () => {
    // QUIET=0: the server logs a line per request (the catch-up's reads are checked).
    stack = await startStack({ ASSISTANT_STEP_MS: '100', QUIET: '0' });
    browser = await launchBrowser();
    token = await stack.api.login();
    options = await browser.open('options.html');
    await configureExtension(options, stack);
    (await loginWithOptions(browser)).close();
    sessionId = await stack.api.createSession(token, 'the local copy');
    popup = await openPopup(browser);
    await request(popup, { op: 'selectSession', sessionId });
    await waitForState(popup, 'connected');
    await stack.api.adminPost(sessionId, Array.from({ length: HISTORY }, (_, i) => `history ${i}`));
    serverIds = (await stack.api.messages(token, sessionId)).map((m) => m.messageId);
    await waitForMessages(popup, serverIds);
  });

  after(async () => {
    await browser?.context.setOffline(false).catch(() => {});
    await browser?.close();
    await stack?.stop();
  });

  test('the engine\'s messages are written to IndexedDB, in order', async () => {
    await until(async () => JSON.stringify(await storedMessages(options, sessionId)) === JSON.stringify(serverIds), {
      timeoutMs: 10_000,
      what: `the ${serverIds.length} messages in the local copy`,
    });
  });

  test('opened offline on a stopped worker: the cached chat and session list at once, confirmed once back online, news by itself', async (t) => {
    assert.ok((await sessionList(popup)).includes(sessionId));
    await popup.close();
    // Things the cached copy cannot know: a session made elsewhere, a message posted while offline.
    const elsewhere = await stack.api.createSession(token, 'made elsewhere');
    await browser.context.setOffline(true);
    await stopServiceWorker(options);
    await stack.api.adminPost(sessionId, ['posted while offline']);

    popup = await openPopup(browser);
    await until(async () => (await clientLog(popup)).some((m) => m.type === 'snapshot'), { what: 'the first snapshot' });
    const first = (await clientLog(popup)).find((m) => m.type === 'snapshot');
    assert.equal(first.sessionId, sessionId);
    assert.deepEqual(first.messages, serverIds, 'the first snapshot carries the local copy');
    assert.equal(first.confirmed, false, 'the cached list is not confirmed');
    await waitForState(popup, 'offline');
    // The session list from the cache: the chat is there, the one made since not yet.
    await popup.waitForSelector(`#sessions [data-session-id="${sessionId}"]`);
    const cachedList = await sessionList(popup);
    assert.ok(cachedList.includes(sessionId));
    assert.ok(!cachedList.includes(elsewhere));

    const logged = messageReads(stack).lines;
    await browser.context.setOffline(false);
    const news = await until(async () => {
      const server = (await stack.api.messages(token, sessionId)).map((m) => m.messageId);
      return JSON.stringify((await workerView(popup)).messages) === JSON.stringify(server) && server;
    }, { timeoutMs: 20_000, what: 'the message posted while offline' });
    assert.equal(news.length, serverIds.length + 1);
    serverIds = news;
    // What the catch-up read (checked below): the engine's counters in this worker, the reads logged.
    const { reads } = messageReads(stack, logged);
    const { restMessages } = await workerView(popup);
    if (process.env.DEBUG_FULL_URL) t.diagnostic(JSON.stringify(messageReads(stack, logged - 40).reads));
    t.diagnostic(`after the network came back: ${restMessages} messages read over REST; ${reads.length} reads logged, the test's own checks among them (${reads.map((r) => r.replace(/^.*\?/, '?')).join(' ')})`);
    assert.ok(reads.length > 0);
    catchUp = (await workerView(popup)).counters;
    await waitForState(popup, 'connected');
    await until(async () => (await clientLog(popup)).some((m) => (m.type === 'confirmed' || m.type === 'snapshot') && m.confirmed === true), {
      what: 'the list confirmed by the engine',
    });
    // The list was given stale: once the server answered, the worker fetched it again and told the
    // views (a snapshot), without a reload.
    await popup.waitForSelector(`#sessions [data-session-id="${elsewhere}"]`, { timeout: 15_000 });
  });

  // The history was posted in one batch, so every message of the copy has the same timestamp: read
  // by time from the copy's newest message, it would all come again. The worker's last engine
  // learnt that the server is paged (the persisted state keeps it), so the read is after the copy.
  test('the catch-up after a start from the local copy read only what is newer', () => {
    assert.ok(catchUp, 'the test before ran');
    assert.ok(catchUp.restMessages < HISTORY, `${catchUp.restMessages} messages read over REST (${catchUp.duplicates} duplicates): the whole session again`);
  });

  test('the server down: a popup reloaded shows the cached chat and list; the server back, they are current by themselves', async () => {
    // Made while the server is still up, the popup's list not asked again: the cached list lacks it.
    const another = await stack.api.createSession(token, 'made before the server went down');
    await stack.down();
    await popup.reload();
    await attachClient(popup);
    await waitForMessages(popup, serverIds);
    assert.ok((await sessionList(popup)).includes(sessionId), 'the cached list, no "unreachable" error');
    await popup.waitForSelector(`#sessions [data-session-id="${sessionId}"]`);
    await stack.up();
    await stack.api.adminPost(sessionId, ['after the server came back']);
    await waitForState(popup, 'connected', 30_000);
    serverIds = (await stack.api.messages(token, sessionId)).map((m) => m.messageId);
    await waitForMessages(popup, serverIds, 30_000);
    await popup.waitForSelector(`#sessions [data-session-id="${another}"]`, { timeout: 30_000 });
  });

  test('the assistant\'s messages while no popup is open are counted on the toolbar; opening the popup clears it', async () => {
    await popup.close();
    assert.equal(await badgeText(options), '');
    await stack.api.adminPost(sessionId, ['unread 1', 'unread 2']);
    await stack.api.adminPost(sessionId, ['a user\'s message does not count'], { role: 'user' });
    await stack.api.adminPost(sessionId, ['unread 3']);
    await until(async () => (await badgeText(options)) === '3', { timeoutMs: 15_000, what: 'the badge to read 3' });
    assert.match(await options.evaluate(() => chrome.action.getTitle({})), /3 new messages/);
    // The worker stopped and started again: it goes on counting from where it was.
    await stopServiceWorker(options);
    await stack.api.adminPost(sessionId, ['unread 4']);
    // A port that is no view wakes it: the engine restores the session and backfills by itself.
    await options.evaluate(() => chrome.runtime.connect({ name: 'not-a-view' }).disconnect());
    await until(async () => (await badgeText(options)) === '4', { timeoutMs: 15_000, what: 'the badge to read 4 after the restart' });
    popup = await openPopup(browser);
    await until(async () => (await badgeText(options)) === '', { what: 'the badge cleared' });
    serverIds = (await stack.api.messages(token, sessionId)).map((m) => m.messageId);
    await waitForMessages(popup, serverIds);
    await stack.api.adminPost(sessionId, ['seen at once']);
    serverIds = (await stack.api.messages(token, sessionId)).map((m) => m.messageId);
    await waitForMessages(popup, serverIds);
    assert.equal(await badgeText(options), '', 'nothing counts while the chat is shown');
  });

  test('opening a view while polling tries push at once (the probe made too long to do it)', async () => {
    await options.evaluate((settings) => chrome.storage.local.set({ developerSettings: settings }), { ...FAST_FALLBACK, probeIntervalMs: 600_000 });
    await waitForState(popup, 'connected');
    await stack.stopSockudo();
    await waitForState(popup, 'polling', 30_000);
    await popup.close();
    await stack.up();
    // With no view open and the next probe ten minutes away, nothing brings push back by itself.
    await options.waitForTimeout(2000);
    popup = await openPopup(browser);
    await waitForState(popup, 'connected', 20_000);
    await options.evaluate((settings) => chrome.storage.local.set({ developerSettings: settings }), FAST_FALLBACK);
  });

  test('bounded: a session keeps its newest 1,000 messages, and only the 20 sessions selected last are kept', async () => {
    const long = await stack.api.createSession(token, 'a long chat');
    for (let from = 0; from < 1050; from += 525) {
      await stack.api.adminPost(long, Array.from({ length: 525 }, (_, i) => `long ${from + i}`));
    }
    const longIds = (await stack.api.messages(token, long)).map((m) => m.messageId);
    await request(popup, { op: 'selectSession', sessionId: long });
    await until(async () => JSON.stringify(await storedMessages(options, long)) === JSON.stringify(longIds.slice(-1000)), {
      timeoutMs: 60_000,
      intervalMs: 500,
      what: 'the newest 1,000 of 1,050 in the local copy',
    });
    // 20 more sessions selected one after the other: the least recently selected (the long chat,
    // then the first one) go whole.
    const more = [];
    for (let i = 0; i < 20; i++) {
      const id = await stack.api.createSession(token, `session ${i}`);
      await stack.api.adminPost(id, [`only message of ${i}`]);
      await request(popup, { op: 'selectSession', sessionId: id });
      await until(async () => ((await storedMessages(options, id)) ?? []).length === 1, { timeoutMs: 15_000, what: `session ${i} in the copy` });
      more.push(id);
    }
    await until(async () => ((await storedMessages(options, sessionId)) ?? []).length === 0, { what: 'the first session evicted' });
    await until(async () => ((await storedMessages(options, long)) ?? []).length === 0, { what: 'the long chat evicted' });
    assert.equal((await storedMessages(options, more[0])).length, 1);
    await request(popup, { op: 'selectSession', sessionId });
    await until(async () => JSON.stringify((await workerView(popup)).messages) === JSON.stringify(serverIds), { timeoutMs: 20_000, what: 'the first session loaded again' });
  });

  test('logging out wipes the local copy', async () => {
    await until(async () => ((await storedMessages(options, sessionId)) ?? []).length > 0, { what: 'a stored chat to wipe' });
    await options.evaluate(() => chrome.storage.local.remove(['accessToken', 'accountEmail']));
    await until(async () => ((await storedMessages(options, sessionId)) ?? []).length === 0, { what: 'the local copy wiped' });
    assert.equal(await badgeText(options), '');
  });

  test('another account on a stopped worker: the old copy is wiped, and no view of the new account ever shows it', async () => {
    (await loginWithOptions(browser)).close();
    await request(popup, { op: 'selectSession', sessionId });
    await until(async () => ((await storedMessages(options, sessionId)) ?? []).length === serverIds.length, {
      timeoutMs: 15_000,
      what: 'alice\'s chat in the local copy again',
    });
    await popup.close();
    await stopServiceWorker(options);
    // Logged in as bob while the worker is stopped (the options page shows "logged in" already:
    // wait for bob's account in storage, not for the status).
    const login = await browser.open('options.html');
    await login.fill('#email', BOB.email);
    await login.fill('#password', BOB.password);
    await login.click('#login');
    await until(async () => (await options.evaluate(() => chrome.storage.local.get('accountEmail'))).accountEmail === BOB.email, { what: 'bob logged in' });
    await login.close();
    popup = await browser.open('popup.html');
    // From the first frame on: no row of alice's, whatever reads the copy first (the popup or the worker).
    const alices = new Set(serverIds);
    const seen = [];
    for (const end = Date.now() + 3000; Date.now() < end;) {
      seen.push(...(await shownMessages(popup)).map((row) => row.id).filter((id) => alices.has(id)));
      await popup.waitForTimeout(25);
    }
    assert.deepEqual(seen, [], 'alice\'s messages shown in bob\'s popup');
    await attachClient(popup);
    await until(async () => (await clientLog(popup)).some((m) => m.type === 'snapshot'), { what: 'the first snapshot' });
    assert.ok((await clientLog(popup)).every((m) => !(m.messages ?? []).some((id) => alices.has(id))), 'alice\'s messages in a snapshot for bob');
    assert.equal((await workerView(popup)).sessionId, '', 'alice\'s session is not selected for bob');
    await until(async () => ((await storedMessages(options, sessionId)) ?? []).length === 0, { what: 'alice\'s copy wiped' });
  });
});

// A newest-first backend (the roadmap's, pages capped at 20) cannot give what an outage longer than
// a page hid: the gap is reported, kept in the local copy with the messages, and reported again by
// a worker that starts offline (the copy its only source), not silently forgotten.
describe('the local copy keeps the gaps a newest-first backend could not fill', { timeout: 180_000 }, () => {
  let stack;
  let browser;
  let popup;
  let options;

  before(async () => {
    stack = await startStack({ PUSHSYNC_SERVER_PROFILE: 'roadmap', PUSHSYNC_ROADMAP_MAX_LIMIT: '20' });
    browser = await launchBrowser();
    options = await browser.open('options.html');
    await configureExtension(options, stack);
    (await loginWithOptions(browser)).close();
  });

  after(async () => {
    await browser?.context.setOffline(false).catch(() => {});
    await browser?.close();
    await stack?.stop();
  });

  test('a gap found before a worker restart is reported after it, from the copy', async () => {
    const token = await stack.api.login();
    const sessionId = await stack.api.createSession(token, 'a gap to keep');
    await stack.api.adminPost(sessionId, ['before the outage'], { role: 'user' });
    popup = await openPopup(browser);
    await request(popup, { op: 'selectSession', sessionId });
    await waitForState(popup, 'connected');
    await until(async () => (await workerView(popup)).messages.length === 1, { what: 'the first message' });
    // Push down: the engine polls, and 60 messages land between two polls.
    await stack.stopSockudo();
    await waitForState(popup, 'polling', 30_000);
    await stack.api.adminPost(sessionId, Array.from({ length: 60 }, (_, i) => `during the outage ${i}`), { role: 'user' });
    const gaps = await until(async () => {
      const view = await workerView(popup);
      return view.gaps?.length > 0 && view.messages.length === 21 && view.gaps;
    }, { timeoutMs: 30_000, what: 'a gap beside the newest page of 20' });
    const stored = await until(async () => {
      const ids = (await storedMessages(options, sessionId)) ?? [];
      return ids.length === 21 && ids;
    }, { timeoutMs: 10_000, what: 'the 21 messages in the local copy' });

    await popup.close();
    await browser.context.setOffline(true);
    await stopServiceWorker(options);
    popup = await openPopup(browser);
    // Offline (Chromium keeps a stopped worker's emulation across its restart): only the copy speaks.
    const restored = await until(async () => {
      const view = await workerView(popup);
      return view.messages.length > 0 && view.gaps?.length > 0 && view;
    }, { timeoutMs: 10_000, what: 'the copy with its gap' });
    assert.deepEqual(restored.messages, stored);
    assert.deepEqual(restored.gaps, gaps, 'the gap as it was reported before the restart');
    assert.equal(restored.restMessages, 0, 'nothing read: the gap came from the copy');
  });
});
