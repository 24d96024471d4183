// One Sockudo and the reference app server for a benchmark: toolchain/stack with a run folder of
// its own (bench/out/stack-<name>) on the bench's ports (3400 app server, 3405 Sockudo, unless
// BENCH_PORT / BENCH_SOCKUDO_PORT say otherwise). Whatever happens, `down()` (also run on exit and
// on SIGINT/SIGTERM) stops what it started, by the PIDs in its run folder.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { OUT, ROOT } from './env.mjs';
import { stoppable } from './stoppable.mjs';
import { ADMIN_TOKEN, killLeftovers, restCall } from '../../tests/support/stack-tools.mjs';

export { ADMIN_TOKEN };

const run = promisify(execFile);
export const APP_KEY = 'pushsync-key';


export async function startStack(name, extraEnv = {}) {
  const runDir = path.join(OUT, `stack-${name}`);
  fs.rmSync(runDir, { recursive: true, force: true });
  fs.mkdirSync(runDir, { recursive: true });
  const env = {
    ...process.env,
    RUN_DIR: runDir,
    PORT: process.env.BENCH_PORT ?? '3400',
    SOCKUDO_PORT: process.env.BENCH_SOCKUDO_PORT ?? '3405',
    STACK_NO_INSTALL: '1',
    QUIET: '1',
    PUSHSYNC_DEV_ROUTES: '0',
    ...extraEnv,
  };
  const stack = (command) => run(path.join(ROOT, 'toolchain', 'stack'), [command], { env, timeout: 120_000 });
  const down = stoppable(() => killLeftovers(runDir),
    () => stack('down').catch((error) => console.error(`stack down: ${error.stderr ?? error}`)));
  try {
    await stack('up');
  } catch (error) {
    const log = (part) => { try { return fs.readFileSync(path.join(runDir, `${part}.log`), 'utf8').split('\n').slice(-20).join('\n'); } catch { return ''; } };
    await down();
    throw new Error(`toolchain/stack up failed on ports ${env.PORT}/${env.SOCKUDO_PORT} (another stack on them?):\n${error.stdout ?? ''}${error.stderr ?? error}\n${log('sockudo')}\n${log('server')}`);
  }
  const apiBase = `http://127.0.0.1:${env.PORT}`;
  return { runDir, apiBase, port: Number(env.PORT), sockudoPort: Number(env.SOCKUDO_PORT), api: apiClient(apiBase), down };
}

export function apiClient(apiBase) {
  const call = restCall(apiBase);
  return {
    call,
    login: async (email = 'alice@example.com', password = 'alice-password') => (await call('POST', '/api/auth/login', { body: { email, password } })).accessToken,
    createSession: async (token) => (await call('POST', '/api/sessions', { token, body: {} })).sessionId,
    postOne: (sessionId, message) => call('POST', `/api/admin/session/${sessionId}/messages`, { admin: true, body: message }),
    postBatch: (sessionId, messages) => call('POST', `/api/admin/session/${sessionId}/messages`, { admin: true, body: { messages } }),
  };
}
