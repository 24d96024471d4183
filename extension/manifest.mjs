// The extension's manifest, built from the settings the build was made with (build.mjs).
// Permissions are the least the extension needs: storage (settings, token, the engine's persisted
// state), alarms (waking the worker), and the API's host for fetch. The WebSocket to Sockudo needs
// no host permission. The CSP adds only 'wasm-unsafe-eval', which compiling the engine needs.

/** `http://127.0.0.1:3000` -> `http://127.0.0.1/*`: Chrome match patterns cover every port of a host
 * when they name none, so moving the API to another port in the options needs no new build. */
export function hostPattern(apiBase) {
  const url = new URL(apiBase);
  return `${url.protocol}//${url.hostname}/*`;
}

export function manifest({ apiBase, version }) {
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
    host_permissions: [hostPattern(apiBase)],
    content_security_policy: {
      extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'",
    },
  };
}
