// The roadmap's manual QA checklist, automated: the extension in Debian's Chromium against a stack
// of its own (Sockudo + the app server on free ports), one step after the other on one popup.
//   1 select a session: Connected          5 Sockudo back: push resumes by itself
//   2 send: the message appears             6 switch sessions: nothing from the old one
//   3 Sockudo stopped: Reconnecting         7 the typing indicator during the assistant turn
//   4 after the retries: Polling, and       8 after a reload of the popup, messages keep
//     messages still arrive                   their order
// The fallback is made fast with the developer settings (250 ms backoff base, 1 s cap, 3 attempts).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  badgeState,
  configureWithOptions,
  launchBrowser,
  screenshot,
  shownMessages,
  startStack,
  until,
  waitForBadge,
  waitForMessage,
} from './helpers.mjs';

/** Records every state the popup's badge takes, and every text of the typing indicator. */
function recordHistory(page) {
  return page.evaluate(() => {
    const badge = document.getElementById('connection-badge');
    const typing = document.getElementById('typing');
    window.__badges = [badge.dataset.state];
    window.__typing = [];
    new MutationObserver(() => {
      if (window.__badges.at(-1) !== badge.dataset.state) window.__badges.push(badge.dataset.state);
    }).observe(badge, { attributes: true });
    new MutationObserver(() => {
      const text = typing.hidden ? '' : typing.textContent;
      if (window.__typing.at(-1) !== text) window.__typing.push(text);
    }).observe(typing, { attributes: true, childList: true, characterData: true, subtree: true });
  });
}

