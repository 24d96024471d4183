// The extension's manifest, built from the settings the build was made with (build.mjs).
// Permissions are the least the extension needs: storage (settings, token, the engine's persisted
// state), alarms (waking the worker), and host permissions. Granted at install: the loopback hosts
// (the development stack) on http, https, ws and wss, and the origins of the build's default
// settings, so a build made for a production host works at once. Any other host is optional: the
// options page asks for exactly its origins when the user saves settings that point there. The
// CSP adds only 'wasm-unsafe-eval', which compiling the engine needs.
import { LOOPBACK_HOST_PERMISSIONS, OPTIONAL_HOST_PERMISSIONS, requiredOrigins } from './src/shared/hosts.js';

/** @param {{ defaults: { apiBase: string, wsHost: string, wsTls: boolean }, version: string }} options */
export function manifest({ defaults, version }) {
  return {
    manifest_version: 3,
    name: 'pushsync',
    version,
    description: 'Real-time chat message sync: one WebAssembly sync engine in the service worker, push over Sockudo with REST fallback.',
    minimum_chrome_version: '116',
    background: { service_worker: 'worker.js', type: 'module' },
    action: { default_title: 'pushsync', default_popup: 'popup.html' },
    options_ui: { page: 'options.html', open_in_tab: true },
    permissions: ['storage', 'alarms'],
    host_permissions: [...new Set([...LOOPBACK_HOST_PERMISSIONS, ...requiredOrigins(defaults)])],
    optional_host_permissions: OPTIONAL_HOST_PERMISSIONS,
    content_security_policy: {
      extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'",
    },
  };
}
