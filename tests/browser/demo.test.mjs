// The demo page (docs/demo.md) in Debian's Chromium, driven by playwright-core: two clients of the
// WASM core in their own Web Workers, against an isolated stack with the development routes on.
// Both reach Connected; a dropped socket and offline/online come back by themselves; a burst of
// 100 arrives in both lists in order; with Sockudo stopped (through the page's button) both go
// Reconnecting then Polling and messages still arrive; with Sockudo started again both are
// Connected again, and both lists equal the server's messages. No CSP violation, no page error.
// Screenshots: tests/artifacts/demo.png (and demo-dark.png); with UPDATE_DOC_IMAGES=1 also copied
// to docs/img/demo.png.
//
// Needs demo/dist (toolchain/build-demo), Sockudo (toolchain/install-sockudo) and npm packages;
// installs and downloads nothing. DEMO_TEST_PORTS=<app>,<sockudo> pins the ports (default: free ones).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { until as waitUntil } from './helpers.mjs';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ARTIFACTS = path.join(ROOT, 'tests', 'artifacts');
const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const ALICE = { email: 'alice@example.com', password: 'alice-password' };
const CLIENTS = ['A', 'B'];

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

// The shared wait, with this file's longer default: the demo's workers load their own modules.
const until = (check, options = {}) => waitUntil(check, { timeoutMs: 15_000, ...options });

// ---- the stack, the browser, the page --------------------------------------------------------------

let stack;
let browser;
let page;
const problems = []; // page errors and CSP violations

async function startStack() {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pushsync-demo-stack-'));
  const [appPort, sockudoPort] = process.env.DEMO_TEST_PORTS
    ? process.env.DEMO_TEST_PORTS.split(',').map(Number)
    : [await freePort(), await freePort()];
  const env = {
    ...process.env,
    RUN_DIR: runDir,
    PORT: String(appPort),
    SOCKUDO_PORT: String(sockudoPort),
    STACK_NO_INSTALL: '1',
    QUIET: '1',
    PUSHSYNC_DEV_ROUTES: '1',
  };
  delete env.NODE_ENV;
  const stackCommand = (...args) => run(path.join(ROOT, 'toolchain', 'stack'), args, { env, timeout: 120_000 });
  try {
    await stackCommand('up');
  } catch (error) {
    await stackCommand('down').catch(() => {});
    fs.rmSync(runDir, { recursive: true, force: true });
    throw new Error(`toolchain/stack up failed:\n${error.stdout ?? ''}${error.stderr ?? error}`);
  }
  return {
    apiBase: `http://127.0.0.1:${appPort}`,
    async stop() {
      await stackCommand('down').catch((error) => console.error(`stack down: ${error.stderr ?? error}`));
      fs.rmSync(runDir, { recursive: true, force: true });
    },
  };
}

/** Every message of the session, in order, as the server has it. */
async function serverMessages(sessionId) {
  const call = async (method, route, body, token) => {
    const response = await fetch(stack.apiBase + route, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    assert.ok(response.ok, `${method} ${route}: ${response.status}`);
    return response.json();
  };
  const { accessToken } = await call('POST', '/api/auth/login', ALICE);
  const all = [];
  for (let after = 0; ;) {
    const pageOf = await call('GET', `/api/session/${sessionId}/messages?limit=200&afterSequence=${after}`, undefined, accessToken);
    all.push(...pageOf.messages);
    if (!pageOf.hasMore || pageOf.messages.length === 0) return all;
    after = pageOf.messages.at(-1).sequenceNumber;
  }
}

const shown = (client) => page.$$eval(`[data-client=${client}] .messages .message`, (nodes) => nodes.map((node) => ({
  id: node.dataset.id,
  seq: Number(node.dataset.seq),
  status: node.dataset.status,
  content: node.querySelector('.content').textContent,
})));

const badge = (client) => page.$eval(`[data-client=${client}] .badge`, (node) => ({ state: node.dataset.state, title: node.title }));
const history = (client) => page.$eval(`[data-client=${client}]`, (node) => (node.dataset.history ?? '').split(' '));

async function waitForState(client, state, timeoutMs = 30_000) {
  await page.waitForSelector(`[data-client=${client}] .badge[data-state=${state}]`, { timeout: timeoutMs });
}

/** Waits until both lists hold the messages whose content matches `pattern`, `count` of them. */
async function waitInBoth(pattern, count, timeoutMs = 30_000) {
  const lists = {};
  for (const client of CLIENTS) {
    lists[client] = await until(async () => {
      const matching = (await shown(client)).filter((message) => pattern.test(message.content));
      return matching.length >= count ? matching : null;
    }, { timeoutMs, what: `${count} messages matching ${pattern} in client ${client}` });
  }
  return lists;
}

function assertInOrder(list, what) {
  for (let i = 1; i < list.length; i++) {
    assert.ok(list[i].seq > list[i - 1].seq, `${what}: #${list[i - 1].seq} then #${list[i].seq} at ${i}`);
  }
  assert.equal(new Set(list.map((message) => message.id)).size, list.length, `${what}: a message shown twice`);
}

async function burst() {
  const count = () => page.$eval('#burst', (node) => Number(node.dataset.bursts ?? 0));
  const before = await count();
  await page.click('#burst');
  await until(async () => (await count()) > before, { what: 'the burst to be stored' });
  const [first, last] = (await page.$eval('#burst', (node) => node.dataset.last)).split('-').map(Number);
  assert.equal(last - first, 99);
  return { first, last };
}

/** The burst's messages, in both lists, complete and in order. */
async function expectBurst({ first, last }, timeoutMs) {
  const inRange = (list) => list.filter((message) => message.seq >= first && message.seq <= last);
  for (const client of CLIENTS) {
    const list = await until(async () => {
      const found = inRange(await shown(client));
      return found.length === 100 ? found : null;
    }, { timeoutMs, what: `burst #${first}-#${last} in client ${client}` });
    assertInOrder(list, `client ${client}`);
    assert.deepEqual(list.map((message) => message.seq), Array.from({ length: 100 }, (_, i) => first + i));
    assert.ok(list.every((message, i) => message.content.endsWith(` · ${String(i + 1).padStart(3, '0')}/100`)), `client ${client}: burst contents in order`);
  }
}

async function screenshot(name, colorScheme) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.emulateMedia({ colorScheme });
  await page.waitForTimeout(600); // a chart redraw and the transitions
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

before(async () => {
  assert.ok(fs.existsSync(path.join(ROOT, 'demo', 'dist', 'worker.js')), 'demo/dist is missing: run toolchain/build-demo first');
  stack = await startStack();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: false,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 1360, height: 1000 }, colorScheme: 'light' });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`console: ${message.text()}`);
  });
});

