// The outbox (issue 10.2), in Debian's Chromium with the unpacked extension, once per backend:
//
// - `full`: the reference server, which stores a clientMessageId once (a retry answers the stored
//   turn): exactly once.
// - `roadmap`: the server's roadmap profile, with every send's clientMessageId removed on its way
//   (a Playwright route on the worker's requests), because the user's real backend ignores it:
//   a retry after an unknown outcome could store the message twice, and the outbox's look-up
//   before it sends again is what is tested.
//
// Per backend: sends online show no painted frame with both the entry and its message; three
// messages sent offline wait as "Waiting for network", the network comes back with the app server
// down, the popup is closed, the worker stopped, the server comes back, and the worker (started
// by its wake alarm, no view open) delivers them once each, in order; a send whose answer is lost
// with a stopped worker is found on the server and not sent again, but one still on its way when
// the worker looks is sent again (stored twice on the roadmap backend, the stated exception; once
// on the full one, which honours clientMessageId); a 429 with Retry-After and a
// 503 are retried; a 413 fails with its reason and the toolbar badge, a later message goes past
// it, Retry fails again and Discard drops it. Screenshots of the failed and pending states:
// tests/artifacts/popup-outbox-<backend>.png (the full one copied to
// docs/img/extension-popup-outbox.png with UPDATE_DOC_IMAGES=1).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  ROOT,
  configureExtension,
  launchBrowser,
  loginWithOptions,
  screenshot,
  shownMessages,
  startStack,
  stopServiceWorker,
  until,
  waitForMessage,
} from './helpers.mjs';

const run = promisify(execFile);

const PROFILES = [
  { name: 'full', env: {}, ignoresClientId: false },
  { name: 'roadmap', env: { PUSHSYNC_SERVER_PROFILE: 'roadmap' }, ignoresClientId: true },
];

/** The outbox entries the popup shows, in screen order. */
function shownOutbox(page) {
  return page.$$eval('#outbox .outbox-entry', (nodes) =>
    nodes.map((node) => ({
      clientId: node.dataset.clientId,
      status: node.dataset.status,
      code: node.dataset.code,
      content: node.querySelector('.content').textContent,
      text: node.querySelector('.outbox-status').textContent,
      actions: !node.querySelector('.actions').hidden,
    })),
  );
}

/** Types a message and sends it with Enter; the input is empty at once (the outbox took it). */
async function type(page, text) {
  await page.fill('#message-input', text);
  await page.press('#message-input', 'Enter');
  await page.waitForFunction(() => document.querySelector('#message-input').value === '');
}

