// Builds the unpacked extension into dist/: the service worker (the glue and the ES6 WebAssembly
// build bundled in, the .wasm file beside it), the popup, options and debug pages, and the
// manifest. Settings defaults come from the environment: API_BASE, PUSHER_KEY, WS_HOST, WS_PORT
// (the options page overrides each at run time). Needs js-glue built with its wasm
// (toolchain/build-extension does both).
// Usage: node build.mjs
import { build } from 'esbuild';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { manifest } from './manifest.mjs';
import { defaultTls, parseApiBase, parseHost } from './src/shared/hosts.js';

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');
const fail = (message) => {
  console.error(`extension build: ${message}`);
  process.exit(1);
};

function defaults(env) {
  const apiBase = parseApiBase(env.API_BASE || 'http://127.0.0.1:3000');
  if (apiBase === null) fail(`API_BASE must be an http(s) URL, got '${env.API_BASE}'`);
  const wsHost = parseHost(env.WS_HOST || '127.0.0.1');
  if (wsHost === null) fail(`WS_HOST must be a host name or address without scheme or port, got '${env.WS_HOST}'`);
  const wsPort = Number(env.WS_PORT || 3005);
  if (!Number.isInteger(wsPort) || wsPort < 1 || wsPort > 65535) fail(`WS_PORT must be 1-65535, got '${env.WS_PORT}'`);
  const protocol = Number(env.PUSHER_PROTOCOL || 7);
  if (protocol !== 7 && protocol !== 2) fail(`PUSHER_PROTOCOL must be 7 or 2, got '${env.PUSHER_PROTOCOL}'`);
  return { apiBase, pusherKey: env.PUSHER_KEY || 'pushsync-key', wsHost, wsPort, protocol };
}

// The glue package (workspace js-glue) and the module that toolchain/build-wasm put in it.
const require = createRequire(import.meta.url);
const glue = dirname(require.resolve('pushsync/package.json'));
const wasm = join(glue, 'dist', 'wasm', 'pushsync.wasm');
for (const file of [join(glue, 'dist', 'index.js'), join(glue, 'dist', 'wasm', 'pushsync.mjs'), wasm]) {
  if (!existsSync(file)) fail(`${relative(process.cwd(), file)} is missing: run toolchain/build-extension (it builds the wasm and js-glue)`);
}

const settings = defaults(process.env);
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'wasm'), { recursive: true });

await build({
  entryPoints: {
    worker: join(root, 'src/worker/background.ts'),
    popup: join(root, 'src/popup/popup.ts'),
    options: join(root, 'src/options/options-page.ts'),
    debug: join(root, 'src/debug/debug-page.ts'),
  },
  outdir: dist,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'chrome116',
  sourcemap: 'linked',
  // module.js reads the .wasm with node:fs only under Node; that branch never runs here.
  external: ['node:*'],
  define: { __PUSHSYNC_DEFAULTS__: JSON.stringify(settings) },
  logLevel: 'warning',
});

// popup.html's first script is a classic one (it runs while the page is parsed, a module only
// after): its own bundle, an IIFE (src/popup/popup-early.ts).
await build({
  entryPoints: { 'popup-early': join(root, 'src/popup/popup-early.ts') },
  outdir: dist,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'chrome116',
  sourcemap: 'linked',
  define: { __PUSHSYNC_DEFAULTS__: JSON.stringify(settings) },
  logLevel: 'warning',
});

cpSync(join(root, 'static'), dist, { recursive: true });
copyFileSync(wasm, join(dist, 'wasm', 'pushsync.wasm'));
// TLS is not a build setting: it follows the host unless the user overrides it (settings.ts).
const wsTls = defaultTls(settings.wsHost);
writeFileSync(join(dist, 'manifest.json'), `${JSON.stringify(manifest({ defaults: { ...settings, wsTls }, version }), null, 2)}\n`);

const size = (name) => statSync(join(dist, name)).size;
console.log(
  `extension built: ${dist}\n` +
    `  defaults: API ${settings.apiBase}, ${wsTls ? 'wss' : 'ws'}://${settings.wsHost}:${settings.wsPort}, key ${settings.pusherKey}, protocol ${settings.protocol}\n` +
    `  worker.js ${size('worker.js')} B, wasm/pushsync.wasm ${size('wasm/pushsync.wasm')} B, popup.js ${size('popup.js')} B, popup-early.js ${size('popup-early.js')} B\n` +
    `  load it: chrome://extensions -> Developer mode -> Load unpacked -> ${dist}`,
);
