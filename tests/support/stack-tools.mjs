// Shared by the JavaScript tests and the benchmarks that start a stack of their own: the REST call
// they make as a client or as the server's admin, and the cleanup of a stack's processes.
import fs from 'node:fs';
import path from 'node:path';

/** The admin token of the reference server's development defaults (docs/server.md). */
export const ADMIN_TOKEN = 'pushsync-admin';

/** `call(method, route, {token, body, admin})`: JSON in and out, an Error naming the route on failure. */
export function restCall(apiBase) {
  return async function call(method, route, { token, body, admin = false } = {}) {
    const headers = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (admin) headers['x-admin-token'] = ADMIN_TOKEN;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(apiBase + route, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : undefined;
  };
}

/** Ends what a stack's PID files name, if it is still ours (the command line matches), at once. */
export function killLeftovers(runDir) {
  for (const [part, signature] of [['server', 'server/src/main.js'], ['sockudo', 'sockudo']]) {
    try {
      const pid = Number(fs.readFileSync(path.join(runDir, `${part}.pid`), 'utf8').trim());
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (pid > 0 && cmdline.includes(signature)) process.kill(pid, 'SIGKILL');
    } catch { /* no PID file, or the process is gone */ }
  }
}
