// Shared by the server tests: an in-process server on an ephemeral port with a temporary database,
// pushing to a fake Sockudo (fake-sockudo.mjs), plus small HTTP helpers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../../server/src/server.js';
import { startFakeSockudo } from './fake-sockudo.mjs';

export const ALICE = { email: 'alice@example.com', password: 'alice-password' };
export const BOB = { email: 'bob@example.com', password: 'bob-password' };
export const ADMIN_TOKEN = 'pushsync-admin';

/**
 * The environment of the roadmap profile (docs/server.md, "The roadmap profile"), for
 * startTestServer, isolatedStack or the integration tests' startStack: knobs left out keep their
 * defaults (paging newest, maxLimit 100, unknownParams ignore, sequence all).
 * @param {{paging?: 'newest'|'oldest', maxLimit?: number, unknownParams?: 'ignore'|'refuse', sequence?: 'all'|'some'}} knobs
 */
export function roadmapEnv({ paging, maxLimit, unknownParams, sequence, clientId } = {}) {
  const env = { PUSHSYNC_SERVER_PROFILE: 'roadmap' };
  if (paging !== undefined) env.PUSHSYNC_ROADMAP_PAGING = paging;
  if (maxLimit !== undefined) env.PUSHSYNC_ROADMAP_MAX_LIMIT = String(maxLimit);
  if (unknownParams !== undefined) env.PUSHSYNC_ROADMAP_UNKNOWN_PARAMS = unknownParams;
  if (sequence !== undefined) env.PUSHSYNC_ROADMAP_SEQUENCE = sequence;
  if (clientId !== undefined) env.PUSHSYNC_ROADMAP_CLIENT_ID = clientId;
  return env;
}

