// The extension's host rules, as pure functions (extension/src/shared/hosts.js): which hosts are
// loopback, when TLS is on by default, which host permissions a set of settings needs, which
// origins the options page warns about, and the manifest built from them (extension/manifest.mjs).
// No browser, no build: `node --test tests/extension/`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { manifest } from '../../extension/manifest.mjs';
import {
  LOOPBACK_HOST_PERMISSIONS,
  OPTIONAL_HOST_PERMISSIONS,
  defaultTls,
  isLoopbackHost,
  parseApiBase,
  parseHost,
  requiredOrigins,
  unencryptedOrigins,
} from '../../extension/src/shared/hosts.js';

test('loopback: 127.0.0.0/8, localhost and ::1, in any spelling the URL parser accepts', () => {
  for (const host of ['127.0.0.1', '127.255.255.254', '127.1', '0x7f.0.0.1', 'localhost', 'LocalHost', '::1', '[::1]', '0:0:0:0:0:0:0:1']) {
    assert.equal(isLoopbackHost(host), true, host);
  }
  for (const host of ['128.0.0.1', '126.255.255.255', '10.0.0.1', '192.168.1.10', '0.0.0.0', 'example.com', 'localhost.example.com', '127.0.0.1.nip.io', '::2', '[::]']) {
    assert.equal(isLoopbackHost(host), false, host);
  }
  // Not a host at all: never loopback (and so never exempt from TLS).
  for (const text of ['', 'ws://127.0.0.1', '127.0.0.1:3005', 'local host']) assert.equal(isLoopbackHost(text), false, text);
});

test('TLS is on by default except for a loopback push host', () => {
  assert.equal(defaultTls('127.0.0.1'), false);
  assert.equal(defaultTls('localhost'), false);
  assert.equal(defaultTls('::1'), false);
  assert.equal(defaultTls('ws.example.com'), true);
  assert.equal(defaultTls('10.0.0.5'), true);
  assert.equal(defaultTls('127.0.0.2'), false);
});

test('a host is a bare name or address: canonical form, or null with a scheme, port or path', () => {
  assert.equal(parseHost(' WS.Example.COM '), 'ws.example.com');
  assert.equal(parseHost('127.1'), '127.0.0.1');
  assert.equal(parseHost('::1'), '[::1]');
  assert.equal(parseHost('[2001:db8::1]'), '[2001:db8::1]');
  for (const text of ['', ' ', 'wss://ws.example.com', 'ws.example.com:443', '[::1]:3005', 'ws.example.com/app', 'user@host', '127.0.0.300']) {
    assert.equal(parseHost(text), null, text);
  }
});

test('the API base is an http(s) URL, kept as typed without its trailing slashes', () => {
  assert.equal(parseApiBase('https://chat.example.com/'), 'https://chat.example.com');
  assert.equal(parseApiBase('http://127.0.0.1:3000'), 'http://127.0.0.1:3000');
  assert.equal(parseApiBase(' https://example.com/prefix// '), 'https://example.com/prefix');
  for (const text of ['', 'chat.example.com', 'ftp://example.com', 'wss://example.com', 'https://']) assert.equal(parseApiBase(text), null, text);
});

test('required origins: the API origin and the socket origin, as portless match patterns', () => {
  assert.deepEqual(requiredOrigins({ apiBase: 'http://127.0.0.1:3000', wsHost: '127.0.0.1', wsTls: false }), ['http://127.0.0.1/*', 'ws://127.0.0.1/*']);
  assert.deepEqual(requiredOrigins({ apiBase: 'https://Chat.Example.com:8443/api', wsHost: 'ws.example.com', wsTls: true }), [
    'https://chat.example.com/*',
    'wss://ws.example.com/*',
  ]);
  // TLS off on a remote host is the user's choice: the pattern follows it.
  assert.deepEqual(requiredOrigins({ apiBase: 'https://example.com', wsHost: 'example.com', wsTls: false }), ['https://example.com/*', 'ws://example.com/*']);
  assert.deepEqual(requiredOrigins({ apiBase: 'http://[::1]:3000', wsHost: '::1', wsTls: false }), ['http://[::1]/*', 'ws://[::1]/*']);
  // No socket host: poll only, nothing to ask for it.
  assert.deepEqual(requiredOrigins({ apiBase: 'https://example.com', wsHost: '', wsTls: true }), ['https://example.com/*']);
});

test('loopback settings need no grant, with TLS or without: the manifest holds their origins', () => {
  for (const host of ['127.0.0.1', 'localhost', '::1']) {
    for (const [scheme, wsTls] of [['http', false], ['https', true]]) {
      const apiBase = `${scheme}://${parseHost(host)}:3000`;
      for (const origin of requiredOrigins({ apiBase, wsHost: host, wsTls })) {
        assert.ok(LOOPBACK_HOST_PERMISSIONS.includes(origin), `${origin} is not granted in the manifest`);
      }
    }
  }
});

test('unencrypted origins: plain http or ws to a host that is not loopback, and nothing else', () => {
  assert.deepEqual(unencryptedOrigins({ apiBase: 'http://127.0.0.1:3000', wsHost: '127.0.0.1', wsTls: false }), []);
  assert.deepEqual(unencryptedOrigins({ apiBase: 'https://chat.example.com', wsHost: 'ws.example.com', wsTls: true }), []);
  assert.deepEqual(unencryptedOrigins({ apiBase: 'http://chat.example.com:3000', wsHost: 'ws.example.com', wsTls: false }), [
    'http://chat.example.com:3000',
    'ws://ws.example.com',
  ]);
  assert.deepEqual(unencryptedOrigins({ apiBase: 'https://chat.example.com', wsHost: '10.0.0.5', wsTls: false }), ['ws://10.0.0.5']);
  assert.deepEqual(unencryptedOrigins({ apiBase: 'http://localhost:3000', wsHost: 'ws.example.com', wsTls: true }), []);
});

test('the manifest: loopback and the build defaults granted, every other host optional', () => {
  const dev = manifest({ defaults: { apiBase: 'http://127.0.0.1:3000', wsHost: '127.0.0.1', wsTls: false }, version: '0.1.0' });
  assert.deepEqual(dev.host_permissions, LOOPBACK_HOST_PERMISSIONS);
  assert.equal(dev.host_permissions.length, 12, 'three loopback hosts, four schemes each');
  assert.ok(dev.host_permissions.includes('wss://127.0.0.1/*'), 'TLS on loopback needs no prompt');
  assert.deepEqual(dev.optional_host_permissions, ['https://*/*', 'http://*/*', 'wss://*/*', 'ws://*/*']);
  assert.deepEqual(OPTIONAL_HOST_PERMISSIONS, dev.optional_host_permissions);
  const production = manifest({ defaults: { apiBase: 'https://chat.example.com', wsHost: 'ws.example.com', wsTls: true }, version: '0.1.0' });
  assert.deepEqual(production.host_permissions, [...LOOPBACK_HOST_PERMISSIONS, 'https://chat.example.com/*', 'wss://ws.example.com/*']);
});
