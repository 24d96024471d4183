// `pushsync watch` and `pushsync record`: a Sync configured like the extension's service worker
// (keepalive 20 s, a view visible), printing its events as NDJSON until the duration elapses or a
// signal arrives, then the store as a last snapshot line. record also writes each received frame.
import { closeSync, openSync, writeSync } from 'node:fs';
import { createSync, type Sync } from '../sync.js';
import { memoryStorage } from '../storage.js';
import { number, optionalString, parse, required, type OptionSpec } from './args.js';
import { Failure, UsageError } from './errors.js';
import { line } from './output.js';

const CONNECT_SPEC: OptionSpec = {
  api: { type: 'string' },
  'ws-host': { type: 'string' },
  'ws-port': { type: 'string' },
  'ws-tls': { type: 'boolean' },
  key: { type: 'string' },
  token: { type: 'string' },
  email: { type: 'string' },
  password: { type: 'string' },
  session: { type: 'string' },
  protocol: { type: 'string' },
  keepalive: { type: 'string' },
  duration: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

export async function watch(command: 'watch' | 'record', argv: string[]): Promise<number> {
  const spec: OptionSpec = command === 'record' ? { ...CONNECT_SPEC, out: { type: 'string' } } : CONNECT_SPEC;
  const values = parse(command, argv, spec);
  const api = required(command, values, 'api').replace(/\/+$/, '');
  const wsHost = required(command, values, 'ws-host');
  const wsPort = number(command, values, 'ws-port', { integer: true, min: 1, max: 65535 });
  if (wsPort === undefined) throw new UsageError('--ws-port is required', command);
  const key = required(command, values, 'key');
  const session = required(command, values, 'session');
  const protocol = number(command, values, 'protocol', { integer: true, min: 2, max: 7 });
  if (protocol !== undefined && protocol !== 7 && protocol !== 2) throw new UsageError('--protocol must be 7 or 2', command);
  const keepalive = number(command, values, 'keepalive', { min: 1 });
  const duration = number(command, values, 'duration', { min: 0 });
  const credentials = readCredentials(command, values);
  const out = command === 'record' ? required(command, values, 'out') : undefined;

  const token = 'token' in credentials ? credentials.token : await login(api, credentials.email, credentials.password);
  const recording = out !== undefined ? openRecording(out) : undefined;
  const sync = createSync({
    apiBase: api,
    wsHost,
    wsPort,
    wsTls: values['ws-tls'] === true,
    key,
    ...(protocol !== undefined ? { protocol: protocol as 7 | 2 } : {}),
    ...(keepalive !== undefined ? { keepaliveSeconds: keepalive } : {}),
    token,
    storage: memoryStorage(),
    ...(recording ? { onFrame: recording.write } : {}),
  });
  print(sync);
  try {
    await sync.ready;
  } catch (error) {
    await sync.destroy();
    recording?.close();
    throw new Failure((error as Error).message);
  }
  sync.selectSession(session);
  await stopped(duration);
  line({ type: 'snapshot', sessionId: sync.sessionId(), messages: sync.readMessages() });
  await sync.destroy();
  recording?.close();
  return 0;
}

type Credentials = { token: string } | { email: string; password: string };

function readCredentials(command: string, values: Record<string, string | boolean | undefined>): Credentials {
  const token = optionalString(values, 'token');
  const email = optionalString(values, 'email');
  const password = optionalString(values, 'password');
  if (token !== undefined && (email !== undefined || password !== undefined)) {
    throw new UsageError('give either --token or --email with --password, not both', command);
  }
  if (token !== undefined) return { token };
  if (email === undefined || password === undefined) {
    throw new UsageError('--token, or --email with --password, is required', command);
  }
  return { email, password };
}

/** POST /api/auth/login {email, password} -> {accessToken}. */
async function login(api: string, email: string, password: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(`${api}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ email, password }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new Failure(`login failed: cannot reach ${api} (${cause ?? (error as Error).message})`);
  }
  const body = await response.text().catch(() => '');
  if (!response.ok) throw new Failure(`login failed: HTTP ${response.status} ${body.slice(0, 200)}`);
  let token: unknown;
  try {
    token = (JSON.parse(body) as { accessToken?: unknown }).accessToken;
  } catch {
    token = undefined;
  }
  if (typeof token !== 'string' || token === '') throw new Failure('login failed: the answer has no accessToken');
  return token;
}

function print(sync: Sync): void {
  sync.on('state', ({ state, reason }) => line({ type: 'state', state, reason }));
  sync.on('messages', ({ diff, inserted, updated }) => {
    for (const message of inserted) line({ type: 'message', sessionId: diff.sessionId, change: 'inserted', message });
    for (const message of updated) line({ type: 'message', sessionId: diff.sessionId, change: 'updated', message });
  });
  sync.on('typing', (typing) => line({ type: 'typing', ...typing }));
  sync.on('error', ({ code, message }) => line({ type: 'error', code, message }));
}

/** Frames as received, one a line. A frame is JSON text: a raw line break in it can only be
 *  whitespace between tokens, so replacing it keeps the frame intact and the file line-based. */
function openRecording(path: string): { write: (frame: string) => void; close: () => void } {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (error) {
    throw new Failure(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let open = true;
  return {
    write(frame) {
      if (open) writeSync(fd, (/[\r\n]/.test(frame) ? frame.replace(/[\r\n]+/g, ' ') : frame) + '\n');
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

/** Resolves when the duration elapsed or on SIGINT/SIGTERM, whichever comes first. */
function stopped(duration: number | undefined): Promise<void> {
  return new Promise((resolve) => {
    // The handlers stay: a second signal (a terminal's Ctrl-C reaches both this process and the
    // launcher that forwards it) must not kill the process before the snapshot is out.
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = duration !== undefined ? setTimeout(done, duration * 1000) : undefined;
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