describe('QA checklist', { timeout: 180_000 }, () => {
  let stack;
  let browser;
  let popup;
  let token;
  let firstSession;
  const dialogs = [];

  before(async () => {
    // A slower assistant so that each typing step stays on screen for a while (step 7).
    stack = await startStack({ ASSISTANT_STEP_MS: '600' });
    browser = await launchBrowser();
    token = await stack.api.login();
    popup = await browser.open('popup.html');
    popup.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    // Through the options page: the worker takes the new settings without a rebuild.
    const options = await configureWithOptions(browser, stack);
    await screenshot(options, 'options');
    await options.close();
    await recordHistory(popup);
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  test('1. selecting a session: the badge reaches Connected', async () => {
    await popup.click('#new-session');
    await popup.waitForSelector('#sessions .session[aria-current=true]');
    const badge = await waitForBadge(popup, 'connected');
    assert.equal(badge.text, 'Connected');
    firstSession = await popup.$eval('#sessions .session[aria-current=true]', (node) => node.dataset.sessionId);
    assert.match(firstSession, /^[0-9a-f-]{36}$/);
    assert.deepEqual(await shownMessages(popup), []);
  });

  test('2. sending a message: it appears without a refresh', async () => {
    await popup.fill('#message-input', 'hello from the popup');
    await popup.press('#message-input', 'Enter');
    const mine = await waitForMessage(popup, 'hello from the popup');
    assert.equal(mine.role, 'user');
    const answer = await waitForMessage(popup, 'Echo: hello from the popup');
    assert.equal(answer.role, 'assistant');
    await popup.waitForSelector(`#messages .message[data-id="${answer.id}"][data-status=success]`, { timeout: 15_000 });
    // Wait for the end of the turn: its typing events must not leak into step 7's record.
    await popup.waitForSelector('#typing', { state: 'hidden', timeout: 15_000 });
  });

  test('3. Sockudo stopped: Reconnecting', async () => {
    await stack.stopSockudo();
    await until(() => popup.evaluate(() => window.__badges.includes('reconnecting')), { timeoutMs: 10_000, what: 'Reconnecting' });
    const history = await popup.evaluate(() => window.__badges);
    assert.equal(history.at(history.lastIndexOf('connected') + 1), 'reconnecting', `states: ${history.join(' > ')}`);
  });

  test('4. after the retries: Polling, and messages still arrive', async () => {
    const badge = await waitForBadge(popup, 'polling', 20_000);
    assert.equal(badge.text, 'Polling');
    assert.equal(badge.title, 'Server unreachable');
    await popup.click('#developer-mode');
    await popup.waitForSelector('#debug-badge[data-state=polling]');
    await screenshot(popup, 'popup-polling-debug');
    await popup.click('#developer-mode');
    // Sockudo is down: the server's trigger fails, the message only reaches the popup by polling.
    await stack.api.adminPost(firstSession, ['sent while push is down']);
    await waitForMessage(popup, 'sent while push is down', 15_000);
    assert.equal((await badgeState(popup)).state, 'polling');
  });

  test('5. Sockudo back: push resumes by itself', async () => {
    await stack.up();
    await waitForBadge(popup, 'connected', 20_000);
    const history = await popup.evaluate(() => window.__badges);
    assert.deepEqual(history.slice(history.indexOf('polling')), ['polling', 'connected'], `states: ${history.join(' > ')}`);
    await stack.api.adminPost(firstSession, ['pushed after the restart']);
    await waitForMessage(popup, 'pushed after the restart');
  });

  test('6. switching sessions: a clean handoff, nothing from the old session', async () => {
    const before = (await shownMessages(popup)).length;
    assert.ok(before >= 4);
    await popup.waitForTimeout(1100); // session titles carry the time to the second
    await popup.click('#new-session');
    await popup.waitForFunction((old) => {
      const current = document.querySelector('#sessions .session[aria-current=true]');
      return current && current.dataset.sessionId !== old;
    }, firstSession);
    const second = await popup.$eval('#sessions .session[aria-current=true]', (node) => node.dataset.sessionId);
    await waitForBadge(popup, 'connected');
    await popup.waitForFunction(() => document.querySelectorAll('#messages .message').length === 0);
    await stack.api.adminPost(firstSession, ['old session, after the switch']);
    await stack.api.adminPost(second, ['new session only']);
    await waitForMessage(popup, 'new session only');
    await popup.waitForTimeout(500); // time for a stray event of the old session to show up
    const shown = await shownMessages(popup);
    const server = await stack.api.messages(token, second);
    assert.deepEqual(shown.map((m) => m.id), server.map((m) => m.messageId));
    assert.ok(!shown.some((m) => m.content === 'old session, after the switch'));
  });

  test('7. the typing indicator shows during the assistant turn', async () => {
    await popup.evaluate(() => {
      window.__typing = [];
    });
    await popup.fill('#message-input', 'take your time');
    await popup.click('#send');
    await popup.waitForSelector('#typing:not([hidden])', { timeout: 10_000 });
    assert.match(await popup.textContent('#typing'), /^(Thinking|Executing|Verifying)\.\.\.$/);
    await screenshot(popup, 'popup-typing');
    await waitForMessage(popup, 'Echo: take your time');
    await popup.waitForSelector('#typing', { state: 'hidden', timeout: 15_000 });
    const seen = (await popup.evaluate(() => window.__typing)).filter((text) => text !== '');
    assert.deepEqual(seen, ['Thinking...', 'Executing...', 'Verifying...']);
  });

  test('8. after a reload of the popup, the messages keep their order', async () => {
    await popup.click(`#sessions .session[data-session-id="${firstSession}"]`);
    await waitForMessage(popup, 'pushed after the restart');
    const server = await stack.api.messages(token, firstSession);
    await until(async () => (await shownMessages(popup)).length === server.length, { what: 'the whole first session' });
    const shown = await shownMessages(popup);
    await popup.reload();
    await until(async () => (await shownMessages(popup)).length === server.length, { what: 'the messages after the reload' });
    const reloaded = await shownMessages(popup);
    assert.deepEqual(reloaded.map((m) => m.id), shown.map((m) => m.id));
    assert.deepEqual(reloaded.map((m) => m.id), server.map((m) => m.messageId));
    const sequence = reloaded.map((m) => m.seq);
    assert.deepEqual(sequence, [...sequence].sort((a, b) => a - b));
    assert.equal(new Set(sequence).size, sequence.length);
    assert.deepEqual(dialogs, []);
  });
});
