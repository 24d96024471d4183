// The outbox: every message the user sends goes here first, is persisted in chrome.storage.local,
// and is delivered by the worker when the network and the server allow, one at a time and in the
// order written, across popup closes and worker restarts. The popup shows the selected session's
// entries after its messages (popup/outbox-view.ts) until the server's message takes their place.
//
// The decisions (what a failure means, the backoff, the next entry, which server message is an
// entry's) are the pure rules of outbox-rules.js, whose opening comment is the theory of
// operation; this file does the I/O: storage, the backend calls, the timer, the broadcasts.
//
// Exactly once depends on the backend (docs/extension.md, "Outbox"): every attempt of an entry
// carries its clientMessageId, which the reference server stores once. Before an entry whose
// earlier attempt has an unknown outcome is sent again, the engine's store and then the session's
// newest messages (one read) are searched for it, so that a backend that ignores clientMessageId
// does not get it twice unless that earlier request is still being processed when we look.
import type { Message } from 'pushsync';
import type { Backend, SentMessage } from '../shared/backend-routes.js';
import { ApiError } from '../shared/http.js';
import type { OutboxEntry, ToView } from '../shared/protocol.js';
import {
  ACKNOWLEDGED_WAIT_MS,
  BACKOFF_CAP_MS,
  CLOCK_SKEW_MS,
  backoffMs,
  classifyFailure,
  findServerMessage,
  nextToSend,
  outcomeUnknown,
  parseRetryAfter,
} from '../shared/outbox-rules.js';

/** The chrome.storage.local key of the persisted outbox. */
export const OUTBOX_KEY = 'pushsync.outbox';
/** Ids of server messages already matched to entries, kept so that two equal texts are two messages. */
const KEPT_CLAIMS = 100;
/** The code of an entry that waits because the worker has no network (the engine's state code too). */
const OFFLINE_CODE = 'network_offline';

/** An entry as the worker keeps it: the contract's fields and the outbox's own bookkeeping. */
interface StoredEntry extends OutboxEntry {
  /** Failures in a row (the backoff's exponent); attempts counts every attempt. */
  failures?: number;
  /** Epoch ms: not before (a backoff, a Retry-After, or the fallback of a wait). */
  nextAttemptAt?: number;
  /** Blocked until the token or the host permissions change. */
  waitingFor?: 'token' | 'permission';
  /** An attempt may have stored the message without its answer reaching us. */
  uncertain?: boolean;
  /** Answered 2xx: stored; waits (status `sending`) until its message shows in the store. */
  answered?: boolean;
  answeredAt?: number;
  /** The server's id of the message, when the answer named it. */
  messageId?: string;
  /** The newest server timestamp in the store when the entry was made (its content match's floor). */
  notBefore?: string;
}

interface Persisted {
  entries: StoredEntry[];
  claimed: string[];
}

/** What the outbox needs from the worker. */
export interface OutboxHost {
  /** Resolves once the worker has read its settings (before it, there is no backend to call). */
  readonly started: Promise<void>;
  /** The backend to send through; throws an ApiError when there is none (no host permission). */
  backend(): Backend;
  /** The selected session and the messages the views were told of, when an engine runs. */
  store(): { sessionId: string; messages: readonly Message[]; loaded: boolean } | null;
  /** Asks the engine to read the selected session's newest messages now. */
  refresh(): void;
  /**
   * Reads navigator.onLine now (network-watch.ts): a send that found no network may be the first
   * to notice, since no 'offline' event reaches the worker. A change comes back as setOnline.
   */
  checkNetwork(): void;
  broadcast(message: ToView): void;
  /** Told how many entries are failed after each change (the toolbar badge). */
  failedChanged(count: number): void;
}

export class Outbox {
  private list: StoredEntry[] = [];
  private claimed: string[] = [];
  private online: boolean;
  private inFlight: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writes: Promise<void> = Promise.resolve();
  private failedCount = 0;
  /** Resolves once the persisted entries are read: requests and deliveries wait for it. */
  readonly ready: Promise<void>;

  constructor(
    private readonly host: OutboxHost,
    private readonly clock: { now(): number; random(): number } = { now: () => Date.now(), random: () => Math.random() },
    online = navigator.onLine,
  ) {
    this.online = online;
    this.ready = this.load();
  }

