// The extension beyond the checklist: the service worker stopped by Chrome in the middle of a
// stream of messages and started again by a view (nothing lost, nothing twice), two views of the
// one engine in step, message content that looks like HTML shown as text, light and dark
// screenshots of the popup and the debug page.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  configureExtension,
  launchBrowser,
  loginWithOptions,
  screenshot,
  showDebugPanel,
  shownMessages,
  startStack,
  stopServiceWorker,
  until,
  waitForBadge,
  waitForMessage,
} from './helpers.mjs';

const STREAM = 40;

describe('service worker and views', { timeout: 180_000 }, () => {
  let stack;
  let browser;
  let first;
  let second;
  let token;
  let sessionId;
  const dialogs = [];

  before(async () => {
    stack = await startStack({ ASSISTANT_STEP_MS: '100' });
    browser = await launchBrowser();
    token = await stack.api.login();
    first = await browser.open('popup.html');
    await configureExtension(first, stack);
    (await loginWithOptions(browser)).close();
    // The connection badge and the figures are the debug panel's: developer mode on from here.
    await showDebugPanel(first);
    await first.click('#new-session');
    await waitForBadge(first, 'connected');
    sessionId = await first.$eval('#sessions .session[aria-current=true]', (node) => node.dataset.sessionId);
    second = await browser.open('popup.html');
    watchDialogs(first);
    watchDialogs(second);
  });

  function watchDialogs(page) {
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  }

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  test('two popups show the one engine: same session, same messages, in step', async () => {
    await waitForBadge(second, 'connected');
    assert.equal(await second.$eval('#sessions .session[aria-current=true]', (node) => node.dataset.sessionId), sessionId);
    await second.fill('#message-input', 'written in the second popup');
    await second.press('#message-input', 'Enter');
    for (const page of [first, second]) await waitForMessage(page, 'Echo: written in the second popup');
    await first.fill('#message-input', 'and answered from the first');
    await first.click('#send');
    for (const page of [first, second]) await waitForMessage(page, 'Echo: and answered from the first');
    await until(async () => JSON.stringify(await shownMessages(first)) === JSON.stringify(await shownMessages(second)), { what: 'both popups to agree' });
    assert.equal((await shownMessages(first)).length, 4);
  });

  test('a view is given the newest messages and their place; a run it asks for comes before the reply; bad arguments get a clear error', async () => {
    const seen = await first.evaluate(
      () =>
        new Promise((resolve) => {
          const port = chrome.runtime.connect({ name: 'pushsync-view' });
          const log = [];
          const asks = [
            { op: 'messages', start: 1, count: 2 },
            { op: 'messages', start: 1_000_000, count: 5 },
            { op: 'messages', start: -1, count: 5 },
            { op: 'messages', start: 0, count: 1.5 },
          ];
          port.onMessage.addListener((message) => {
            if (message.type === 'snapshot') {
              log.push({ type: 'snapshot', offset: message.offset, total: message.total, ids: message.messages.map((m) => m.messageId) });
              asks.forEach((request, i) => port.postMessage({ type: 'request', id: i + 1, request }));
            } else if (message.type === 'range') {
              log.push({ type: 'range', start: message.start, total: message.total, ids: message.messages.map((m) => m.messageId) });
            } else if (message.type === 'reply') {
              log.push({ type: 'reply', id: message.id, ok: message.ok, code: message.error?.code, text: message.error?.message });
              if (message.id === asks.length) {
                port.disconnect();
                resolve(log);
              }
            }
          });
        }),
    );
    const [snapshot, ...rest] = seen;
    assert.equal(snapshot.type, 'snapshot');
    assert.ok(snapshot.ids.length >= 4, `${snapshot.ids.length} messages`);
    assert.equal(snapshot.offset + snapshot.ids.length, snapshot.total);
    // Each run right before its reply, in the list the snapshot showed (no message came meanwhile).
    assert.deepEqual(rest.slice(0, 4), [
      { type: 'range', start: 1, total: snapshot.total, ids: snapshot.ids.slice(1 - snapshot.offset, 3 - snapshot.offset) },
      { type: 'reply', id: 1, ok: true, code: undefined, text: undefined },
      { type: 'range', start: snapshot.total, total: snapshot.total, ids: [] },
      { type: 'reply', id: 2, ok: true, code: undefined, text: undefined },
    ]);
    for (const [i, reply] of rest.slice(4).entries()) {
      assert.equal(reply.type, 'reply');
      assert.equal(reply.id, 3 + i);
      assert.equal(reply.ok, false);
      assert.equal(reply.code, 'bad_request');
      assert.match(reply.text, /start and count must be whole numbers/);
    }
  });

  test('keepalive: with a view open the engine pings inside Chrome\'s 30 s idle window; the wake alarm is set', async () => {
    const alarm = await first.evaluate(() => chrome.alarms.get('pushsync-wake'));
    assert.equal(alarm?.periodInMinutes, 0.5);
    const frames = () => first.$eval('[data-counter=framesReceived] td', (node) => Number(node.textContent));
    // Quiet first: the assistant turn of the test before has ended.
    await first.waitForSelector('#typing', { state: 'hidden' });
    await first.waitForTimeout(500);
    const quietFrom = await frames();
    // Nothing is sent to the session now; Sockudo's own activity timeout is 120 s. The only frame
    // that can arrive is the pong to the engine's 20 s keepalive ping.
    await first.waitForFunction(
      (n) => Number(document.querySelector('[data-counter=framesReceived] td')?.textContent) > n,
      quietFrom,
      { timeout: 28_000, polling: 500 },
    );
    assert.equal(await first.$eval('#debug-badge', (node) => node.dataset.state), 'connected');
  });

  test('the worker stopped during a stream and restarted by a view: nothing lost, nothing twice', async () => {
    const starts = Number(await first.textContent('[data-figure=workerStarts]'));
    // A stream of messages from the server, two every 100 ms, and the worker stopped a third of the way.
    const stream = (async () => {
      for (let i = 0; i < STREAM; i += 2) {
        await stack.api.adminPost(sessionId, [`stream ${i}`, `stream ${i + 1}`]);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    await waitForMessage(first, 'stream 12');
    await stopServiceWorker(first);
    await stream;
    // The popups noticed the port close and connected again, which started the worker.
    await first.waitForFunction((n) => Number(document.querySelector('[data-figure=workerStarts]')?.textContent) > n, starts, { timeout: 15_000 });
    const server = await stack.api.messages(token, sessionId);
    assert.equal(server.length, 4 + STREAM);
    for (const page of [first, second]) {
      await until(async () => (await shownMessages(page)).length === server.length, { timeoutMs: 20_000, what: `all ${server.length} messages` });
      const shown = await shownMessages(page);
      assert.deepEqual(shown.map((m) => m.id), server.map((m) => m.messageId));
      assert.equal(new Set(shown.map((m) => m.id)).size, shown.length);
    }
    await waitForBadge(first, 'connected');
    // No request failed for the restart (a session list asked for while the worker was starting).
    for (const page of [first, second]) assert.ok(await page.isHidden('#send-status'), await page.textContent('#send-status'));
    // And push works again after the restart.
    await stack.api.adminPost(sessionId, ['after the restart']);
    for (const page of [first, second]) await waitForMessage(page, 'after the restart');
  });

  test('the worker stopped with no view open restores its session from chrome.storage and backfills', async () => {
    await first.close();
    await second.close();
    // An extension page that is not a view (no port): only for the CDP call.
    const options = await browser.open('options.html');
    await stopServiceWorker(options);
    await stack.api.adminPost(sessionId, ['while the worker slept 1', 'while the worker slept 2']);
    // Opening a view starts the worker: the engine restores the session it had and backfills.
    first = await browser.open('popup.html');
    second = await browser.open('popup.html');
    watchDialogs(first);
    watchDialogs(second);
    const server = await stack.api.messages(token, sessionId);
    for (const page of [first, second]) {
      await until(async () => (await shownMessages(page)).length === server.length, { timeoutMs: 15_000, what: 'the backfilled session' });
      assert.deepEqual((await shownMessages(page)).map((m) => m.id), server.map((m) => m.messageId));
    }
    assert.equal(await first.$eval('#sessions .session[aria-current=true]', (node) => node.dataset.sessionId), sessionId);
    await waitForBadge(first, 'connected');
    await options.close();
  });

  test('content that looks like HTML is shown as text and runs nothing', async () => {
    const attack = '<img src=x onerror=alert(1)>';
    await stack.api.adminPost(sessionId, [attack, '<script>alert(2)</script><b>bold?</b>']);
    for (const page of [first, second]) {
      const shown = await waitForMessage(page, attack);
      assert.equal(shown.content, attack);
      await waitForMessage(page, '<script>alert(2)</script><b>bold?</b>');
      assert.equal(await page.$$eval('#messages img, #messages script, #messages b', (nodes) => nodes.length), 0);
    }
    await first.waitForTimeout(300);
    assert.deepEqual(dialogs, []);
  });

  test('protocol 2 (Sockudo V2) chosen at run time: the engine is rebuilt and pushes again, no rebuild', async () => {
    await first.evaluate(() => chrome.storage.local.set({ protocol: 2 }));
    await first.waitForSelector('[data-figure=protocol]:has-text("2")', { timeout: 10_000 });
    await waitForBadge(first, 'connected');
    await stack.api.adminPost(sessionId, ['over protocol 2']);
    for (const page of [first, second]) await waitForMessage(page, 'over protocol 2');
    const server = await stack.api.messages(token, sessionId);
    assert.deepEqual((await shownMessages(second)).map((m) => m.id), server.map((m) => m.messageId));
  });

  test('screenshots: the popup in light and dark, the debug page', async () => {
    // A person's popup: no debug panel (its badge stays in the page, hidden, for waitForBadge).
    await first.evaluate(() => chrome.storage.local.set({ developerMode: false }));
    // A fresh chat, for pictures a reader can follow.
    await first.waitForTimeout(1100); // session titles carry the time to the second
    await first.click('#new-session');
    await first.waitForFunction((old) => document.querySelector('#sessions .session[aria-current=true]')?.dataset.sessionId !== old, sessionId);
    await waitForBadge(first, 'connected');
    await first.fill('#message-input', 'How do I load the extension?');
    await first.press('#message-input', 'Enter');
    await waitForMessage(first, 'Echo: How do I load the extension?');
    await first.waitForSelector('#typing', { state: 'hidden' });
    const chat = await first.$eval('#sessions .session[aria-current=true]', (node) => node.dataset.sessionId);
    await stack.api.adminPost(chat, ['Shown as text, never as markup: <img src=x onerror=alert(1)>']);
    await first.fill('#message-input', 'fail');
    await first.press('#message-input', 'Enter');
    await first.waitForSelector('#messages .message[data-status=failure]', { timeout: 10_000 });
    await first.waitForSelector('#typing', { state: 'hidden' });
    await screenshot(first, 'popup-light');
    const dark = await browser.open('popup.html', { colorScheme: 'dark' });
    await dark.waitForSelector('#messages .message[data-status=failure]');
    await screenshot(dark, 'popup-dark');
    const debug = await browser.open('debug.html', { width: 720, height: 640 });
    await debug.waitForSelector('#debug-badge[data-state=connected]');
    await debug.waitForFunction(() => document.querySelector('[data-figure=socketId]')?.textContent !== '—');
    await screenshot(debug, 'debug-page');
    const debugDark = await browser.open('debug.html', { width: 720, height: 640, colorScheme: 'dark' });
    await debugDark.waitForSelector('#debug-badge[data-state=connected]');
    await screenshot(debugDark, 'debug-page-dark');
    assert.equal(await debug.getAttribute('#debug-badge', 'title'), 'Push is live: messages arrive as they are sent');
    assert.deepEqual(dialogs, []);
  });
});
