// The built manifest asks for no more than the extension needs (no browser needed for this one).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { EXTENSION_DIR } from './helpers.mjs';

const manifest = JSON.parse(fs.readFileSync(path.join(EXTENSION_DIR, 'manifest.json'), 'utf8'));

test('Manifest V3, Chrome 116 or later, a module service worker', () => {
  assert.equal(manifest.manifest_version, 3);
  assert.equal(manifest.minimum_chrome_version, '116');
  assert.deepEqual(manifest.background, { service_worker: 'worker.js', type: 'module' });
  assert.equal(manifest.action.default_popup, 'popup.html');
  assert.equal(manifest.options_ui.page, 'options.html');
});

test('the CSP adds only wasm-unsafe-eval; permissions are storage and alarms', () => {
  assert.deepEqual(manifest.content_security_policy, { extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'" });
  assert.deepEqual(manifest.permissions, ['storage', 'alarms']);
});

test('host permissions: loopback at install, any other host optional', () => {
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].flatMap((host) => ['https', 'http', 'wss', 'ws'].map((scheme) => `${scheme}://${host}/*`));
  assert.deepEqual(manifest.host_permissions.slice(0, loopback.length), loopback);
  // A build made for another host (API_BASE, WS_HOST) grants its own origins too, and only those:
  // the API's and the socket's, each one host on one scheme, any port.
  const extra = manifest.host_permissions.slice(loopback.length);
  assert.ok(extra.length <= 2, `more than the build's two default origins: ${extra}`);
  for (const origin of extra) assert.match(origin, /^(https?|wss?):\/\/[^/*]+\/\*$/);
  assert.deepEqual(manifest.optional_host_permissions, ['https://*/*', 'http://*/*', 'wss://*/*', 'ws://*/*']);
  assert.equal(manifest.optional_permissions, undefined);
});

test('every file the manifest and the pages name is in the build', () => {
  for (const file of ['worker.js', 'popup.html', 'popup.js', 'popup-early.js', 'options.html', 'options.js', 'debug.html', 'debug.js', 'styles.css', 'wasm/pushsync.wasm']) {
    assert.ok(fs.existsSync(path.join(EXTENSION_DIR, file)), `${file} is missing from ${EXTENSION_DIR}`);
  }
  for (const page of ['popup.html', 'options.html', 'debug.html']) {
    const html = fs.readFileSync(path.join(EXTENSION_DIR, page), 'utf8');
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)/, `${page} has an inline script (the CSP forbids it)`);
  }
  const worker = fs.readFileSync(path.join(EXTENSION_DIR, 'worker.js'), 'utf8');
  assert.doesNotMatch(worker, /new Function\(/, 'the worker bundle must not need eval (link with -sDYNAMIC_EXECUTION=0)');
});
