// The createSync options that point a Sync at the stub servers (support/app-server.mjs and
// support/pusher-server.mjs), shared by the tests that drive a real Sync against them.

/** `extra` is spread over the base options. */
export function stubSyncOptions(app, pusher, extra = {}) {
  return {
    apiBase: app.url,
    wsHost: '127.0.0.1',
    wsPort: pusher.port,
    key: pusher.key,
    token: 'token-1',
    jitterSeed: 7,
    ...extra,
  };
}
