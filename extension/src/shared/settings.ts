// The extension's connection settings: build-time defaults (from the environment, see build.mjs),
// each one overridden at run time by a key of the same name in chrome.storage.local. The options
// page writes those keys and the service worker applies them on storage.onChanged: a new server
// or key needs no rebuild.

export interface Settings {
  /** The app server: REST, login, channel auth. */
  apiBase: string;
  /** The Pusher app key that Sockudo knows. */
  pusherKey: string;
  wsHost: string;
  wsPort: number;
  /** 7: the Pusher protocol (any Pusher server); 2: Sockudo V2 with resume. */
  protocol: 7 | 2;
}

export const SETTING_KEYS = ['apiBase', 'pusherKey', 'wsHost', 'wsPort', 'protocol'] as const;

/** The bearer token from POST /api/auth/login. */
export const TOKEN_KEY = 'accessToken';
/** Who logged in, shown in the views (the token itself is never shown). */
export const ACCOUNT_KEY = 'accountEmail';

export const BUILD_DEFAULTS: Settings = __PUSHSYNC_DEFAULTS__;

/** The settings in force: each stored value that is valid, else the build default. */
export function resolveSettings(stored: Record<string, unknown>): Settings {
  const text = (key: 'apiBase' | 'pusherKey' | 'wsHost'): string => {
    const value = stored[key];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : BUILD_DEFAULTS[key];
  };
  const port = Number(stored['wsPort']);
  const protocol = Number(stored['protocol']);
  return {
    apiBase: text('apiBase').replace(/\/+$/, ''),
    pusherKey: text('pusherKey'),
    wsHost: text('wsHost'),
    wsPort: Number.isInteger(port) && port > 0 && port < 65536 ? port : BUILD_DEFAULTS.wsPort,
    protocol: protocol === 2 || protocol === 7 ? protocol : BUILD_DEFAULTS.protocol,
  };
}

export function storedToken(stored: Record<string, unknown>): string | null {
  const token = stored[TOKEN_KEY];
  return typeof token === 'string' && token !== '' ? token : null;
}

export function storedAccount(stored: Record<string, unknown>): string {
  const email = stored[ACCOUNT_KEY];
  return typeof email === 'string' ? email : '';
}
