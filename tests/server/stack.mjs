// Helpers for the tests that run the real Sockudo: an isolated stack (toolchain/stack with its own
// run folder and free ports) and a raw Pusher-protocol client over the `ws` package.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { tempDir } from './helpers.mjs';

const run = promisify(execFile);
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const STACK = path.join(ROOT, 'toolchain', 'stack');

let binary;
/**
 * The Sockudo binary: $SOCKUDO_BIN, or what toolchain/install-sockudo answers (it builds Sockudo
 * when it is missing: 15-30 minutes, once per machine).
 */
export async function sockudoBinary() {
  if (!binary) {
    binary = process.env.SOCKUDO_BIN
      || (await run(path.join(ROOT, 'toolchain', 'install-sockudo'), { maxBuffer: 64 << 20 })).stdout.trim().split('\n').at(-1);
  }
  return binary;
}

/** A TCP port that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Runs `toolchain/stack <command>` for an isolated stack.
 * @returns {Promise<{code: number, stdout: string, stderr: string}>}
 */
export async function stackCommand(command, env) {
  try {
    const { stdout, stderr } = await run(STACK, [command], { env: { ...process.env, ...env }, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    return { code: error.code ?? 1, stdout: error.stdout ?? '', stderr: error.stderr ?? String(error) };
  }
}

/**
 * An isolated stack: its own run folder, free ports, no installs (STACK_NO_INSTALL: the test
 * runner installs beforehand; an `npm ci` in the middle of a test run would pull node_modules
 * from under the running tests). `down()` stops it and removes the folder.
 */
export async function isolatedStack(extraEnv = {}) {
  const tmp = tempDir('pushsync-stack-');
  const env = {
    RUN_DIR: tmp.dir,
    SOCKUDO_PORT: String(await freePort()),
    PORT: String(await freePort()),
    SOCKUDO_BIN: await sockudoBinary(),
    STACK_NO_INSTALL: '1',
    QUIET: '1',
    ASSISTANT_STEP_MS: '20',
    ...extraEnv,
  };
  return {
    env,
    runDir: tmp.dir,
    sockudoPort: Number(env.SOCKUDO_PORT),
    url: `http://127.0.0.1:${env.PORT}`,
    command: (name, more = {}) => stackCommand(name, { ...env, ...more }),
    async down() {
      const result = await stackCommand('down', env);
      tmp.remove();
      return result;
    },
  };
}

/**
 * A raw Pusher-protocol client: connects, reads socket_id, subscribes with an auth signature, and
 * collects every frame (with `data` decoded) for the tests to wait on.
 */
export async function pusherClient(port, { protocol = 7, key = 'pushsync-key' } = {}) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/app/${key}?protocol=${protocol}&client=test&version=1`);
  const frames = [];
  const waiters = new Set();
  ws.on('message', (raw) => {
    const frame = JSON.parse(raw.toString());
    if (typeof frame.data === 'string') {
      try { frame.data = JSON.parse(frame.data); } catch { /* plain string data */ }
    }
    frames.push(frame);
    for (const waiter of waiters) waiter();
  });
  const closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)));

  /** Resolves with the first frame (from index `from`) that `match` accepts. */
  function waitFor(match, { from = 0, timeoutMs = 5000, what = 'a frame' } = {}) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = frames.slice(from).find(match);
        if (found) { done(); resolve(found); }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(frames).slice(0, 2000)}`));
      }, timeoutMs);
      const done = () => { clearTimeout(timer); waiters.delete(check); };
      waiters.add(check);
      check();
    });
  }

  const prefix = protocol === 2 ? 'sockudo' : 'pusher';
  const established = await waitFor((f) => f.event === `${prefix}:connection_established`, { what: 'connection_established' });
  return {
    ws,
    frames,
    waitFor,
    closed,
    socketId: established.data.socket_id,
    established: established.data,
    send: (event, data, extra = {}) => ws.send(JSON.stringify({ event, data, ...extra })),
    subscribe(channel, auth) {
      const from = frames.length;
      ws.send(JSON.stringify({ event: `${prefix}:subscribe`, data: { channel, auth } }));
      return waitFor((f) => f.event === `${prefix}_internal:subscription_succeeded` && f.channel === channel, { from, what: `subscription to ${channel}` });
    },
    close() {
      ws.close();
      return closed;
    },
  };
}
