// The worker's local copy of the chats: the messages of the recent sessions on disk (IndexedDB,
// local-copy-db.ts), so that a view opens with the chat at once, offline too, and the engine's
// catch-up asks only for what is newer.
//
// - Written from the engine's diffs, in batches (local-copy-rules.ts: FLUSH_DELAY_MS, FLUSH_AT),
//   one transaction each, in order; a reset (the engine reloaded the session) replaces the copy.
// - Bounded: the newest MESSAGES_PER_SESSION messages of the SESSIONS_KEPT sessions selected last.
// - The session's gaps go with its messages, and back to the engine with them.
// - Also the session list as last answered (session-cache.ts), in the same database.
// - Owned: the copy belongs to one server and account (copyOwner); another owner, or logging out,
//   wipes it before anything is read or written.
// - Never in the way: a failing database is reported (`onError`) and the worker goes on without it.
import type { Gap, Message, MessagesDiff, Sync } from 'pushsync';
import type { SessionSummary } from '../shared/protocol.js';
import { LocalCopyDb, OWNER_KEY as OWNER, SELECTED_KEY as SELECTED } from './local-copy-db.js';
import { FLUSH_AT, FLUSH_DELAY_MS, MESSAGES_PER_SESSION, PendingWrites, SESSIONS_KEPT } from './local-copy-rules.js';

const SESSION_LIST = 'sessionList';
/**
 * A start waits at most this long for the copy: a database that does not answer (blocked, broken)
 * must not keep the views from their snapshot; they get the engine's list instead.
 */
const OPEN_WAIT_MS = 2000;

/** The session a start shows first, its stored messages in order, and the gaps noted in it. */
export interface CachedSession {
  sessionId: string;
  messages: Message[];
  gaps: Gap[];
}

export class LocalCopy {
  private readonly db = new LocalCopyDb();
  private readonly pending = new PendingWrites();
  private owner: string | null = null;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** Every database operation, chained: a wipe never overtakes a write asked for before it. */
  private queue: Promise<unknown> = Promise.resolve();

  /** The worker's first read, started before the settings are known (see `prefetch`). */
  private prefetched: Promise<{ owner: unknown; selected: string; messages: Message[]; gaps: Gap[] } | null> | undefined;
  private prefetchUsed = false;

  constructor(private readonly events: { error(message: string): void; wiped(): void }) {}

