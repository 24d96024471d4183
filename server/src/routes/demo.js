// The demo page (docs/demo.md): two clients of the WASM core side by side, served from the folder
// toolchain/build-demo writes (DEMO_DIR, default demo/dist/), plus the settings the page needs.
//
//   GET /demo/              the page (index.html)
//   GET /demo/config.json   {key, wsHost, wsPort, wsTls, devRoutes}: where Sockudo is, for the browser
//   GET /demo/<file>        the page's scripts, styles and pushsync.wasm
//
// Every answer carries a strict Content-Security-Policy: scripts from this origin only (no inline
// code), WebAssembly compilation, WebSockets to Sockudo and nothing else. The host the CSP and
// config.json name is the request's Host, which the Host allow-list (limits.js, ALLOWED_HOSTS)
// has already checked: a rebound name of another site never gets here.
//
// Only regular files inside the folder are served: no dot files, no symbolic links (a link could
// lead anywhere on the machine), and errors never name the folder's absolute path.
import fs from 'node:fs/promises';
import { constants } from 'node:fs';
import path from 'node:path';
import { notFound } from '../http-error.js';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export default async function demoRoutes(app, { config }) {
  const root = config.demoDir;

  /**
   * The host a browser reaches Sockudo at: Sockudo's own host, unless that is a loopback address
   * (the usual local stack), where it is the host the page was loaded from (127.0.0.1 or localhost).
   */
  function wsHostFor(request) {
    if (!LOOPBACK.has(config.sockudo.host)) return config.sockudo.host;
    const asked = request.hostname;
    return /^[A-Za-z0-9.-]{1,253}$/.test(asked) || /^\[[0-9A-Fa-f:.]+\]$/.test(asked) ? asked : config.sockudo.host;
  }

  function secure(reply, request) {
    const ws = `ws://${wsHostFor(request)}:${config.sockudo.port}`;
    reply.header('content-security-policy', [
      "default-src 'none'",
      "script-src 'self' 'wasm-unsafe-eval'",
      "worker-src 'self'",
      `connect-src 'self' ${ws}`,
      "style-src 'self'",
      "img-src 'self' data:",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '));
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cache-control', 'no-cache');
  }

  async function sendFile(request, reply, relative) {
    // Plain names only: no dot files, no way out of the folder.
    const parts = relative.split('/');
    if (parts.some((part) => part === '' || part.startsWith('.') || part.includes('\\'))) {
      throw notFound(`no file /demo/${relative}`);
    }
    const file = path.join(root, ...parts);
    if (!file.startsWith(root + path.sep)) throw notFound(`no file /demo/${relative}`);
    const body = await readPlainFile(root, parts);
    if (body === undefined) {
      if (relative === 'index.html') {
        secure(reply, request);
        return reply.code(404).type('text/plain; charset=utf-8')
          .send('The demo page is not built (DEMO_DIR has no index.html): run toolchain/build-demo\n');
      }
      throw notFound(`no file /demo/${relative}`);
    }
    secure(reply, request);
    return reply.type(TYPES[path.extname(file)] ?? 'application/octet-stream').send(body);
  }

  app.get('/demo', async (request, reply) => reply.redirect('/demo/'));
  app.get('/demo/', async (request, reply) => sendFile(request, reply, 'index.html'));
  app.get('/demo/config.json', async (request, reply) => {
    secure(reply, request);
    return {
      key: config.sockudo.key,
      wsHost: wsHostFor(request),
      wsPort: config.sockudo.port,
      wsTls: false,
      devRoutes: config.devRoutes,
    };
  });
  app.get('/demo/*', async (request, reply) => sendFile(request, reply, request.params['*'].split('?')[0]));
}

/**
 * The bytes of `root/parts...` when that is a regular file reached without a symbolic link (the
 * folder itself may be one: DEMO_DIR is the operator's choice); undefined otherwise.
 */
async function readPlainFile(root, parts) {
  let handle;
  try {
    const realRoot = await fs.realpath(root);
    const expected = path.join(realRoot, ...parts);
    // realpath resolves every link on the way: any link inside the folder changes the answer.
    if (await fs.realpath(expected) !== expected) return undefined;
    // O_NOFOLLOW: a link put in place since the check is refused, not followed.
    handle = await fs.open(expected, constants.O_RDONLY | constants.O_NOFOLLOW);
    if (!(await handle.stat()).isFile()) return undefined;
    return await handle.readFile();
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}