after(async () => {
  await browser?.close().catch(() => {});
  await stack?.stop();
});

test('demo page: two clients connect, survive faults, fall back to polling and come back', { timeout: 240_000 }, async (t) => {
  await page.goto(`${stack.apiBase}/demo/?fast=1`);
  // The page's CSP is strict: no inline script, WebSockets to Sockudo only.
  const response = await page.request.get(`${stack.apiBase}/demo/`);
  assert.match(response.headers()['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/);

  await t.test('both badges reach Connected', async () => {
    for (const client of CLIENTS) await waitForState(client, 'connected');
    assert.equal((await badge('A')).title, 'Connected');
  });

  const sessionId = await page.$eval('#session-line', (node) => node.title);
  assert.match(sessionId, /^[0-9a-f-]{36}$/);

  await t.test('a dropped socket reconnects; offline and online', async () => {
    await page.click('[data-client=A] .drop');
    await until(async () => (await history('A')).includes('reconnecting'), { what: 'A to go reconnecting' });
    await waitForState('A', 'connected');
    await page.click('[data-client=B] .offline');
    await waitForState('B', 'offline');
    await page.click('[data-client=B] .offline');
    await waitForState('B', 'connected');
  });

  await t.test('a burst of 100 arrives in both lists, in order', async () => {
    await expectBurst(await burst(), 30_000);
  });

  await t.test('Sockudo stopped: Reconnecting, then Polling, and messages still arrive', async () => {
    await page.click('#sockudo-toggle');
    await page.waitForSelector('#sockudo-pill[data-up=false]', { timeout: 60_000 });
    for (const client of CLIENTS) {
      await waitForState(client, 'polling', 60_000);
      const states = await history(client);
      const lost = states.lastIndexOf('connected');
      const reconnecting = states.indexOf('reconnecting', lost);
      assert.ok(reconnecting > lost, `client ${client}: reconnecting after connected, in ${states.join(' ')}`);
      assert.ok(states.indexOf('polling', reconnecting) > reconnecting, `client ${client}: polling after reconnecting, in ${states.join(' ')}`);
      assert.match((await badge(client)).title, /^Polling: Server unreachable$/, 'the reason is the tooltip');
    }
    // A message sent from the page, and a burst: both through REST polling only.
    const content = `while polling ${Date.now()}`;
    await page.fill('#send-text', content);
    await page.click('#send');
    await waitInBoth(new RegExp(`^${content}$`), 1);
    await waitInBoth(new RegExp(`^Echo: ${content}$`), 1);
    await expectBurst(await burst(), 60_000);
    for (const client of CLIENTS) assert.equal((await badge(client)).state, 'polling');
  });

  await t.test('Sockudo started: both Connected again, push carries the next burst', async () => {
    await page.waitForTimeout(1500); // a moment of polling on the latency chart
    await page.click('#sockudo-toggle');
    await page.waitForSelector('#sockudo-pill[data-up=true]', { timeout: 60_000 });
    for (const client of CLIENTS) await waitForState(client, 'connected', 60_000);
    await expectBurst(await burst(), 30_000);
    await page.fill('#send-text', 'Back on push: <img src=x onerror=alert(1)> stays text');
    await page.click('#send');
    await waitInBoth(/^Echo: Back on push/, 1);
  });

  await t.test('both lists equal the server\'s messages', async () => {
    const truth = (await serverMessages(sessionId)).map((message) => message.messageId);
    for (const client of CLIENTS) {
      const list = await until(async () => {
        const now = await shown(client);
        return now.length === truth.length ? now : null;
      }, { what: `client ${client} to hold ${truth.length} messages` });
      assertInOrder(list, `client ${client}`);
      assert.deepEqual(list.map((message) => message.id), truth);
    }
    assert.equal(await page.$eval('#agree', (node) => node.dataset.agree), 'true');
    assert.equal(await page.$$eval('.messages img', (nodes) => nodes.length), 0, 'message content is never HTML');
  });

  await t.test('screenshots, light and dark', async () => {
    await page.waitForSelector('[data-client=A] .typing[data-typing=false]', { timeout: 10_000 });
    const light = await screenshot('demo', 'light');
    await screenshot('demo-dark', 'dark');
    // Only when asked: a test run must not leave a tracked file changed.
    if (process.env.UPDATE_DOC_IMAGES === '1') {
      fs.mkdirSync(path.join(ROOT, 'docs', 'img'), { recursive: true });
      fs.copyFileSync(light, path.join(ROOT, 'docs', 'img', 'demo.png'));
    }
  });

  assert.deepEqual(problems, []);
});