  /**
   * At each engine start: makes the copy `owner`'s (another owner's copy is wiped first; null,
   * logged out: wiped, nothing kept) and reads the session to show: `preferred`, else the one
   * selected last.
   */
  open(owner: string | null, preferred: string): Promise<CachedSession | null> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => {
        this.events.error(`the local copy did not answer within ${OPEN_WAIT_MS} ms: the chat loads from the server`);
        resolve(null);
      }, OPEN_WAIT_MS);
    });
    return Promise.race([this.openNow(owner, preferred), late]).finally(() => clearTimeout(timer));
  }

  private async openNow(owner: string | null, preferred: string): Promise<CachedSession | null> {
    const early = this.prefetched ? await this.prefetched : null;
    this.prefetched = undefined;
    if (early && owner !== null && early.owner === owner && (!preferred || preferred === early.selected)) {
      this.owner = owner;
      return early.selected ? { sessionId: early.selected, messages: early.messages, gaps: early.gaps } : null;
    }
    await this.setOwner(owner);
    if (owner === null) return null;
    return this.run('reading', async () => {
      const sessionId = preferred || String((await this.db.meta(SELECTED)) ?? '');
      if (!sessionId) return null;
      performance.mark('pushsync:local-copy-opened');
      return { sessionId, messages: await this.db.readSession(sessionId, MESSAGES_PER_SESSION), gaps: await this.db.readGaps(sessionId) };
    }, null);
  }

  /**
   * At the worker's start, before the settings are read: reads the owner, the selection and its
   * messages at once, so that the first `open` (which checks the owner) costs no second wait. Once
   * per worker.
   */
  prefetch(): void {
    if (this.prefetchUsed) return;
    this.prefetchUsed = true;
    this.prefetched = this.run('reading', async () => {
      const owner = await this.db.meta(OWNER);
      const selected = String((await this.db.meta(SELECTED)) ?? '');
      performance.mark('pushsync:local-copy-opened');
      const messages = selected ? await this.db.readSession(selected, MESSAGES_PER_SESSION) : [];
      return { owner, selected, messages, gaps: selected ? await this.db.readGaps(selected) : [] };
    }, null);
  }

  /**
   * The copy's owner changed (logged in, out, as someone else, another server): wipes on a change.
   * `wiped` is told only when there was an owner before (a copy wiped at logout has none: a login
   * after it drops nothing, such as the outbox's messages written while logged out).
   */
  async setOwner(owner: string | null): Promise<void> {
    const unknown = Symbol('unreadable');
    const previous = await this.run('reading', async () => ((await this.db.meta(OWNER)) as string | undefined) ?? null, unknown as symbol | string | null);
    this.owner = owner;
    if (previous === owner) return;
    this.dropPending();
    await this.run('wiping', async () => {
      await this.db.wipe();
      if (owner !== null) await this.db.setMeta(OWNER, owner);
    }, undefined);
    if (previous !== null) this.events.wiped();
  }

  /** The stored messages of `sessionId` in order and its gaps (none without a copy, or logged out). */
  read(sessionId: string): Promise<CachedSession> {
    const none: CachedSession = { sessionId, messages: [], gaps: [] };
    if (this.owner === null) return Promise.resolve(none);
    return this.run('reading', async () => ({ sessionId, messages: await this.db.readSession(sessionId, MESSAGES_PER_SESSION), gaps: await this.db.readGaps(sessionId) }), none);
  }

  /** The engine's gaps of `sessionId` now (the whole list): kept with its messages. */
  noteGaps(sessionId: string, gaps: readonly Gap[], now = Date.now()): void {
    if (this.owner === null || !sessionId) return;
    void this.run('writing', () => this.db.setGaps(sessionId, gaps, now), undefined);
  }

  /** The session list as the backend last answered it (session-cache.ts); null without one. */
  sessionList(): Promise<SessionSummary[] | null> {
    if (this.owner === null) return Promise.resolve(null);
    return this.run('reading', async () => {
      const stored = await this.db.meta(SESSION_LIST);
      return Array.isArray(stored) ? (stored as SessionSummary[]) : null;
    }, null);
  }

  saveSessionList(sessions: SessionSummary[]): Promise<void> {
    if (this.owner === null) return Promise.resolve();
    return this.run('writing', () => this.db.setMeta(SESSION_LIST, sessions), undefined);
  }

  /** The engine selected `sessionId`: it is the one a start shows, and the most recently used. */
  noteSelected(sessionId: string, now = Date.now()): void {
    if (this.owner === null || !sessionId) return;
    void this.run('writing', async () => {
      await this.db.setMeta(SELECTED, sessionId);
      await this.db.use(sessionId, now, SESSIONS_KEPT);
    }, undefined);
  }

  /** One of the engine's messages events: written with the next batch. */
  noteMessages(diff: MessagesDiff, inserted: readonly Message[], updated: readonly Message[]): void {
    if (this.owner === null || !diff.sessionId) return;
    this.pending.note(diff, inserted, updated);
    if (this.pending.count >= FLUSH_AT) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_DELAY_MS);
  }

  /** Writes what is pending now; resolves once it is on disk. */
  flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pending.empty) return this.queue.then(() => undefined);
    const batch = this.pending.take();
    return this.run('writing', () => this.db.write(batch, MESSAGES_PER_SESSION, Date.now()), undefined);
  }

  private dropPending(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.pending.take();
  }

  private run<T>(doing: string, operation: () => Promise<T>, fallback: T): Promise<T> {
    const result = this.queue.then(operation).catch((error: unknown) => {
      this.events.error(`the local copy failed ${doing}: ${error instanceof Error ? error.message : String(error)}`);
      return fallback;
    });
    this.queue = result;
    return result;
  }
}

/**
 * Hands the engine the stored messages of the session it restored or was just told to select
 * (the glue's `restoreMessages`, after the selection: the engine takes a copy of its selected
 * session only), so that it shows them and its first read asks only for what is newer.
 */
export function restoreInEngine(sync: Sync, cached: CachedSession | null): void {
  if (!cached || cached.messages.length === 0) return;
  sync.restoreMessages(cached.sessionId, cached.messages, cached.gaps);
}
