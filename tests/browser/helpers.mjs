// Shared by the browser tests: an isolated stack (toolchain/stack with its own run folder and free
// ports), Debian's Chromium with the unpacked extension (extension/dist, built beforehand by
// toolchain/build-extension) driven by playwright-core, and small helpers to read the popup.
// Nothing here installs or downloads anything; toolchain/test-browser does that first.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { restCall } from '../support/stack-tools.mjs';

const run = promisify(execFile);
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const EXTENSION_DIR = path.join(ROOT, 'extension', 'dist');
export const ARTIFACTS = path.join(ROOT, 'tests', 'artifacts');
export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
export const ALICE = { email: 'alice@example.com', password: 'alice-password' };

/** Development settings that make the fallback observable in seconds (docs/extension.md). */
export const FAST_FALLBACK = { backoffBaseMs: 250, backoffCapMs: 1000, maxReconnectAttempts: 3 };

export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Resolves with `promise`, or rejects after `ms` naming `what` (CDP calls around a stopping worker can hang). */
export async function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function until(check, { timeoutMs = 10_000, intervalMs = 100, what = 'a condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

// ---- the stack ----------------------------------------------------------------------------------

/**
 * Starts Sockudo and the app server with toolchain/stack in a run folder of their own, on free ports.
 * `stop()` brings everything down and removes the folder; `stopSockudo()` kills just Sockudo (by the
 * PID in the run folder), `down()` both (the database stays) and `up()` brings back what is missing.
 * `extraEnv` may choose the server's profile (`PUSHSYNC_SERVER_PROFILE=roadmap` and its knobs,
 * docs/server.md); the start fails when the server does not report the profile asked for, and
 * `health` is its /api/health answer.
 */
export async function startStack(extraEnv = {}) {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pushsync-browser-stack-'));
  const env = {
    ...process.env,
    RUN_DIR: runDir,
    SOCKUDO_PORT: String(await freePort()),
    PORT: String(await freePort()),
    STACK_NO_INSTALL: '1',
    QUIET: '1',
    ...extraEnv,
  };
  const stack = (command) => run(path.join(ROOT, 'toolchain', 'stack'), [command], { env, timeout: 120_000 });
  try {
    await stack('up');
  } catch (error) {
    await stack('down').catch(() => {});
    fs.rmSync(runDir, { recursive: true, force: true });
    throw new Error(`toolchain/stack up failed:\n${error.stdout ?? ''}${error.stderr ?? error}`);
  }
  const apiBase = `http://127.0.0.1:${env.PORT}`;
  // A test of the roadmap profile must not pass against a full server by accident.
  const profile = (env.PUSHSYNC_SERVER_PROFILE ?? 'full').toLowerCase();
  const health = await restCall(apiBase)('GET', '/api/health').catch((error) => ({ error: String(error) }));
  if (health?.profile !== profile) {
    await stack('down').catch(() => {});
    fs.rmSync(runDir, { recursive: true, force: true });
    throw new Error(`the stack's server plays profile ${JSON.stringify(health?.profile)}, not ${JSON.stringify(profile)}: ${JSON.stringify(health)}`);
  }
  return {
    runDir,
    apiBase,
    health,
    sockudoPort: Number(env.SOCKUDO_PORT),
    api: apiClient(apiBase, { minimal: profile === 'roadmap' }),
    up: () => stack('up'),
    /** Stops Sockudo and the app server, keeping the run folder (its database): `up()` brings them back as they were. */
    down: () => stack('down'),
    async stopSockudo() {
      const pid = Number(fs.readFileSync(path.join(runDir, 'sockudo.pid'), 'utf8'));
      process.kill(pid, 'SIGTERM');
      await until(() => !alive(pid), { timeoutMs: 15_000, what: `Sockudo (pid ${pid}) to exit` });
      fs.rmSync(path.join(runDir, 'sockudo.pid'), { force: true });
    },
    async stop() {
      await stack('down').catch((error) => console.error(`stack down: ${error.stderr ?? error}`));
      fs.rmSync(runDir, { recursive: true, force: true });
    },
  };
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The app server's REST routes the tests use directly (as another client, and as admin).
 * `minimal`: the server plays the roadmap profile, whose message reads take `limit` and `since` only.
 */
export function apiClient(apiBase, { minimal = false } = {}) {
  const call = restCall(apiBase);
  return {
    call,
    login: async ({ email, password } = ALICE) => (await call('POST', '/api/auth/login', { body: { email, password } })).accessToken,
    createSession: async (token, title) => (await call('POST', '/api/sessions', { token, body: title ? { title } : {} })).sessionId,
    /**
     * Stores messages as the server's admin and pushes them: `contents` is a list of strings, the
     * messages the assistant's unless `role` says otherwise (the roadmap profile pushes only the
     * user's).
     */
    adminPost: async (sessionId, contents, { role } = {}) =>
      (await call('POST', `/api/admin/session/${sessionId}/messages`, {
        admin: true,
        body: { messages: contents.map((content) => (role ? { role, content } : { content })) },
      })).messages,
    /** Sends a user's message the way every client does, and answers when the assistant's turn is over. */
    interact: (token, sessionId, content) => call('POST', '/api/agent/interact', { token, body: { sessionId, content } }),
    /** Every message of a session, in order (paged; one page of at most 100 on a minimal server). */
    async messages(token, sessionId) {
      if (minimal) {
        const { messages } = await call('GET', `/api/session/${sessionId}/messages?limit=100`, { token });
        if (messages.length >= 100) throw new Error(`session ${sessionId}: more messages than one page of a minimal server can prove`);
        return messages;
      }
      const all = [];
      for (let after = 0; ; ) {
        const page = await call('GET', `/api/session/${sessionId}/messages?limit=200&afterSequence=${after}`, { token });
        all.push(...page.messages);
        if (!page.hasMore || page.messages.length === 0) return all;
        after = page.messages.at(-1).sequenceNumber;
      }
    },
  };
}

// ---- the browser -------------------------------------------------------------------------------

/**
 * Chromium with the extension loaded, in a fresh profile. `close()` ends the browser and removes
 * the profile. Never downloads a browser: Debian's /usr/bin/chromium.
 */
export async function launchBrowser() {
  if (!fs.existsSync(path.join(EXTENSION_DIR, 'manifest.json'))) {
    throw new Error(`${EXTENSION_DIR} has no manifest.json: run toolchain/build-extension first`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pushsync-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: false,
    ignoreDefaultArgs: ['--disable-extensions'],
    viewport: { width: 400, height: 580 },
    args: [
      '--headless=new',
      `--disable-extensions-except=${EXTENSION_DIR}`,
      `--load-extension=${EXTENSION_DIR}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    let [worker] = context.serviceWorkers();
    if (!worker) worker = await context.waitForEvent('serviceworker', { timeout: 20_000 });
    const extensionId = new URL(worker.url()).host;
    return {
      context,
      extensionId,
      url: (page) => `chrome-extension://${extensionId}/${page}`,
      async open(page, { colorScheme = 'light', width = 400, height = 580 } = {}) {
        const tab = await context.newPage();
        await tab.setViewportSize({ width, height });
        await tab.emulateMedia({ colorScheme });
        await tab.goto(`chrome-extension://${extensionId}/${page}`);
        return tab;
      },
      async close() {
        await context.close().catch(() => {});
        fs.rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await context.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}

/** Points the extension at a stack through chrome.storage.local (no rebuild), from any extension page. */
export async function configureExtension(page, stack, { developerSettings = FAST_FALLBACK, protocol = 7 } = {}) {
  await page.evaluate(
    (settings) => chrome.storage.local.set(settings),
    { apiBase: stack.apiBase, wsHost: '127.0.0.1', wsPort: stack.sockudoPort, pusherKey: 'pushsync-key', protocol, developerSettings },
  );
}

/**
 * The same through the options page, as a user would: the connection settings, the developer
 * settings, then the login. Returns the options page.
 */
export async function configureWithOptions(browser, stack, { developerSettings = FAST_FALLBACK, account = ALICE } = {}) {
  const options = await browser.open('options.html', { width: 700, height: 900 });
  await options.fill('#api-base', stack.apiBase);
  await options.fill('#pusher-key', 'pushsync-key');
  await options.fill('#ws-host', '127.0.0.1');
  await options.fill('#ws-port', String(stack.sockudoPort));
  await options.selectOption('#protocol', '7');
  await options.click('#settings-save');
  await options.waitForSelector('#settings-status[data-kind=done]');
  await options.fill('#backoff-base', String(developerSettings.backoffBaseMs));
  await options.fill('#backoff-cap', String(developerSettings.backoffCapMs));
  await options.fill('#max-attempts', String(developerSettings.maxReconnectAttempts));
  await options.click('#developer-save');
  await options.waitForSelector('#developer-status:has-text("Saved")');
  await options.fill('#email', account.email);
  await options.fill('#password', account.password);
  await options.click('#login');
  await options.waitForSelector('#account-status[data-logged-in=true]', { timeout: 10_000 });
  return options;
}

/** Logs in through the options page's form, as a user would. */
export async function loginWithOptions(browser, { email, password } = ALICE) {
  const options = await browser.open('options.html', { width: 700, height: 900 });
  await options.fill('#email', email);
  await options.fill('#password', password);
  await options.click('#login');
  await options.waitForSelector('#account-status[data-logged-in=true]', { timeout: 10_000 });
  return options;
}

/**
 * Stops the extension's service worker the way Chrome does when it is idle (CDP ServiceWorker.
 * stopWorker). Resolves once it stopped; an open view may start it again at once.
 */
export async function stopServiceWorker(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const versions = new Map();
    const statuses = []; // every runningStatus reported, in order
    cdp.on('ServiceWorker.workerVersionUpdated', ({ versions: list }) => {
      for (const version of list) {
        versions.set(version.versionId, version);
        statuses.push(`${version.versionId}:${version.runningStatus}`);
      }
    });
    await withTimeout(cdp.send('ServiceWorker.enable'), 5_000, 'CDP ServiceWorker.enable');
    // URL.origin is 'null' for chrome-extension: URLs in Node.
    const origin = `chrome-extension://${new URL(page.url()).host}/`;
    const running = await until(
      () => [...versions.values()].find((v) => v.scriptURL.startsWith(origin) && v.runningStatus === 'running'),
      { timeoutMs: 5_000, what: 'the running service worker version' },
    ).catch((error) => {
      throw new Error(`${error.message}; versions seen: ${JSON.stringify([...versions.values()])}`);
    });
    const from = statuses.length;
    await withTimeout(cdp.send('ServiceWorker.stopWorker', { versionId: running.versionId }), 5_000, 'CDP ServiceWorker.stopWorker');
    await until(() => statuses.slice(from).includes(`${running.versionId}:stopped`), { timeoutMs: 10_000, what: 'the worker to stop' }).catch((error) => {
      throw new Error(`${error.message}; statuses: ${statuses.slice(from).join(', ')}`);
    });
  } finally {
    await cdp.detach().catch(() => {});
  }
}

// ---- reading the popup -----------------------------------------------------------------------------

/** The messages the popup shows, in screen order. */
export function shownMessages(page) {
  return page.$$eval('#messages .message', (nodes) =>
    nodes.map((node) => ({
      id: node.dataset.id,
      seq: Number(node.dataset.seq),
      role: node.dataset.role,
      status: node.dataset.status,
      content: node.querySelector('.content').textContent,
    })),
  );
}

/**
 * Turns on developer mode (for every view: it is stored), so that a popup shows the debug panel,
 * where the connection badge is (roadmap v1.7: not in the chat), and waits for the badge.
 */
export async function showDebugPanel(page) {
  await page.evaluate(() => chrome.storage.local.set({ developerMode: true }));
  await page.waitForSelector('#debug-badge', { state: 'attached' });
}

/**
 * The debug panel's connection badge. A popup without the panel gets it (showDebugPanel: developer
 * mode stays on, for every view).
 */
export async function badgeState(page) {
  if (!(await page.$('#debug-badge'))) await showDebugPanel(page);
  return page.$eval('#debug-badge', (node) => ({ state: node.dataset.state, title: node.title, text: node.textContent }));
}

export async function waitForBadge(page, state, timeoutMs = 20_000) {
  if (!(await page.$('#debug-badge'))) await showDebugPanel(page);
  await page.waitForSelector(`#debug-badge[data-state=${state}]`, { state: 'attached', timeout: timeoutMs });
  return badgeState(page);
}

/** Waits until the popup shows a message with this content, and returns it. */
export async function waitForMessage(page, content, timeoutMs = 15_000) {
  return until(async () => (await shownMessages(page)).find((m) => m.content === content), { timeoutMs, what: `the message "${content}"` });
}

export async function screenshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
