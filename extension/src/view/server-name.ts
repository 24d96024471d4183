// The server the extension talks to, as a person names it: the API base's host (and port), read
// from the settings in chrome.storage.local and kept current when the options page changes them.
import { resolveSettings, SETTING_KEYS } from '../shared/settings.js';

export function serverName(apiBase: string): string {
  try {
    return new URL(apiBase).host;
  } catch {
    return apiBase;
  }
}

/** Calls `show` with the server's name now and after every settings change. */
export function watchServerName(show: (name: string) => void): void {
  const read = () => void chrome.storage.local.get([...SETTING_KEYS]).then((stored) => show(serverName(resolveSettings(stored).apiBase)));
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && SETTING_KEYS.some((key) => key in changes)) read();
  });
  read();
}