  /** The entries of every session, oldest first, in the contract's shape. */
  entries(): OutboxEntry[] {
    return this.list.map(({ clientMessageId, sessionId, content, createdAt, status, attempts, code, reason }) => ({
      clientMessageId, sessionId, content, createdAt, status, attempts,
      ...(code !== undefined ? { code } : {}),
      ...(reason !== undefined ? { reason } : {}),
    }));
  }

  /**
   * Takes a message to deliver; resolves once it is persisted (the view may forget it then).
   * The same clientMessageId twice (a view repeating a send cut off by a worker restart) is one entry.
   */
  async enqueue(sessionId: string, content: string, clientMessageId: string): Promise<void> {
    await this.ready;
    if (content.trim() === '' || sessionId === '' || clientMessageId === '') throw new ApiError(400, 'bad_request', 'a message needs a session, an id and some text');
    if (this.list.some((entry) => entry.clientMessageId === clientMessageId)) return;
    const entry: StoredEntry = { clientMessageId, sessionId, content, createdAt: new Date(this.clock.now()).toISOString(), status: 'queued', attempts: 0 };
    const store = this.host.store();
    if (store && store.sessionId === sessionId && store.loaded) {
      const newest = newestTimestamp(store.messages);
      if (newest !== undefined) entry.notBefore = newest;
    }
    if (!this.online) Object.assign(entry, waitingForNetwork());
    this.list.push(entry);
    await this.changed();
    this.pump();
  }

  /** A failed entry goes back to the queue, behind nothing: it is tried at once. */
  async retry(clientMessageId: string): Promise<void> {
    await this.ready;
    const entry = this.find(clientMessageId);
    if (entry.status !== 'failed') return;
    entry.status = 'queued';
    entry.failures = 0;
    clearWait(entry);
    await this.changed();
    this.pump();
  }

  /** Drops an entry that is not in flight (failed, or still waiting). */
  async discard(clientMessageId: string): Promise<void> {
    await this.ready;
    const entry = this.find(clientMessageId);
    if (entry.status === 'sending') throw new ApiError(409, 'in_flight', 'This message is being sent and can no longer be discarded');
    this.list = this.list.filter((other) => other !== entry);
    await this.changed();
  }

  /**
   * Logged out, or another account or server (the local copy was wiped): the unsent messages were
   * that account's, and go too. A request in flight finishes; its outcome is ignored.
   */
  async wipe(): Promise<void> {
    await this.ready;
    if (this.list.length === 0 && this.claimed.length === 0) return;
    this.list = [];
    this.claimed = [];
    this.pump(); // no deadline left
    await this.changed();
  }

  /** The worker's network came or went ('online'/'offline'). Back online, waiting entries go at once. */
  setOnline(online: boolean): void {
    if (this.online === online) return;
    this.online = online;
    for (const entry of this.list) {
      if (entry.status !== 'queued') continue;
      if (online) clearWait(entry);
      else Object.assign(entry, waitingForNetwork());
    }
    void this.changed();
    this.pump();
  }

  /** The token or the host permissions changed: entries waiting for them try again. */
  credentialsChanged(): void {
    let woke = false;
    for (const entry of this.list) {
      if (entry.status === 'queued' && entry.waitingFor) {
        clearWait(entry);
        woke = true;
      }
    }
    if (woke) void this.changed();
    this.pump();
  }

  /** The engine's state: push connected again means the server is back, so a backoff ends early. */
  onState(info: { state: string }): void {
    if (info.state !== 'connected') return;
    let woke = false;
    for (const entry of this.list) {
      if (entry.status === 'queued' && !entry.waitingFor && entry.nextAttemptAt !== undefined) {
        delete entry.nextAttemptAt;
        woke = true;
      }
    }
    if (woke) this.pump();
  }

  /**
   * The views were just told of a change of `sessionId`'s messages (called in the same task, right
   * after that broadcast): entries whose server message is now in the list leave the outbox, so a
   * view never shows both, nor neither.
   */
  onMessages(sessionId: string, messages: readonly Message[]): void {
    const gone = new Set<StoredEntry>();
    for (const entry of this.list) {
      if (entry.sessionId !== sessionId) continue;
      const found = this.match(entry, messages);
      if (found === null) continue;
      this.claim(found); // one message for one entry: two equal texts are two messages
      gone.add(entry);
    }
    if (gone.size === 0) return;
    this.list = this.list.filter((entry) => !gone.has(entry));
    void this.changed();
    this.pump();
  }

