// Development-only routes, for the demo page's fault buttons (docs/demo.md). Registered only with
// PUSHSYNC_DEV_ROUTES=1 (toolchain/stack sets it for a local stack; the server's tests and
// production leave it off), which needs development mode (PUSHSYNC_DEV=1; config.js). Each one needs a user's bearer
// token, so a page of another site cannot make a browser call them.
//
//   GET  /api/dev/status                     {sockudo: {up}}
//   POST /api/dev/sockudo/stop               `toolchain/stack stop sockudo`  -> {sockudo: {up}, output}
//   POST /api/dev/sockudo/start              `toolchain/stack start sockudo` -> {sockudo: {up}, output}
//   POST /api/dev/session/:id/burst {count?} the admin batch route (POST /api/admin/session/:id/messages)
//                                            with `count` messages (default 100, at most 1000), the
//                                            admin token staying on the server -> 201 {count, first, last}
import { spawn } from 'node:child_process';
import { ownedSession, requireUser } from '../access.js';
import { HttpError, badRequest } from '../http-error.js';
import { bodyObject, MAX_BATCH, sessionId as sessionIdParam } from '../validation.js';

const STACK_TIMEOUT_MS = 90_000;

// The stack's output names files by absolute path (the run folder, the repository): an answer
// keeps only the last part, "…/sockudo.log", so no error tells a caller where things live.
const ABSOLUTE_PATH = /(?<![\w.:/])(?:\/[^\s/'"`]+)+\/([^\s/'"`]+)/g;
export const withoutPaths = (text) => text.replace(ABSOLUTE_PATH, '…/$1');

export default async function devRoutes(app, deps) {
  const { config, store } = deps;
  let stackQueue = Promise.resolve(); // one stack command at a time

  async function sockudoUp() {
    const { host, port, appId } = config.sockudo;
    try {
      const response = await fetch(`http://${host}:${port}/up/${encodeURIComponent(appId)}`, { signal: AbortSignal.timeout(1000) });
      return response.ok;
    } catch {
      return false;
    }
  }

  function stack(command) {
    const run = stackQueue.then(() => runStack(config.stackScript, [command, 'sockudo']));
    stackQueue = run.catch(() => {});
    return run;
  }

  app.get('/api/dev/status', async (request) => {
    await requireUser(request, deps);
    return { sockudo: { up: await sockudoUp() } };
  });

  for (const command of ['stop', 'start']) {
    app.post(`/api/dev/sockudo/${command}`, async (request) => {
      await requireUser(request, deps);
      const { code, output } = await stack(command);
      const shown = withoutPaths(output.trim());
      if (code !== 0) throw new HttpError(500, 'stack_failed', `toolchain/stack ${command} sockudo failed (${code}): ${shown.slice(-800)}`);
      return { sockudo: { up: await sockudoUp() }, output: shown };
    });
  }

  app.post('/api/dev/session/:id/burst', async (request, reply) => {
    const user = await requireUser(request, deps);
    const session = await ownedSession(store, user, sessionIdParam(request.params.id, 'id'));
    const body = request.body === undefined || request.body === null ? {} : bodyObject(request.body);
    const count = body.count ?? 100;
    if (!Number.isInteger(count) || count < 1 || count > MAX_BATCH) throw badRequest(`'count' must be an integer from 1 to ${MAX_BATCH}`);
    const tag = Math.random().toString(36).slice(2, 6);
    const width = String(count).length;
    const messages = Array.from({ length: count }, (_, i) => ({
      role: 'assistant',
      status: 'success',
      content: `Burst ${tag} · ${String(i + 1).padStart(width, '0')}/${count}`,
    }));
    const answer = await app.inject({
      method: 'POST',
      url: `/api/admin/session/${session.sessionId}/messages`,
      // The caller's Host, which the Host allow-list (limits.js) admitted already.
      headers: { 'x-admin-token': config.adminToken, 'content-type': 'application/json', host: request.headers.host },
      payload: JSON.stringify({ messages }),
    });
    const result = answer.json();
    if (answer.statusCode !== 201) return reply.code(answer.statusCode).send(result);
    const stored = result.messages;
    reply.code(201);
    return { count: stored.length, tag, first: stored[0].sequenceNumber, last: stored.at(-1).sequenceNumber };
  });
}

/** Runs the stack script in its own process group (Sockudo must not share the server's). */
function runStack(script, args) {
  return new Promise((resolve) => {
    let output = '';
    let child;
    try {
      child = spawn(script, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    } catch (error) {
      resolve({ code: -1, output: String(error) });
      return;
    }
    const timer = setTimeout(() => {
      output += `\n(timed out after ${STACK_TIMEOUT_MS / 1000} s)`;
      child.kill('SIGTERM'); // the script only: Sockudo, if it started, belongs to the stack now
    }, STACK_TIMEOUT_MS);
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('error', (error) => { output += String(error); });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output });
    });
  });
}
