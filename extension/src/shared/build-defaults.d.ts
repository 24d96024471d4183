// Replaced at build time by esbuild's `define` (build.mjs) with the settings read from the
// environment: API_BASE, PUSHER_KEY, WS_HOST, WS_PORT, PUSHER_PROTOCOL. TLS follows the host.
declare const __PUSHSYNC_DEFAULTS__: {
  apiBase: string;
  pusherKey: string;
  wsHost: string;
  wsPort: number;
  protocol: 7 | 2;
};
