// A view's first screen of the chat, read by the view itself from the worker's local copy
// (IndexedDB: extension pages share the extension origin's database with the service worker),
// so that it paints before the worker has even started: a popup that wakes a stopped worker
// would otherwise wait for the worker's module, its settings and its own read of the same copy
// (bench/run open: the snapshot came 200-400 ms after the navigation, the copy was in hand here
// far sooner). The worker's snapshot replaces what this shows (ViewState.showLocalCopy).
//
// - Only the newest `rows` messages are read (one getAll backwards where Chrome has it, else a key
//   cursor from the end, then one getAll of that range), not the session's whole copy: the first
//   paint builds a window's rows at most.
// - Owned: shown only when the copy's owner (apiBase and account, copyOwner, as the worker checks
//   it at its start) is the one of the settings now, and someone is logged in. A copy the worker
//   has yet to wipe (another account, another server, logged out) is never shown.
// - Read-only and never in the way: the database is never created here (an upgrade is aborted: the
//   worker creates it with its stores), the connection is closed at once, and any failure means
//   nothing to show (the worker's snapshot comes as it would have).
import type { Gap, Message } from 'pushsync';
import { ACCOUNT_KEY, resolveSettings, storedAccount, storedToken, TOKEN_KEY } from '../shared/settings.js';
import { MESSAGES, META, NAME, OWNER_KEY, SELECTED_KEY, SESSIONS, sessionRange, VERSION, type KeptSession } from '../worker/local-copy-db.js';
import { cachedList, copyOwner } from '../worker/local-copy-rules.js';

/**
 * The engine's persisted state in chrome.storage.local: the glue's PERSIST_KEY, not imported (that
 * would bundle the glue's module into this small script). Only a guess is read from it: were the
 * key ever renamed, the read costs one more round trip, nothing else.
 */
const PERSIST_KEY = 'pushsync.state';

/** The selected session's newest stored messages, in order, and its gaps. */
export interface EarlyCopy {
  sessionId: string;
  messages: Message[];
  gaps: Gap[];
}

interface StoredTail extends EarlyCopy {
  owner: unknown;
}

declare global {
  /** The read popup-early.ts started while popup.html was still being parsed (startEarlyCopy). */
  var pushsyncEarlyCopy: Promise<EarlyCopy | null> | undefined;
}

/**
 * Starts the read once per page and returns it: popup-early.ts, a classic script in popup.html's
 * head, starts it while the page is parsed (tens of milliseconds before a module script runs),
 * and popup.ts takes the same read.
 */
export function startEarlyCopy(rows: number): Promise<EarlyCopy | null> {
  const read = globalThis.pushsyncEarlyCopy ?? readEarlyCopy(rows).catch(() => null);
  globalThis.pushsyncEarlyCopy = read;
  return read;
}

/**
 * Reads the newest `rows` messages of the session the worker selected last, with the settings
 * that say whose copy may be shown; null when there is nothing this view may show.
 */
export async function readEarlyCopy(rows: number): Promise<EarlyCopy | null> {
  performance.mark('pushsync:popup-copy-asked'); // bench/open.mjs reads the popup's marks
  let guess: string | undefined;
  const settings = chrome.storage.local.get(['apiBase', TOKEN_KEY, ACCOUNT_KEY, PERSIST_KEY]).then((stored) => {
    performance.mark('pushsync:popup-settings-read');
    guess = persistedSession(stored[PERSIST_KEY]);
    return stored;
  });
  const [stored, tail] = await Promise.all([settings, readTail(rows, () => guess).finally(() => performance.mark('pushsync:popup-tail-read'))]);
  performance.mark('pushsync:popup-copy-read');
  if (!tail || tail.messages.length === 0) return null;
  const owner = copyOwner(resolveSettings(stored).apiBase, storedAccount(stored), storedToken(stored));
  if (owner === null || tail.owner !== owner) return null;
  return { sessionId: tail.sessionId, messages: tail.messages, gaps: tail.gaps };
}