  // ---- delivery ---------------------------------------------------------------------------------

  /** Starts the next attempt if one may go now, else arms the timer for the earliest deadline. */
  private pump(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.inFlight !== undefined) return;
    const now = this.clock.now();
    this.expireAnswered(now);
    const next = nextToSend(this.list, now, this.online);
    if (next && next.at === now) {
      void this.attempt(next.entry);
      return;
    }
    const deadlines = this.list.flatMap((entry) => (entry.answered && entry.answeredAt !== undefined ? [entry.answeredAt + ACKNOWLEDGED_WAIT_MS] : []));
    if (next && next.at !== null) deadlines.push(next.at);
    if (deadlines.length > 0) this.timer = setTimeout(() => this.pump(), Math.max(0, Math.min(...deadlines) - now));
  }

  private async attempt(entry: StoredEntry): Promise<void> {
    this.inFlight = entry.clientMessageId; // first: whatever the check below sets off pumps in vain
    this.host.checkNetwork(); // offline since the last look: setOnline(false) has run, and the entry waits
    if (!this.online) {
      this.inFlight = undefined;
      this.pump();
      return;
    }
    try {
      entry.status = 'sending';
      entry.attempts++;
      delete entry.code;
      delete entry.reason;
      // Written before the request leaves: a worker stopped from here on finds it `sending` at its
      // next start, and so knows that the outcome is unknown.
      await this.changed();
      try {
        if (entry.uncertain) {
          const found = await this.lookForStored(entry);
          if (found !== null) {
            this.answered(entry, found);
            return;
          }
        }
        const { messageId } = await this.host.backend().send(entry.sessionId, entry.content, entry.clientMessageId);
        this.answered(entry, messageId);
      } catch (error) {
        this.failed(entry, error);
      }
    } finally {
      this.inFlight = undefined;
      this.pump();
    }
  }

  /**
   * Whether an earlier attempt stored the entry after all: the engine's store when it holds the
   * session, else one read of the session's messages since the entry was made. Throws when the
   * read fails (then the attempt failed like a send).
   */
  private async lookForStored(entry: StoredEntry): Promise<string | null> {
    const store = this.host.store();
    if (store && store.sessionId === entry.sessionId) {
      const found = this.match(entry, store.messages);
      if (found !== null) return found;
    }
    const since = entry.notBefore ?? new Date(Date.parse(entry.createdAt) - CLOCK_SKEW_MS).toISOString();
    const recent: SentMessage[] = await this.host.backend().recentMessages(entry.sessionId, since);
    return this.match(entry, recent);
  }

  /** Stored by the server: leaves now if its message is in the store (or no list shows it), else when it shows. */
  private answered(entry: StoredEntry, messageId: string | null): void {
    if (!this.list.includes(entry)) return; // its message showed while the request was out
    entry.answered = true;
    entry.answeredAt = this.clock.now();
    if (messageId !== null) entry.messageId = messageId;
    const store = this.host.store();
    const shown = store && store.sessionId === entry.sessionId ? this.match(entry, store.messages) : null;
    if (!store || store.sessionId !== entry.sessionId || shown !== null) {
      this.claim(shown ?? messageId);
      this.list = this.list.filter((other) => other !== entry);
    } else if (entry.uncertain) {
      this.host.refresh(); // found by the read: bring it into the store, where it replaces the entry
    }
    void this.changed();
  }

  private failed(entry: StoredEntry, error: unknown): void {
    if (!this.list.includes(entry)) return; // its message showed while the request was out
    if (error instanceof ApiError && error.status === 0) this.host.checkNetwork();
    const problem = error instanceof ApiError
      ? { status: error.status, code: error.code, message: error.message, retryAfter: error.retryAfter }
      : { status: 0, code: 'error', message: error instanceof Error ? error.message : String(error), retryAfter: null };
    if (outcomeUnknown(problem)) entry.uncertain = true;
    const now = this.clock.now();
    entry.code = problem.code;
    entry.reason = problem.message;
    switch (classifyFailure(problem)) {
      case 'retry':
        entry.status = 'queued';
        entry.failures = (entry.failures ?? 0) + 1;
        entry.nextAttemptAt = now + backoffMs(entry.failures, this.clock.random(), parseRetryAfter(problem.retryAfter, now));
        if (!this.online) Object.assign(entry, waitingForNetwork());
        break;
      case 'wait':
        entry.status = 'queued';
        entry.waitingFor = problem.status === 0 ? 'permission' : 'token';
        entry.nextAttemptAt = now + BACKOFF_CAP_MS; // in case the change comes without an event
        break;
      case 'fail':
        entry.status = 'failed';
        break;
    }
    void this.changed();
  }

  /** Answered entries whose message never showed leave after ACKNOWLEDGED_WAIT_MS: the server has them. */
  private expireAnswered(now: number): void {
    const before = this.list.length;
    this.list = this.list.filter((entry) => !(entry.answered && entry.answeredAt !== undefined && now - entry.answeredAt >= ACKNOWLEDGED_WAIT_MS));
    if (this.list.length !== before) void this.changed();
  }

  private match(entry: StoredEntry, messages: readonly (Message | SentMessage)[]): string | null {
    return findServerMessage(entry, messages, new Set(this.claimed));
  }

  private claim(messageId: string | null): void {
    if (messageId === null) return;
    this.claimed = [...this.claimed.filter((id) => id !== messageId), messageId].slice(-KEPT_CLAIMS);
  }

  private find(clientMessageId: string): StoredEntry {
    const entry = this.list.find((candidate) => candidate.clientMessageId === clientMessageId);
    if (!entry) throw new ApiError(404, 'not_in_outbox', 'This message is no longer in the outbox');
    return entry;
  }

  // ---- storage and views --------------------------------------------------------------------------

  private async load(): Promise<void> {
    await this.host.started;
    try {
      const stored = (await chrome.storage.local.get(OUTBOX_KEY))[OUTBOX_KEY] as Partial<Persisted> | undefined;
      this.list = Array.isArray(stored?.entries) ? stored.entries.filter(isEntry) : [];
      this.claimed = Array.isArray(stored?.claimed) ? stored.claimed.filter((id): id is string => typeof id === 'string') : [];
    } catch {
      this.list = [];
    }
    for (const entry of this.list) {
      delete entry.answeredAt; // the wait starts again with this worker
      if (entry.answered) {
        entry.answeredAt = this.clock.now();
      } else if (entry.status === 'sending') {
        // The worker stopped with a request out: it may have been stored.
        entry.status = 'queued';
        entry.uncertain = true;
      }
      if (entry.status === 'queued') clearWait(entry);
      if (entry.status === 'queued' && !this.online) Object.assign(entry, waitingForNetwork());
    }
    this.host.broadcast({ type: 'outbox', entries: this.entries() });
    this.reportFailed();
    this.pump();
  }

  /** Tells the views and writes the outbox (writes in order); resolves once written. */
  private changed(): Promise<void> {
    this.host.broadcast({ type: 'outbox', entries: this.entries() });
    this.reportFailed();
    const snapshot: Persisted = { entries: this.list.map((entry) => ({ ...entry })), claimed: [...this.claimed] };
    this.writes = this.writes.then(() => chrome.storage.local.set({ [OUTBOX_KEY]: snapshot })).catch(() => {});
    return this.writes;
  }

  private reportFailed(): void {
    const failed = this.list.filter((entry) => entry.status === 'failed').length;
    if (failed === this.failedCount) return;
    this.failedCount = failed;
    this.host.failedChanged(failed);
  }
}

function waitingForNetwork(): Partial<StoredEntry> {
  return { code: OFFLINE_CODE, reason: 'Waiting for network' };
}

/** Back to a plain queued entry, tried at once (the failure it waited on is over). */
function clearWait(entry: StoredEntry): void {
  delete entry.waitingFor;
  delete entry.nextAttemptAt;
  delete entry.code;
  delete entry.reason;
}

function newestTimestamp(messages: readonly Message[]): string | undefined {
  let newest: string | undefined;
  for (const message of messages) if (newest === undefined || Date.parse(message.timestamp) > Date.parse(newest)) newest = message.timestamp;
  return newest;
}

function isEntry(raw: unknown): raw is StoredEntry {
  const entry = raw as Partial<StoredEntry> | null;
  return typeof entry?.clientMessageId === 'string' && typeof entry.sessionId === 'string' && typeof entry.content === 'string'
    && typeof entry.createdAt === 'string' && typeof entry.attempts === 'number'
    && (entry.status === 'queued' || entry.status === 'sending' || entry.status === 'failed');
}
