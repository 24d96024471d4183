// What createSync accepts, and how it becomes the engine's configuration (json_io.h names).
import type { LoadOptions } from './module.js';
import type { Storage } from './storage.js';
import type { FetchFunction } from './http.js';
import type { PushsyncModule } from './wasm/pushsync.mjs';

export type TokenSource = () => string | null | undefined | Promise<string | null | undefined>;

export interface SyncOptions {
  /** The app server, e.g. "http://127.0.0.1:3000" (REST and channel auth). */
  apiBase: string;
  /** The Pusher-protocol server (Sockudo); an empty host means poll only. */
  wsHost: string;
  wsPort: number;
  wsTls?: boolean;
  /** The Pusher app key. */
  key: string;
  /** 7: the Pusher protocol (any Pusher server); 2: Sockudo V2 with resume. Default 7. */
  protocol?: 7 | 2;
  /**
   * Ping after this much silence while a view is visible. Default 20: an MV3 service worker is
   * stopped after 30 s without socket traffic.
   */
  keepaliveSeconds?: number;
  /**
   * The bearer token; or `getToken`, asked at start and again after "Auth failed". Given both, the
   * token is used at the start and `getToken` for renewals (a host that has just read the token).
   */
  token?: string | null;
  getToken?: TokenSource;
  /** Where the engine's persisted state goes. Default: memory (nothing survives the process). */
  storage?: Storage;
  /** Default: the global fetch. */
  fetch?: FetchFunction;
  /** A loaded module (or its promise), or how to load it. Default: `loadModule()`. */
  module?: PushsyncModule | Promise<PushsyncModule> | LoadOptions;
  /** Seeds the reconnect jitter. Default: random, so that clients do not reconnect in step. */
  jitterSeed?: number;
  /** Messages per REST page. Default 50. */
  pageLimit?: number;
  /** The store keeps the newest this many. Default 100,000. */
  maxMessages?: number;
  /** More engine settings by their JSON names (timeouts, backoff: see docs/core.md). */
  engineConfig?: Record<string, number | string | boolean>;
  /** Sees every frame received on the socket, before the engine does (for recording). */
  onFrame?: (text: string) => void;
}

export function checkOptions(options: SyncOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError('createSync: options are required');
  const need = (name: keyof SyncOptions, type: string) => {
    if (typeof options[name] !== type) throw new TypeError(`createSync: '${name}' must be a ${type}`);
  };
  need('apiBase', 'string');
  need('wsHost', 'string');
  need('wsPort', 'number');
  need('key', 'string');
  if (options.protocol !== undefined && options.protocol !== 7 && options.protocol !== 2) {
    throw new TypeError("createSync: 'protocol' must be 7 or 2");
  }
  if (options.keepaliveSeconds !== undefined && !(options.keepaliveSeconds > 0)) {
    throw new TypeError("createSync: 'keepaliveSeconds' must be a positive number");
  }
  if (options.token !== undefined && options.token !== null && typeof options.token !== 'string') {
    throw new TypeError("createSync: 'token' must be a string or null");
  }
}

export function engineConfig(options: SyncOptions): Record<string, unknown> {
  return {
    apiBase: options.apiBase,
    wsHost: options.wsHost,
    wsPort: options.wsPort,
    wsTls: options.wsTls ?? false,
    appKey: options.key,
    protocol: options.protocol ?? 7,
    keepaliveMs: Math.round((options.keepaliveSeconds ?? 20) * 1000),
    jitterSeed: options.jitterSeed ?? 1 + Math.floor(Math.random() * 2 ** 32),
    // The first reconnect after a lost socket waits 1 s plus up to 5 s more: when a Sockudo node
    // dies, its clients come back spread over 5 s instead of within 200 ms of each other (the
    // reconnect and channel-auth storm measured in docs/scaling.md).
    backoffFirstSpreadMs: 5_000,
    ...(options.pageLimit !== undefined ? { pageLimit: options.pageLimit } : {}),
    ...(options.maxMessages !== undefined ? { maxMessages: options.maxMessages } : {}),
    ...options.engineConfig,
  };
}

/** How long fetch may take before it is aborted: the engine's request timeout. */
export function requestTimeout(options: SyncOptions): number {
  const configured = options.engineConfig?.['requestTimeoutMs'];
  return typeof configured === 'number' && configured > 0 ? configured : 15_000;
}
