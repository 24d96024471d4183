// The IndexedDB database of the local copy, and nothing else: one record per message, keyed by its
// session and the engine's order (local-copy-rules.ts, messageKey), so that a key range reads a
// session in order, the oldest messages are the lowest keys (the cap deletes one range), and a
// batch of new messages is a few puts in one transaction whatever the session's size.
// IndexedDB rather than chrome.storage.local: measured in the extension's worker, a batch of 1-50
// messages costs a few milliseconds here and a rewrite of the session's value there (over a second
// for 10,000 messages); bench/results/storage.json, docs/extension.md "The local copy".
import type { Gap, Message } from 'pushsync';
import { cachedList, messageKey, sessionsToEvict, type SessionWrite } from './local-copy-rules.js';

// Exported for the popup, which reads its first screen from here itself (view/early-copy.ts).
export const NAME = 'pushsync-local-copy';
export const VERSION = 1;
export const MESSAGES = 'messages';
export const SESSIONS = 'sessions';
export const META = 'meta';
/** The meta records: whose copy it is (copyOwner), and the session the worker selected last. */
export const OWNER_KEY = 'owner';
export const SELECTED_KEY = 'selected';

/**
 * A kept session: when it was last selected (eviction keeps the most recent), and the gaps the
 * engine last reported in it (handed back with the messages: history the backend could not give
 * stays reported).
 */
export interface KeptSession {
  sessionId: string;
  usedAt: number;
  gaps?: Gap[];
}

function ask<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function finished(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('the transaction was aborted'));
  });
}

/** Every key of one session, whatever follows the session id. */
export function sessionRange(sessionId: string): IDBKeyRange {
  return IDBKeyRange.bound([sessionId], [sessionId, []]);
}

export class LocalCopyDb {
  private opened: Promise<IDBDatabase> | undefined;

  private db(): Promise<IDBDatabase> {
    this.opened ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore(MESSAGES);
        db.createObjectStore(SESSIONS, { keyPath: 'sessionId' });
        db.createObjectStore(META);
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    // A failed open is tried again next time rather than remembered.
    this.opened.catch(() => {
      this.opened = undefined;
    });
    return this.opened;
  }

  async meta(key: string): Promise<unknown> {
    const db = await this.db();
    return ask(db.transaction(META, 'readonly').objectStore(META).get(key));
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    const db = await this.db();
    const tx = db.transaction(META, 'readwrite');
    tx.objectStore(META).put(value, key);
    await finished(tx);
  }

  /** The session's stored messages in order, the newest `cap`. */
  async readSession(sessionId: string, cap: number): Promise<Message[]> {
    const db = await this.db();
    const stored = await ask(db.transaction(MESSAGES, 'readonly').objectStore(MESSAGES).getAll(sessionRange(sessionId)));
    return cachedList(stored as Message[], cap);
  }

  /** The gaps last noted for the session ([] without any). */
  async readGaps(sessionId: string): Promise<Gap[]> {
    const db = await this.db();
    const kept = (await ask(db.transaction(SESSIONS, 'readonly').objectStore(SESSIONS).get(sessionId))) as KeptSession | undefined;
    return kept?.gaps ?? [];
  }

  /** Notes the session's gaps (the whole list, as the engine reports it). */
  async setGaps(sessionId: string, gaps: readonly Gap[], now: number): Promise<void> {
    const db = await this.db();
    const tx = db.transaction(SESSIONS, 'readwrite');
    const sessions = tx.objectStore(SESSIONS);
    const kept = sessions.get(sessionId);
    kept.onsuccess = () => {
      const record = (kept.result as KeptSession | undefined) ?? { sessionId, usedAt: now };
      sessions.put({ ...record, gaps: [...gaps] } satisfies KeptSession);
    };
    await finished(tx);
  }

  async sessions(): Promise<KeptSession[]> {
    const db = await this.db();
    return (await ask(db.transaction(SESSIONS, 'readonly').objectStore(SESSIONS).getAll())) as KeptSession[];
  }

  /**
   * Writes a batch in one transaction: each session emptied first when it is replaced, its messages
   * put, then trimmed to its newest `cap`; a session not yet kept is kept from `now`.
   */
  async write(batch: readonly SessionWrite[], cap: number, now: number): Promise<void> {
    const db = await this.db();
    const tx = db.transaction([MESSAGES, SESSIONS], 'readwrite');
    const messages = tx.objectStore(MESSAGES);
    const sessions = tx.objectStore(SESSIONS);
    for (const { sessionId, replace, messages: list } of batch) {
      if (replace) messages.delete(sessionRange(sessionId));
      for (const message of list) messages.put(message, messageKey(sessionId, message));
      trim(messages, sessionId, cap);
      const kept = sessions.get(sessionId);
      kept.onsuccess = () => {
        if (!kept.result) sessions.put({ sessionId, usedAt: now } satisfies KeptSession);
      };
    }
    await finished(tx);
  }

  /** The session was selected at `now`; sessions beyond `kept` (least recently used) go. */
  async use(sessionId: string, now: number, kept: number): Promise<void> {
    const db = await this.db();
    const tx = db.transaction([MESSAGES, SESSIONS], 'readwrite');
    const sessions = tx.objectStore(SESSIONS);
    const all = sessions.getAll();
    all.onsuccess = () => {
      const list = all.result as KeptSession[];
      const record = list.find((session) => session.sessionId === sessionId);
      const used = { ...(record ?? { sessionId }), usedAt: now } satisfies KeptSession;
      sessions.put(used);
      const others = list.filter((session) => session.sessionId !== sessionId);
      for (const evicted of sessionsToEvict([...others, used], kept)) {
        sessions.delete(evicted);
        tx.objectStore(MESSAGES).delete(sessionRange(evicted));
      }
    };
    await finished(tx);
  }

  /** Everything goes: messages, sessions and the meta records. */
  async wipe(): Promise<void> {
    const db = await this.db();
    const tx = db.transaction([MESSAGES, SESSIONS, META], 'readwrite');
    for (const name of [MESSAGES, SESSIONS, META]) tx.objectStore(name).clear();
    await finished(tx);
  }
}

/** Deletes the session's oldest records beyond `cap`, inside the caller's transaction. */
function trim(messages: IDBObjectStore, sessionId: string, cap: number): void {
  const range = sessionRange(sessionId);
  const counted = messages.count(range);
  counted.onsuccess = () => {
    const excess = counted.result - cap;
    if (excess <= 0) return;
    // The first key to keep: skip `excess` keys from the oldest, then delete everything below it.
    const cursor = messages.openKeyCursor(range);
    let skipped = false;
    cursor.onsuccess = () => {
      const at = cursor.result;
      if (!at) return;
      if (!skipped && excess > 0) {
        skipped = true;
        at.advance(excess);
        return;
      }
      messages.delete(IDBKeyRange.bound([sessionId], at.key, false, true));
    };
  };
}