/** The session in the engine's persisted state (the glue's JSON), if it names one. */
function persistedSession(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const sessionId = (JSON.parse(value) as { sessionId?: unknown }).sessionId;
    return typeof sessionId === 'string' && sessionId !== '' ? sessionId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The owner, the selected session (the worker's meta record: the one it shows at its start) and
 * that session's newest `rows` messages with its gaps, in one transaction. `guess()`: the session
 * the engine persisted, when chrome.storage answered before the database opened (it does, by
 * tens of milliseconds): nearly always the selected one, so its messages are asked for with the
 * meta records, one round trip instead of two; a wrong guess is read again for the right session.
 */
function readTail(rows: number, guess: () => string | undefined): Promise<StoredTail | null> {
  return new Promise((resolve) => {
    let request: IDBOpenDBRequest;
    try {
      request = indexedDB.open(NAME, VERSION);
    } catch {
      resolve(null);
      return;
    }
    // No copy yet (or an older layout): not ours to create or change.
    request.onupgradeneeded = () => request.transaction?.abort();
    request.onerror = () => resolve(null);
    request.onsuccess = () => {
      performance.mark('pushsync:popup-db-open');
      const db = request.result;
      let result: StoredTail | null = null;
      let tx: IDBTransaction;
      try {
        tx = db.transaction([META, MESSAGES, SESSIONS], 'readonly');
      } catch {
        db.close();
        resolve(null);
        return;
      }
      tx.oncomplete = () => {
        db.close();
        resolve(result);
      };
      tx.onabort = () => {
        db.close();
        resolve(null);
      };
      const meta = tx.objectStore(META);
      const owner = meta.get(OWNER_KEY);
      const selected = meta.get(SELECTED_KEY);
      // Requests complete in order: `chosen` is known when a read of the guess completes.
      let chosen = '';
      const read = (sessionId: string) => {
        const kept = tx.objectStore(SESSIONS).get(sessionId);
        newest(tx.objectStore(MESSAGES), sessionId, rows, (stored) => {
          if (sessionId !== chosen) return;
          const gaps = (kept.result as KeptSession | undefined)?.gaps ?? [];
          result = { owner: owner.result, sessionId, messages: cachedList(stored, rows), gaps };
        });
      };
      const guessed = guess();
      if (guessed) read(guessed);
      selected.onsuccess = () => {
        chosen = typeof selected.result === 'string' ? selected.result : '';
        if (chosen && chosen !== guessed) read(chosen);
      };
    };
  });
}

/** getAll with a direction and a count (Chrome 141, with getAllRecords): the newest in one request. */
const GET_ALL_BACKWARDS = typeof IDBObjectStore !== 'undefined' && 'getAllRecords' in IDBObjectStore.prototype;

/** The session's newest `rows` records, oldest first, inside the caller's transaction. */
function newest(messages: IDBObjectStore, sessionId: string, rows: number, done: (stored: Message[]) => void): void {
  if (GET_ALL_BACKWARDS) {
    // TypeScript's lib does not know the options form yet.
    const getAll = messages.getAll as unknown as (options: { query: IDBKeyRange; count: number; direction: IDBCursorDirection }) => IDBRequest<Message[]>;
    const read = getAll.call(messages, { query: sessionRange(sessionId), count: rows, direction: 'prev' });
    read.onsuccess = () => done(read.result.reverse());
    return;
  }
  // From the newest key back `rows - 1` keys: the oldest key to read (none: fewer than that).
  const cursor = messages.openKeyCursor(sessionRange(sessionId), 'prev');
  let moved = false;
  cursor.onsuccess = () => {
    const at = cursor.result;
    if (at && !moved && rows > 1) {
      moved = true;
      at.advance(rows - 1);
      return;
    }
    const read = messages.getAll(at ? IDBKeyRange.bound(at.key, [sessionId, []]) : sessionRange(sessionId));
    read.onsuccess = () => done(read.result as Message[]);
  };
}
