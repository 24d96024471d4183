// Storage on chrome.storage for the MV3 extension: `local` survives browser restarts, `session`
// only service-worker restarts (it lives in memory). Typed here with the little that is used, so
// the package needs no @types/chrome.
import type { Storage } from './storage.js';

export interface ChromeStorageArea {
  get(keys: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
}

/** `chromeStorage(chrome.storage.local)` or `chromeStorage(chrome.storage.session)`. */
export function chromeStorage(area: ChromeStorageArea): Storage {
  return {
    async get(key) {
      const value = (await area.get(key))[key];
      return typeof value === 'string' ? value : null;
    },
    async set(key, value) {
      await area.set({ [key]: value });
    },
  };
}
