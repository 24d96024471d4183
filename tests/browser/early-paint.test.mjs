// The popup's first paint from the local copy it reads itself (issue 10: popup open to first
// message painted, from the local copy), in Chromium with the built extension against a stack of
// its own:
// - a popup opened on a stopped worker whose port is held back (nothing of the worker reaches the
//   page: no snapshot) shows the chat's newest messages from IndexedDB, marked not confirmed;
//   released, the worker's snapshot takes over with the same row nodes, no duplicate, still at
//   the bottom, and the list becomes confirmed;
// - a copy whose owner is not the account and server of the settings is never painted, even
//   while the worker (which wipes it, and starts with nothing selected) has yet to answer.
// Held back: an init script wraps chrome.runtime.connect in pages opened as popup.html?hold and
// keeps every port message until the test releases them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { configureExtension, launchBrowser, loginWithOptions, startStack, stopServiceWorker, until } from './helpers.mjs';

// More than the popup reads for its first paint (EARLY_ROWS, 50), fewer than the copy keeps.
const HISTORY = 80;

/** Installed in every page: popup.html?hold keeps its port's messages until __releasePort(). */
function holdPort() {
  if (!location.pathname.endsWith('/popup.html') || !location.search.includes('hold')) return;
  const held = [];
  let holding = true;
  globalThis.__portHeld = () => held.length;
  globalThis.__releasePort = () => {
    holding = false;
    for (const deliver of held.splice(0)) deliver();
  };
  const connect = chrome.runtime.connect.bind(chrome.runtime);
  chrome.runtime.connect = (...args) => {
    const port = connect(...args);
    const onMessage = port.onMessage;
    const add = onMessage.addListener.bind(onMessage);
    onMessage.addListener = (listener) =>
      add((message, from) => {
        if (holding) held.push(() => listener(message, from));
        else listener(message, from);
      });
    return port;
  };
}

/** In an extension page: a view port of its own, to select a session and wait for its messages. */
function selectAndWait(page, sessionId, count) {
  return page.evaluate(
    ({ sessionId, count }) =>
      new Promise((resolve, reject) => {
        const port = chrome.runtime.connect({ name: 'pushsync-view' });
        let size = 0;
        const timer = setTimeout(() => reject(new Error(`only ${size} of ${count} messages`)), 20_000);
        port.onMessage.addListener((message) => {
          if (message.type === 'snapshot') {
            size = message.sessionId === sessionId ? message.total : 0;
            if (message.sessionId !== sessionId) port.postMessage({ type: 'request', id: 1, request: { op: 'selectSession', sessionId } });
          }
          if (message.type === 'messages' && message.diff.sessionId === sessionId) size = message.diff.size;
          if (size >= count) {
            clearTimeout(timer);
            port.disconnect();
            resolve(size);
          }
        });
      }),
    { sessionId, count },
  );
}

/** In an extension page: the ids the local copy holds for a session, in key order. */
function storedIds(page, sessionId) {
  return page.evaluate(
    (id) =>
      new Promise((resolve, reject) => {
        const request = indexedDB.open('pushsync-local-copy');
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const db = request.result;
          const all = db.transaction('messages', 'readonly').objectStore('messages').getAll(IDBKeyRange.bound([id], [id, []]));
          all.onsuccess = () => {
            db.close();
            resolve(all.result.map((m) => m.messageId));
          };
          all.onerror = () => reject(all.error);
        };
      }),
    sessionId,
  );
}

/** What the popup shows now: the rows' ids in order, whether confirmed, the scroll's distance from the bottom. */
function popupList(popup) {
  return popup.evaluate(() => {
    const scroller = document.getElementById('message-scroller');
    return {
      ids: [...document.querySelectorAll('#messages .message')].map((node) => node.dataset.id),
      confirmed: scroller.dataset.confirmed,
      syncing: !document.getElementById('sync-note').hidden,
      fromBottom: scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight,
    };
  });
}