for (const profile of PROFILES) {
  describe(`outbox against the ${profile.name} backend`, { timeout: 300_000 }, () => {
    let stack;
    let browser;
    let popup;
    let token;
    let sessionId;
    /** Every send the server answered: its content, the answer's status, and whether it was a replay of a stored id. */
    const answered = [];
    /** Requests that stored `content` (a replay stores nothing: the full server's answer to an id it has). */
    const storedBy = (content) => answered.filter((send) => send.content === content && send.status < 300 && !send.replayed).length;
    /** Answers the test chose for the next sends of a content: 'hold', or an HTTP status. */
    const scripted = new Map();

    before(async () => {
      stack = await startStack({ ASSISTANT_STEP_MS: '100', ...profile.env });
      browser = await launchBrowser();
      token = await stack.api.login();
      await browser.context.route('**/api/agent/interact', async (route) => {
        const body = JSON.parse(route.request().postData() ?? '{}');
        if (profile.ignoresClientId) delete body.clientMessageId;
        const script = scripted.get(body.content)?.shift();
        if (script?.status) {
          // A backend answer the test made up: the server never sees this request.
          await route.fulfill({ status: script.status, headers: script.headers ?? {}, json: { error: { code: script.code, message: script.message } } });
          return;
        }
        if (script?.hold) {
          // The request is out; the test stops the worker, then the server stores it, and the
          // answer never reaches the worker.
          script.arrived();
          await script.release;
          const response = await fetch(`${stack.apiBase}/api/agent/interact`, {
            method: 'POST',
            headers: { authorization: route.request().headers()['authorization'], 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          const answer = await response.json().catch(() => ({}));
          answered.push({ content: body.content, status: response.status, replayed: answer.replayed === true });
          script.stored();
          await route.abort('connectionreset').catch(() => {});
          return;
        }
        try {
          const response = await route.fetch({ postData: JSON.stringify(body) });
          const answer = await response.json().catch(() => ({}));
          answered.push({ content: body.content, status: response.status(), replayed: answer.replayed === true });
          await route.fulfill({ response });
        } catch {
          await route.abort('connectionrefused').catch(() => {}); // the server is down
        }
      });
      popup = await browser.open('popup.html');
      await configureExtension(popup, stack);
      (await loginWithOptions(browser)).close();
      await popup.click('#new-session');
      await waitForConnected();
      sessionId = await popup.$eval('#sessions .session[aria-current=true]', (node) => node.dataset.sessionId);
    });

    after(async () => {
      await browser?.context.setOffline(false).catch(() => {});
      await browser?.close();
      await stack?.stop();
    });

    /** Push is live: the debug page's badge (the popup shows the connection only in developer mode). */
    async function waitForConnected() {
      const debug = await browser.open('debug.html');
      await debug.waitForSelector('#debug-badge[data-state=connected]', { timeout: 20_000 });
      await debug.close();
    }

    /** `toolchain/stack <args>` for this test's stack (its run folder, ports and profile). */
    function stackCommand(...args) {
      const env = {
        ...process.env, ...profile.env, RUN_DIR: stack.runDir, PORT: new URL(stack.apiBase).port,
        SOCKUDO_PORT: String(stack.sockudoPort), STACK_NO_INSTALL: '1', QUIET: '1', ASSISTANT_STEP_MS: '100',
      };
      return run(path.join(ROOT, 'toolchain', 'stack'), args, { env, timeout: 120_000 });
    }

    /** A scripted answer that holds the request until the test releases it, then stores it and drops the answer. */
    function holdScript() {
      const script = { hold: true };
      script.arrivedNow = new Promise((resolve) => (script.arrived = resolve));
      script.storedNow = new Promise((resolve) => (script.stored = resolve));
      script.release = new Promise((resolve) => (script.releaseNow = resolve));
      return script;
    }

    async function serverUserMessages() {
      return (await stack.api.messages(token, sessionId)).filter((message) => message.role === 'user').map((message) => message.content);
    }

    /**
     * Opens a popup that records any text shown in both the messages and the outbox in a frame it
     * paints. A ResizeObserver's callback runs in each frame after the animation-frame callbacks
     * and the layout, just before the paint, whenever a list changed size: what it sees is what
     * the frame shows.
     */
    async function openWatchedPopup() {
      const page = await browser.open('popup.html');
      await page.evaluate(() => {
        window.bothShown = [];
        window.emptyBesidePending = 0;
        const look = () => {
          const inList = new Set([...document.querySelectorAll('#messages .message[data-role=user] .content')].map((node) => node.textContent));
          const pending = document.querySelectorAll('#outbox .outbox-entry .content');
          for (const node of pending) if (inList.has(node.textContent)) window.bothShown.push(node.textContent);
          if (pending.length > 0 && !document.getElementById('empty-note').hidden) window.emptyBesidePending++;
        };
        const observer = new ResizeObserver(look);
        for (const id of ['messages', 'outbox']) observer.observe(document.getElementById(id));
      });
      return page;
    }

    test('online: each send is in the outbox, then its message takes its place, never both in a frame', async () => {
      await popup.close();
      popup = await openWatchedPopup();
      assert.ok(await popup.isVisible('#empty-note'), 'an empty chat says so');
      const texts = ['online one', 'online two', 'online three'];
      for (const text of texts) await type(popup, text);
      for (const text of texts) await waitForMessage(popup, `Echo: ${text}`);
      await until(async () => (await shownOutbox(popup)).length === 0, { what: 'an empty outbox' });
      assert.deepEqual(await popup.evaluate(() => window.bothShown), []);
      assert.equal(await popup.evaluate(() => window.emptyBesidePending), 0, 'no frame said "No messages yet" beside a pending send');
      assert.deepEqual(await serverUserMessages(), texts);
      assert.ok(await popup.isHidden('#send-status'));
    });

    test('three messages offline, the popup closed, the worker stopped, back online: each arrives once, in order, delivered', async () => {
      const texts = ['offline first', 'offline second', 'offline third'];
      await browser.context.setOffline(true);
      // No 'offline' event reaches the worker: the first send that finds no network tells it.
      await type(popup, texts[0]);
      await popup.waitForSelector('#offline-notice[data-code=network_offline]');
      for (const text of texts.slice(1)) await type(popup, text);
      const pending = await until(async () => {
        const entries = await shownOutbox(popup);
        return entries.length === 3 && entries.every((entry) => entry.status === 'queued' && entry.code === 'network_offline') && entries;
      }, { what: 'three entries waiting for the network' });
      assert.deepEqual(pending.map((entry) => entry.content), texts);
      assert.deepEqual(pending.map((entry) => entry.text), texts.map(() => 'Waiting for network'));
      assert.ok(await popup.isHidden('#send-status'), 'no "Not sent" for a network failure');
      assert.deepEqual(await serverUserMessages(), ['online one', 'online two', 'online three']);

      // Back online with the app server down: nothing can be delivered yet. (Chromium keeps the
      // network emulation of a worker stopped while offline across its restart, where Playwright
      // cannot lift it: the emulation ends while the worker runs, and the server coming back is
      // the moment delivery becomes possible.)
      await stackCommand('stop', 'server');
      await browser.context.setOffline(false);
      await until(async () => (await shownOutbox(popup)).some((entry) => entry.code === 'unreachable'), { what: 'the server to be found unreachable' });
      assert.deepEqual((await shownOutbox(popup)).map((entry) => entry.status), ['queued', 'queued', 'queued']);
      await popup.close();
      const options = await browser.open('options.html'); // not a view: it does not start the worker
      await stopServiceWorker(options);
      await stack.up();
      // No view is open: the wake alarm starts the worker, which delivers them by itself.
      const delivered = await until(async () => {
        const users = await serverUserMessages();
        return users.length >= 6 && users;
      }, { timeoutMs: 120_000, intervalMs: 500, what: 'the three messages on the server' });
      await options.close();

      popup = await openWatchedPopup();
      for (const text of texts) await waitForMessage(popup, `Echo: ${text}`, 30_000);
      await until(async () => (await shownOutbox(popup)).length === 0, { what: 'an empty outbox' });
      assert.deepEqual(delivered.slice(3), texts);
      assert.deepEqual(await serverUserMessages(), ['online one', 'online two', 'online three', ...texts], 'each once, in order');
      const shown = (await shownMessages(popup)).filter((message) => message.role === 'user');
      assert.deepEqual(shown.map((message) => message.content), ['online one', 'online two', 'online three', ...texts]);
      assert.ok(shown.every((message) => message.status === 'sent'), JSON.stringify(shown));
      assert.equal(new Set(shown.map((message) => message.id)).size, shown.length);
      // The server's list above proves each once. The route sees a request of a worker the alarm
      // just started only once Playwright has attached to that worker, which can be after its
      // first send: at most one, never two.
      for (const text of texts) assert.ok(storedBy(text) <= 1, `${text}: stored by ${storedBy(text)} requests`);
    });

    test('an answer lost with a stopped worker: the message is found on the server and not sent again', async () => {
      if (popup.isClosed()) popup = await openWatchedPopup(); // a test before failed half-way
      const text = 'answer lost on the way';
      const script = holdScript();
      scripted.set(text, [script]);
      await type(popup, text);
      await script.arrivedNow;
      await popup.close();
      const options = await browser.open('options.html');
      await stopServiceWorker(options);
      script.releaseNow();
      await script.storedNow; // the server has it; the worker never heard
      popup = await openWatchedPopup(); // starts the worker: the entry was `sending`, its outcome unknown
      await waitForMessage(popup, `Echo: ${text}`, 30_000);
      await until(async () => (await shownOutbox(popup)).length === 0, { timeoutMs: 40_000, what: 'an empty outbox' });
      await options.close();
      assert.equal((await serverUserMessages()).filter((content) => content === text).length, 1);
      assert.equal((await shownMessages(popup)).filter((message) => message.content === text).length, 1);
      assert.equal(answered.filter((send) => send.content === text).length, 1, 'not sent again');
      assert.deepEqual(await popup.evaluate(() => window.bothShown), []);
    });

    test(`the stated exception: a lost answer whose request the server had not stored when the worker looked (${profile.ignoresClientId ? 'stored twice' : 'stored once'})`, async () => {
      if (popup.isClosed()) popup = await openWatchedPopup(); // a test before failed half-way
      const text = 'still on its way when the worker looked';
      const script = holdScript();
      scripted.set(text, [script]);
      await type(popup, text);
      await script.arrivedNow; // out, not yet at the server
      await popup.close();
      const options = await browser.open('options.html');
      await stopServiceWorker(options);
      popup = await openWatchedPopup(); // the worker starts, looks, finds nothing, sends again
      await waitForMessage(popup, `Echo: ${text}`, 30_000);
      script.releaseNow(); // now the first request reaches the server
      await script.storedNow;
      await options.close();
      const copies = profile.ignoresClientId ? 2 : 1;
      await until(async () => (await serverUserMessages()).filter((content) => content === text).length === copies, { what: `${copies} on the server` });
      await until(async () => (await shownMessages(popup)).filter((message) => message.content === text).length === copies, { timeoutMs: 30_000, what: `${copies} in the popup` });
      await until(() => answered.filter((send) => send.content === text).length === 2, { timeoutMs: 30_000, what: 'both requests answered' });
      assert.equal(storedBy(text), copies, profile.ignoresClientId ? 'each stored it' : 'the second was a replay');
      await until(async () => (await shownOutbox(popup)).length === 0, { what: 'an empty outbox' });
    });

    test('429 with Retry-After and 503: waiting to retry, then delivered once', async () => {
      if (popup.isClosed()) popup = await openWatchedPopup(); // a test before failed half-way
      scripted.set('rate limited', [{ status: 429, code: 'rate_limited', message: 'Too many requests', headers: { 'Retry-After': '3' } }]);
      scripted.set('server hiccup', [{ status: 503, code: 'unavailable', message: 'Try again later' }]);
      await type(popup, 'rate limited');
      const waiting = await popup.waitForFunction(
        () => document.querySelector('#outbox .outbox-entry[data-code=rate_limited] .outbox-status')?.textContent,
        undefined,
        { timeout: 10_000 },
      );
      assert.equal(await waiting.jsonValue(), 'Waiting to retry: Too many requests');
      await waitForMessage(popup, 'Echo: rate limited', 30_000);
      await type(popup, 'server hiccup');
      await waitForMessage(popup, 'Echo: server hiccup', 30_000);
      await until(async () => (await shownOutbox(popup)).length === 0, { what: 'an empty outbox' });
      const users = await serverUserMessages();
      assert.equal(users.filter((content) => content === 'rate limited').length, 1);
      assert.equal(users.filter((content) => content === 'server hiccup').length, 1);
    });

    test('a refused send fails with its reason; a later one goes past it; Retry fails again; Discard drops it', async () => {
      if (popup.isClosed()) popup = await openWatchedPopup(); // a test before failed half-way
      const refused = 'far too long for this backend';
      const tooLarge = { status: 413, code: 'too_large', message: 'The message is larger than this backend takes' };
      scripted.set(refused, [tooLarge, tooLarge]);
      await type(popup, refused);
      const [failed] = await until(async () => {
        const entries = await shownOutbox(popup);
        return entries[0]?.status === 'failed' && entries;
      }, { what: 'the failed entry' });
      assert.equal(failed.text, `Not sent: ${tooLarge.message}`);
      assert.equal(failed.code, 'too_large');
      assert.ok(failed.actions, 'Retry and Discard are shown');
      await until(async () => (await popup.evaluate(() => chrome.action.getBadgeText({}))) === '!', { what: 'the toolbar badge of a failed send' });
      // Offline, a message waits behind the failed one: the picture of both states.
      await browser.context.setOffline(true);
      await type(popup, 'written while offline');
      await popup.waitForSelector('#offline-notice[data-code=network_offline]');
      await popup.waitForSelector('#outbox .outbox-entry[data-code=network_offline]');
      await popup.waitForTimeout(100); // an animation frame for the picture
      const picture = await screenshot(popup, `popup-outbox-${profile.name}`);
      if (profile.name === 'full' && process.env.UPDATE_DOC_IMAGES === '1') {
        fs.copyFileSync(picture, path.join(ROOT, 'docs', 'img', 'extension-popup-outbox.png'));
      }
      await browser.context.setOffline(false);
      await waitForMessage(popup, 'Echo: written while offline', 30_000);
      assert.deepEqual((await shownOutbox(popup)).map((entry) => entry.content), [refused]);

      await popup.click(`#outbox .outbox-entry[data-client-id="${failed.clientId}"] .retry`);
      await until(() => scripted.get(refused).length === 0, { what: 'the retry to reach the backend' });
      await until(async () => {
        const entries = await shownOutbox(popup);
        return entries.length === 1 && entries[0].status === 'failed';
      }, { what: 'the retried entry to fail again' });
      await popup.click(`#outbox .outbox-entry[data-client-id="${failed.clientId}"] .discard`);
      await until(async () => (await shownOutbox(popup)).length === 0, { what: 'the discarded entry to go' });
      await until(async () => (await popup.evaluate(() => chrome.action.getBadgeText({}))) === '', { what: 'the toolbar badge cleared' });
      // Gone from the worker too: a new view's snapshot has no entry.
      const fresh = await browser.open('popup.html');
      await waitForMessage(fresh, 'Echo: written while offline');
      assert.deepEqual(await shownOutbox(fresh), []);
      await fresh.close();
      assert.equal((await serverUserMessages()).filter((content) => content === refused).length, 0);
    });
  });
}
