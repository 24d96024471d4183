// Where the engine's small persisted state lives between runs of the host (a service worker that
// Chrome stopped, a CLI run). Asynchronous because chrome.storage and files are.

export interface Storage {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
}

/** Keeps values for the life of the process: the default, and for tests. */
export function memoryStorage(initial: Record<string, string> = {}): Storage {
  const values = new Map(Object.entries(initial));
  return {
    async get(key) {
      return values.get(key) ?? null;
    },
    async set(key, value) {
      values.set(key, value);
    },
  };
}