describe('the popup paints the local copy before the worker answers', { timeout: 180_000 }, () => {
  let stack;
  let browser;
  let options;
  let sessionId;
  let serverIds;

  before(async () => {
    stack = await startStack();
    browser = await launchBrowser();
    await browser.context.addInitScript(holdPort);
    const token = await stack.api.login();
    options = await browser.open('options.html');
    await configureExtension(options, stack);
    (await loginWithOptions(browser)).close();
    sessionId = await stack.api.createSession(token, 'early paint');
    await stack.api.adminPost(sessionId, Array.from({ length: HISTORY }, (_, i) => `early ${i}`));
    serverIds = (await stack.api.messages(token, sessionId)).map((m) => m.messageId);
    assert.equal(serverIds.length, HISTORY);
    await selectAndWait(options, sessionId, HISTORY);
    await until(async () => JSON.stringify(await storedIds(options, sessionId)) === JSON.stringify(serverIds), {
      timeoutMs: 10_000,
      what: 'the chat in the local copy',
    });
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  test('a stopped worker, its port held back: the newest messages painted from IndexedDB, then the snapshot takes over in place', async (t) => {
    await stopServiceWorker(options);
    const popup = await browser.open('popup.html?hold');
    // Closed however the test ends: a popup left open would start the worker for the next test.
    t.after(() => popup.close());
    await popup.waitForSelector('#messages .message', { timeout: 5_000 });
    const early = await popupList(popup);
    assert.equal(await popup.evaluate(() => document.getElementById('sessions').children.length), 0, 'nothing of the worker reached the popup');
    assert.ok(early.ids.length > 0 && early.ids.length <= 50, `a first screen, not the whole copy (${early.ids.length} rows)`);
    assert.deepEqual(early.ids, serverIds.slice(-early.ids.length), 'the newest messages, in order');
    assert.equal(early.confirmed, 'false', 'not confirmed: read from the copy');
    assert.ok(early.syncing, 'Syncing… shows');
    // The rows the snapshot must keep (the same nodes: nothing rebuilt, nothing flickers).
    await popup.evaluate(() => {
      for (const node of document.querySelectorAll('#messages .message')) node.__early = true;
    });
    await popup.evaluate(() => globalThis.__releasePort());
    await until(async () => (await popupList(popup)).confirmed === 'true', { timeoutMs: 15_000, what: 'the list confirmed by the server' });
    const after = await popupList(popup);
    assert.equal(new Set(after.ids).size, after.ids.length, 'no message shown twice');
    assert.deepEqual(after.ids, serverIds.slice(-after.ids.length), 'the server\'s messages, in order');
    assert.ok(after.ids.length >= early.ids.length);
    assert.ok(after.fromBottom < 48, `still at the bottom (${after.fromBottom} px from it)`);
    const kept = await popup.evaluate((ids) => ids.every((id) => document.querySelector(`#messages .message[data-id="${id}"]`)?.__early === true), early.ids);
    assert.ok(kept, 'the first paint\'s rows are the same nodes after the snapshot');
  });

  test('a copy of another owner is never painted, while the worker has yet to answer', async (t) => {
    await stopServiceWorker(options);
    // As if left by another account on another server (the worker wipes it at its next start).
    await options.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const request = indexedDB.open('pushsync-local-copy');
          request.onerror = () => reject(request.error);
          request.onsuccess = () => {
            const db = request.result;
            const tx = db.transaction('meta', 'readwrite');
            tx.objectStore('meta').put('http://elsewhere.example bob@example.com', 'owner');
            tx.oncomplete = () => {
              db.close();
              resolve();
            };
            tx.onerror = () => reject(tx.error);
          };
        }),
    );
    const popup = await browser.open('popup.html?hold');
    t.after(() => popup.close());
    // The popup's own read is done (its mark) and showed nothing.
    await until(() => popup.evaluate(() => performance.getEntriesByName('pushsync:popup-copy-read').length > 0), { what: 'the popup\'s read of the copy' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual((await popupList(popup)).ids, [], 'no message of another owner\'s copy');
    await popup.evaluate(() => globalThis.__releasePort());
    // The worker wipes that copy and starts afresh, nothing selected: the chats listed, none shown.
    await popup.waitForSelector(`#sessions [data-session-id="${sessionId}"]`, { timeout: 15_000 });
    assert.deepEqual((await popupList(popup)).ids, [], 'nothing shown after the worker\'s snapshot either');
    await until(async () => (await storedIds(options, sessionId)).length === 0, { what: 'the copy wiped' });
  });
});
