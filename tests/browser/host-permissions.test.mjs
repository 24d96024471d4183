// The extension in production: host permissions and TLS, in Chromium, without a stack. Chrome
// accepts the manifest's loopback and optional patterns; settings pointing at a host without a
// grant run no engine and say so in the popup and the options page; a refused grant saves
// nothing; the plain-text warning follows the fields; the TLS setting decides between ws:// and
// wss:// on the socket the engine opens (seen by a raw TCP listener: an HTTP upgrade or a TLS
// handshake).
//
// Chrome's own permission prompt cannot be answered in a headless browser (it waits forever), so
// the refusal is played by replacing chrome.permissions.request on that one options page.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { freePort, launchBrowser, until, waitForBadge } from './helpers.mjs';

// .test never resolves (RFC 2606): nothing here can reach a real server.
const REMOTE = { apiBase: 'https://chat.example.test', wsHost: 'ws.example.test' };
const REMOTE_ORIGINS = ['https://chat.example.test/*', 'wss://ws.example.test/*'];
const SETTING_KEYS = ['apiBase', 'pusherKey', 'wsHost', 'wsPort', 'wsTls', 'protocol'];

describe('host permissions and TLS', { timeout: 120_000 }, () => {
  let browser;
  let page; // an extension page to reach chrome.* from

  before(async () => {
    browser = await launchBrowser();
    page = await browser.open('debug.html');
  });

  after(async () => {
    await browser?.close();
  });

  const store = (values) => page.evaluate((values) => chrome.storage.local.set(values), values);
  const clearSettings = () => page.evaluate((keys) => chrome.storage.local.remove(keys), [...SETTING_KEYS, 'accessToken']);

  test('Chrome grants the loopback patterns at install and accepts the optional ones', async () => {
    const granted = await page.evaluate(() => chrome.permissions.getAll());
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].flatMap((host) => ['https', 'http', 'wss', 'ws'].map((scheme) => `${scheme}://${host}/*`));
    assert.deepEqual([...granted.origins].sort(), [...loopback].sort());
    assert.equal(await page.evaluate((origins) => chrome.permissions.contains({ origins }), REMOTE_ORIGINS), false);
  });

  test('settings for a host without permission: no engine, the popup and the options page say which origins', async () => {
    await store({ ...REMOTE, developerMode: true }); // the badge is the debug panel's
    const popup = await browser.open('popup.html');
    const badge = await waitForBadge(popup, 'disconnected');
    await until(async () => (await popup.$eval('#debug-badge', (node) => node.title)) === 'No host permission', { what: 'the badge to say No host permission' });
    assert.equal(badge.state, 'disconnected');
    await popup.waitForSelector('#access-notice:not([hidden])');
    assert.equal(await popup.textContent('#access-origins'), REMOTE_ORIGINS.join(', '));

    const options = await browser.open('options.html', { width: 700, height: 900 });
    await options.waitForSelector('#access-warning:not([hidden])');
    assert.match(await options.textContent('#access-text'), /do not work: no permission for https:\/\/chat\.example\.test\/\*, wss:\/\/ws\.example\.test\/\*/);

    // Back to the build's defaults (loopback, granted): the engine runs again, the notices go.
    await options.click('#settings-defaults');
    await options.waitForSelector('#access-warning[hidden]', { state: 'attached' });
    await popup.waitForSelector('#access-notice[hidden]', { state: 'attached' });
    await until(async () => (await popup.$eval('#debug-badge', (node) => node.title)) !== 'No host permission', { what: 'the engine to start again' });
    await options.close();
    await popup.close();
  });

  test('a refused grant saves nothing, asks for exactly the two origins, and says so', async () => {
    await clearSettings();
    const options = await browser.context.newPage();
    await options.setViewportSize({ width: 700, height: 900 });
    // Chrome's prompt, answered "no"; the origins asked for are kept for the test.
    await options.addInitScript(() => {
      globalThis.permissionRequests = [];
      chrome.permissions.request = (permissions) => {
        globalThis.permissionRequests.push(permissions);
        return Promise.resolve(false);
      };
    });
    await options.goto(browser.url('options.html'));
    await options.fill('#api-base', REMOTE.apiBase);
    await options.fill('#ws-host', REMOTE.wsHost);
    await options.selectOption('#ws-tls', 'auto');
    await options.click('#settings-save');
    await options.waitForSelector('#settings-status[data-kind=error]');
    assert.match(await options.textContent('#settings-status'), /^Not saved: Chrome did not grant access to https:\/\/chat\.example\.test\/\*, wss:\/\/ws\.example\.test\/\*/);
    assert.deepEqual(await options.evaluate(() => globalThis.permissionRequests), [{ origins: REMOTE_ORIGINS }]);
    assert.deepEqual(await page.evaluate((keys) => chrome.storage.local.get(keys), SETTING_KEYS), {});
    await options.close();
  });

  test('saving loopback settings asks Chrome (granted without a prompt) and saves', async () => {
    await clearSettings();
    const options = await browser.open('options.html', { width: 700, height: 900 });
    await options.fill('#api-base', 'http://localhost:3999');
    await options.fill('#ws-host', 'localhost');
    await options.fill('#ws-port', '3998');
    await options.click('#settings-save');
    await options.waitForSelector('#settings-status[data-kind=done]');
    const stored = await page.evaluate((keys) => chrome.storage.local.get(keys), SETTING_KEYS);
    assert.deepEqual(stored, { apiBase: 'http://localhost:3999', pusherKey: 'pushsync-key', wsHost: 'localhost', wsPort: 3998, wsTls: 'auto', protocol: 7 });
    await options.close();
    await clearSettings();
  });

  test('the options page warns, as the user types, about plain http or ws to another machine', async () => {
    const options = await browser.open('options.html', { width: 700, height: 900 });
    const warning = () => options.$eval('#unencrypted-warning', (node) => (node.hidden ? '' : node.textContent));
    assert.equal(await warning(), '', 'the loopback defaults need no warning');
    await options.fill('#api-base', 'http://chat.example.test:3000');
    await options.fill('#ws-host', 'ws.example.test');
    await options.selectOption('#ws-tls', 'off');
    assert.match(await warning(), /^Not encrypted: http:\/\/chat\.example\.test:3000 and ws:\/\/ws\.example\.test are reached in plain text/);
    await options.selectOption('#ws-tls', 'auto'); // wss:// for a remote host
    assert.match(await warning(), /^Not encrypted: http:\/\/chat\.example\.test:3000 is reached/);
    await options.fill('#api-base', 'https://chat.example.test');
    assert.equal(await warning(), '');
    await options.close();
  });

  test('the TLS setting decides the socket: wss:// when on, ws:// when automatic on loopback', async () => {
    const firstBytes = [];
    const listener = net.createServer((socket) => {
      socket.once('data', (data) => {
        firstBytes.push(data);
        socket.destroy();
      });
    });
    const wsPort = await freePort();
    await new Promise((resolve) => listener.listen(wsPort, '127.0.0.1', resolve));
    try {
      // A session and a token: the engine opens its socket (the REST calls fail on a closed port).
      await store({ apiBase: `http://127.0.0.1:${await freePort()}`, wsHost: '127.0.0.1', wsPort, wsTls: true, accessToken: 'not-a-real-token' });
      await page.evaluate(() => {
        globalThis.probePort = chrome.runtime.connect({ name: 'pushsync-view' });
        globalThis.probePort.postMessage({ type: 'request', id: 1, request: { op: 'selectSession', sessionId: 'tls-probe' } });
      });
      // 30 s: an attempt made before the new settings reached the engine fails, and the first
      // retry after a lost socket waits up to 6.2 s (the glue's spread against reconnect storms).
      await until(() => firstBytes.length > 0, { timeoutMs: 30_000, what: 'the engine to open its socket' });
      assert.equal(firstBytes[0][0], 0x16, 'TLS on: a TLS handshake record, not an HTTP upgrade');

      firstBytes.length = 0;
      await store({ wsTls: 'auto' });
      await until(() => firstBytes.some((data) => data.toString('latin1').startsWith('GET ')), { timeoutMs: 30_000, what: 'a plain ws:// upgrade' });
      assert.match(firstBytes.find((data) => data.toString('latin1').startsWith('GET ')).toString('latin1'), /^GET \/app\/pushsync-key\?protocol=7/);
    } finally {
      await page.evaluate(() => globalThis.probePort?.disconnect());
      listener.close();
      await clearSettings();
    }
  });
});
