// The extension's connection settings: build-time defaults (from the environment, see build.mjs),
// each one overridden at run time by a key of the same name in chrome.storage.local. The options
// page writes those keys and the service worker applies them on storage.onChanged: a new server
// or key needs no rebuild.
import { defaultTls, parseApiBase, parseHost } from './hosts.js';

export interface Settings {
  /** The app server: REST, login, channel auth. */
  apiBase: string;
  /** The Pusher app key that Sockudo knows. */
  pusherKey: string;
  /** Canonical (lower case; IPv6 in brackets), as the engine puts it in the socket URL. */
  wsHost: string;
  wsPort: number;
  /** wss:// when true. Stored true or false by the user; "auto" or absent: on unless the host is loopback. */
  wsTls: boolean;
  /** 7: the Pusher protocol (any Pusher server); 2: Sockudo V2 with resume. */
  protocol: 7 | 2;
}

export const SETTING_KEYS = ['apiBase', 'pusherKey', 'wsHost', 'wsPort', 'wsTls', 'protocol'] as const;

/** What the user chose for TLS: automatic (by the host), or on or off whatever the host. */
export type TlsChoice = 'auto' | 'on' | 'off';

/** The bearer token from the backend's login (backend-routes.ts). */
export const TOKEN_KEY = 'accessToken';
/** Who logged in, shown in the views (the token itself is never shown). */
export const ACCOUNT_KEY = 'accountEmail';

/** TLS has no build default of its own: it follows the host (see resolveSettings). */
export const BUILD_DEFAULTS: Omit<Settings, 'wsTls'> = __PUSHSYNC_DEFAULTS__;

/** The settings in force: each stored value that is valid, else the build default. */
export function resolveSettings(stored: Record<string, unknown>): Settings {
  const text = (key: string): string => {
    const value = stored[key];
    return typeof value === 'string' ? value : '';
  };
  const port = Number(stored['wsPort']);
  const protocol = Number(stored['protocol']);
  const wsHost = parseHost(text('wsHost')) ?? BUILD_DEFAULTS.wsHost;
  const choice = tlsChoice(stored);
  return {
    apiBase: parseApiBase(text('apiBase')) ?? BUILD_DEFAULTS.apiBase,
    pusherKey: text('pusherKey').trim() || BUILD_DEFAULTS.pusherKey,
    wsHost,
    wsPort: Number.isInteger(port) && port > 0 && port < 65536 ? port : BUILD_DEFAULTS.wsPort,
    wsTls: choice === 'auto' ? defaultTls(wsHost) : choice === 'on',
    protocol: protocol === 2 || protocol === 7 ? protocol : BUILD_DEFAULTS.protocol,
  };
}

export function tlsChoice(stored: Record<string, unknown>): TlsChoice {
  const value = stored['wsTls'];
  return value === true ? 'on' : value === false ? 'off' : 'auto';
}

/** The stored form of a choice: `wsTls` true, false or "auto" (one storage write, one restart). */
export function storedTls(choice: TlsChoice): boolean | 'auto' {
  return choice === 'auto' ? 'auto' : choice === 'on';
}

export function storedToken(stored: Record<string, unknown>): string | null {
  const token = stored[TOKEN_KEY];
  return typeof token === 'string' && token !== '' ? token : null;
}

export function storedAccount(stored: Record<string, unknown>): string {
  const email = stored[ACCOUNT_KEY];
  return typeof email === 'string' ? email : '';
}
