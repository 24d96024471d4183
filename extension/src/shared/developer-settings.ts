// Developer settings: engine tunables read from chrome.storage.local `developerSettings` (an
// object), passed to the engine as they are. They exist to make the fallback observable in
// seconds (the browser tests and manual QA: a 250 ms backoff base, a 1 s cap, 3 attempts) instead
// of the production half minute. Only the names below are accepted, and only as finite numbers.

export const DEVELOPER_SETTINGS_KEY = 'developerSettings';
/** Shows the debug panel in the popup. */
export const DEVELOPER_MODE_KEY = 'developerMode';

/** Engine settings by their JSON names (core/include/pushsync/config.h, docs/core.md). */
export const DEVELOPER_SETTING_NAMES = [
  'backoffBaseMs',
  'backoffCapMs',
  'backoffJitter',
  'maxReconnectAttempts',
  'connectTimeoutMs',
  'pongTimeoutMs',
  'requestTimeoutMs',
  'keepaliveMs',
  'typingTimeoutMs',
  'settleCheckMs',
  // How often polling tries push again: a test makes it long, so that only a view opening can.
  'probeIntervalMs',
] as const;

export type DeveloperSettingName = (typeof DEVELOPER_SETTING_NAMES)[number];
export type DeveloperSettings = Partial<Record<DeveloperSettingName, number>>;

export function developerSettings(stored: Record<string, unknown>): DeveloperSettings {
  const raw = stored[DEVELOPER_SETTINGS_KEY];
  if (typeof raw !== 'object' || raw === null) return {};
  const chosen: DeveloperSettings = {};
  for (const name of DEVELOPER_SETTING_NAMES) {
    const value = (raw as Record<string, unknown>)[name];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) chosen[name] = value;
  }
  return chosen;
}

export function developerMode(stored: Record<string, unknown>): boolean {
  return stored[DEVELOPER_MODE_KEY] === true;
}