/** A fresh temporary directory, removed by the returned `remove()`. */
export function tempDir(prefix = 'pushsync-test-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Starts a server (and a fake Sockudo unless `sockudoPort` is given in env), in development mode
 * unless `env` says `PUSHSYNC_DEV: '0'`.
 * @param {{env?: Record<string,string>, fake?: boolean}} options
 * @returns {Promise<{url, fake, logs: string[], errors: string[], call, login, close}>}
 */
export async function startTestServer({ env = {}, fake = true } = {}) {
  const tmp = tempDir();
  const sockudo = fake ? await startFakeSockudo() : null;
  const logs = [];
  const errors = [];
  let server;
  try {
    server = await startServer({
      env: {
        PUSHSYNC_DEV: '1', // the public secrets and the demo users (docs/server.md, "Development mode")
        PORT: '0',
        DB_PATH: path.join(tmp.dir, 'test.sqlite'),
        QUIET: '1',
        ASSISTANT_STEP_MS: '0',
        ...(sockudo ? { SOCKUDO_PORT: String(sockudo.port) } : {}),
        ...env,
      },
      logger: { info: (line) => logs.push(line), error: (line) => errors.push(line) },
    });
  } catch (error) {
    await sockudo?.close();
    tmp.remove();
    throw error;
  }
  const client = httpClient(server.url);
  return {
    ...client,
    url: server.url,
    config: server.config,
    dbPath: server.config.dbPath,
    fake: sockudo,
    logs,
    errors,
    async close() {
      await server.close();
      await sockudo?.close();
      tmp.remove();
    },
  };
}

/** `call(method, path, {token, body, form, headers})` -> `{status, body, headers}`, and `login`. */
export function httpClient(baseUrl) {
  async function call(method, urlPath, { token, body, form, headers = {} } = {}) {
    const init = { method, headers: { ...headers } };
    if (token) init.headers.authorization = `Bearer ${token}`;
    if (form !== undefined) {
      init.headers['content-type'] = 'application/x-www-form-urlencoded';
      init.body = new URLSearchParams(form).toString();
    } else if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const response = await fetch(baseUrl + urlPath, init);
    const text = await response.text();
    let parsed = text;
    try { parsed = text ? JSON.parse(text) : undefined; } catch { /* not JSON: keep the text */ }
    return { status: response.status, body: parsed, headers: response.headers };
  }

  async function login({ email, password } = ALICE) {
    const response = await call('POST', '/api/auth/login', { body: { email, password } });
    if (response.status !== 200) throw new Error(`login ${email}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.accessToken;
  }

  async function createSession(token, title) {
    const response = await call('POST', '/api/sessions', { token, body: title === undefined ? {} : { title } });
    if (response.status !== 201) throw new Error(`create session: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.sessionId;
  }

  /** Posts messages as admin: `contents` is a list of strings; answers the stored messages. */
  async function adminPost(sessionId, contents) {
    const response = await call('POST', `/api/admin/session/${sessionId}/messages`, {
      headers: { 'x-admin-token': ADMIN_TOKEN },
      body: { messages: contents.map((content) => ({ content })) },
    });
    if (response.status !== 201) throw new Error(`admin post: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.messages;
  }

  return { call, login, createSession, adminPost };
}

export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Runs `node server/src/main.js` as a child process (PORT=0 and PUSHSYNC_DEV=1 unless given) and
 * waits until it listens. `stop()` ends it with SIGTERM (SIGKILL after 5 s); call it in a `finally`/`after`.
 * @returns {Promise<{url: string, child: import('node:child_process').ChildProcess, output: () => string, stop: () => Promise<void>}>}
 */
export async function spawnServer(env) {
  const { spawn } = await import('node:child_process');
  const main = new URL('../../server/src/main.js', import.meta.url).pathname;
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, PUSHSYNC_DEV: '1', PORT: '0', QUIET: '1', ASSISTANT_STEP_MS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  try {
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start within 10 s:\n${output}`)), 10_000);
      child.stdout.on('data', () => {
        const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(output);
        if (match) { clearTimeout(timer); resolve(match[1]); }
      });
      exited.then((code) => { clearTimeout(timer); reject(new Error(`server exited (${code}) during start-up:\n${output}`)); });
    });
    return { url, child, output: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * One HTTP/1.1 request over node:http, for what fetch cannot do: set `Host`, announce a
 * Content-Length and send less (or nothing), stream a body in chunks. Resolves once the answer is
 * read or the connection ends: `{status, headers, body, text, error}` (status undefined and `error`
 * set when the server closed the connection without an answer).
 * @param {string} baseUrl e.g. http://127.0.0.1:3000
 * @param {{method?: string, path?: string, headers?: Record<string,string>, body?: string|Buffer,
 *   chunked?: boolean, timeoutMs?: number}} options
 */
export async function rawRequest(baseUrl, { method = 'GET', path: urlPath = '/', headers = {}, body, chunked = false, timeoutMs = 20_000 } = {}) {
  const http = await import('node:http');
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    let settled = false;
    const done = (result) => { if (!settled) { settled = true; clearTimeout(timer); resolve(result); } };
    const request = http.request({ host: url.hostname, port: url.port, method, path: urlPath, headers, agent: false, setHost: headers.host === undefined && headers.Host === undefined }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed = text;
        try { parsed = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
        done({ status: response.statusCode, headers: response.headers, body: parsed, text });
      });
      response.on('error', (error) => done({ status: response.statusCode, headers: response.headers, error }));
    });
    const timer = setTimeout(() => { request.destroy(); done({ error: new Error(`no answer within ${timeoutMs} ms`) }); }, timeoutMs);
    // The server may answer and close before the body is through (a refused size): the write
    // fails, but the answer may still be on its way. Wait a moment for it before reporting.
    let answering = false;
    request.on('response', () => { answering = true; });
    request.on('error', (error) => {
      if (!answering) setTimeout(() => done({ error }), 500);
    });
    if (body === undefined) request.end();
    else if (!chunked) request.end(body);
    else {
      const data = Buffer.from(body);
      const step = 64 * 1024;
      (async () => {
        for (let at = 0; at < data.length && !request.destroyed; at += step) {
          if (!request.write(data.subarray(at, at + step))) {
            await new Promise((resolve) => {
              const go = () => { request.off('drain', go); request.off('close', go); resolve(); };
              request.on('drain', go).on('close', go);
            });
          }
        }
        request.end();
      })();
    }
  });
}
