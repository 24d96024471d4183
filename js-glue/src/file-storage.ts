// Storage in one JSON file for Node hosts (the CLI, tools). Every write replaces the file by
// rename, so a crash mid-write leaves the old content, never half a file.
import type { Storage } from './storage.js';

export function fileStorage(path: string): Storage {
  // Writes are chained: two sets in flight must land in the order they were made.
  let last: Promise<void> = Promise.resolve();
  let counter = 0;

  async function readAll(): Promise<Record<string, string>> {
    // Lazy `node:` imports keep this file loadable (if unused) in browser bundles.
    const { readFile } = await import('node:fs/promises');
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error(`${path}: not a JSON object`);
    }
    return parsed as Record<string, string>;
  }

  async function write(key: string, value: string): Promise<void> {
    const { writeFile, rename, unlink } = await import('node:fs/promises');
    const values = await readAll();
    values[key] = value;
    const temporary = `${path}.${process.pid}.${++counter}.tmp`;
    try {
      await writeFile(temporary, JSON.stringify(values, null, 2) + '\n');
      await rename(temporary, path);
    } catch (error) {
      await unlink(temporary).catch(() => {});
      throw error;
    }
  }

  return {
    async get(key) {
      await last.catch(() => {});
      const value = (await readAll())[key];
      return typeof value === 'string' ? value : null;
    },
    set(key, value) {
      const next = last.catch(() => {}).then(() => write(key, value));
      last = next;
      return next;
    },
  };
}
