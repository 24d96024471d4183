// An immutable view of a Sync for state libraries (pushsync/zustand, pushsync/react): one snapshot
// object that is replaced, never changed, when the Sync's messages, state, typing, gaps or loading
// change, so `===` tells what changed.
//
// The snapshot's messages are the one JS copy of them: each wire message is converted once, when a
// diff brings it, and the Sync keeps no list of its own for this view. Messages are applied diff by
// diff: each 'messages' event drops `removedFront`, puts the inserted messages at their positions
// and replaces the updated ones, in a new array; the items that did not change are the same
// objects as before. The events' versions tell the diffs a read of the store already holds (the
// read at the start) from the next one; a diff that does not follow, or does not fit (it never
// should), is answered by reading the whole store again.
import type { Sync } from './sync.js';
import type { ConnectionState, Gap, Message, StateInfo, SyncEvents } from './types.js';

/** The roadmap's connection states (§3.4). */
export type WsConnectionState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'fallback';

/** A message in the roadmap's client shape (`src/types/chatMessage.ts`): `id` is the wire's `messageId`. */
export interface ChatMessage {
  id: string;
  role: string;
  content: string;
  status: string;
  timestamp: Date;
  /** Absent (undefined) when the backend sent none: such a message sits by its time. */
  sequenceNumber?: number;
  updatedAt?: Date;
  actionPayload?: unknown;
  error?: { code: string; message: string };
}

/** The roadmap's `messagesLoadingState` (§2.3). */
export interface MessagesLoadingState {
  /** From the selection of a session until its first messages arrive (or it proves empty, or fails). */
  isLoading: boolean;
  lastAttemptSessionId: string | null;
  /** `Date.now()` of the selection, or of the last failure. */
  lastAttemptTime: number | null;
  /**
   * The last failure to load this session (`http_failed`, `bad_payload`): kept until messages
   * arrive, or push connects again and `emptySessionAfterMs` passes without another failure.
   */
  error: string | null;
  /** Failures since the session was selected; the engine retries by itself. */
  retryCount: number;
}

export interface SyncSnapshot<M = ChatMessage> {
  /** The session the Sync follows ("" for none). */
  sessionId: string;
  /** The session's status from its last `session_update` ("" before one). */
  sessionStatus: string;
  /** In the engine's order; never modified: a change makes a new array. */
  messages: readonly M[];
  /** The engine's own state, code and reason. */
  state: StateInfo;
  /** `state` in the roadmap's terms (see toWsConnectionState). */
  connection: WsConnectionState;
  typing: { isTyping: boolean; context: string };
  gaps: readonly Gap[];
  loading: MessagesLoadingState;
}

export interface SyncStoreOptions<M = ChatMessage> {
  /** Turns a wire message into the item kept; called once per message object. Default: toChatMessage. */
  mapMessage?: (message: Message) => M;
  /** Maps the engine's state to the roadmap's. Default: toWsConnectionState. */
  mapState?: (state: StateInfo) => WsConnectionState;
  /**
   * The engine does not report a read that brought nothing: a session that has no messages this
   * long after its selection (or after push connected), without an error, counts as loaded and
   * empty. null: never (isLoading stays true until a message comes). Default 3000.
   */
  emptySessionAfterMs?: number | null;
  /** The clock of `lastAttemptTime`. Default Date.now. */
  now?: () => number;
}

export interface SyncStore<M = ChatMessage> {
  readonly sync: Sync;
  /** The current snapshot: the same object until something changes. */
  getSnapshot(): SyncSnapshot<M>;
  /** Calls `listener` after each change; returns the function that stops it. */
  subscribe(listener: () => void): () => void;
  /** How the messages were kept: diffs applied, and whole reads of the Sync's list. */
  readonly stats: { readonly diffs: number; readonly resyncs: number };
  /** Stops following the Sync (its listeners and timer). The last snapshot stays readable. */
  destroy(): void;
}

/**
 * The engine's states in the roadmap's: polling (push unavailable, REST polling) is 'fallback'
 * whatever the reason (its `code` and `reason` say which); offline (the network is down) is
 * 'disconnected', told apart by `state.state === 'offline'`. 'failed' is never given: the engine
 * never gives up (after 5 failed retries it polls and probes push every 4-8 s); a `mapState` can
 * give it, e.g. for code 'refused'.
 */
export function toWsConnectionState(info: StateInfo): WsConnectionState {
  const table: Record<ConnectionState, WsConnectionState> = {
    disconnected: 'disconnected',
    connecting: 'connecting',
    connected: 'connected',
    reconnecting: 'reconnecting',
    polling: 'fallback',
    offline: 'disconnected',
  };
  return table[info.state] ?? 'disconnected';
}

/** The wire message as the roadmap's ChatMessage: `id` from `messageId`, times as Dates. */
export function toChatMessage(message: Message): ChatMessage {
  return {
    id: message.messageId,
    role: message.role,
    content: message.content ?? '',
    status: message.status,
    timestamp: parseTimestamp(message.timestamp),
    sequenceNumber: typeof message.sequenceNumber === 'number' ? message.sequenceNumber : undefined,
    updatedAt: message.updatedAt ? parseTimestamp(message.updatedAt) : undefined,
    actionPayload: message.actionPayload,
    error: message.error,
  };
}

/** ISO-8601 as the engine passes it on (`Z`, `+hh:mm` or `+hhmm`), or epoch milliseconds. */
export function parseTimestamp(text: string): Date {
  if (/^-?\d+$/.test(text)) return new Date(Number(text));
  return new Date(text.includes('T') ? text.replace(/([+-]\d\d)(\d\d)$/, '$1:$2') : text);
}

const LOADING_ERRORS = new Set(['http_failed', 'bad_payload']);

function idleLoading(): MessagesLoadingState {
  return { isLoading: false, lastAttemptSessionId: null, lastAttemptTime: null, error: null, retryCount: 0 };
}

export function createSyncStore<M = ChatMessage>(sync: Sync, options: SyncStoreOptions<M> = {}): SyncStore<M> {
  return new SyncView(sync, options);
}

type Handlers = { [E in keyof SyncEvents]?: (value: SyncEvents[E]) => void };

class SyncView<M> implements SyncStore<M> {
  readonly stats = { diffs: 0, resyncs: 0 };
  private snapshot: SyncSnapshot<M>;
  /** The Sync's messagesVersion that snapshot.messages shows. */
  private version = 0;
  private readonly listeners = new Set<() => void>();
  private readonly mapMessage: (message: Message) => M;
  private readonly mapState: (state: StateInfo) => WsConnectionState;
  private readonly now: () => number;
  private readonly handlers: Handlers;
  /** The selected session's messages have come (or it proved empty). */
  private loaded: boolean;
  private emptyTimer: ReturnType<typeof setTimeout> | undefined;
  private destroyed = false;

  constructor(
    readonly sync: Sync,
    private readonly options: SyncStoreOptions<M>,
  ) {
    this.mapMessage = options.mapMessage ?? (toChatMessage as unknown as (message: Message) => M);
    this.mapState = options.mapState ?? toWsConnectionState;
    this.now = options.now ?? Date.now;
    const messages = this.reread();
    const sessionId = sync.sessionId();
    const state = sync.state();
    this.loaded = sessionId !== '' && messages.length > 0;
    const loading = idleLoading();
    if (sessionId !== '') {
      loading.lastAttemptSessionId = sessionId;
      loading.isLoading = !this.loaded;
      if (!this.loaded) loading.lastAttemptTime = this.now();
    }
    this.snapshot = {
      sessionId,
      sessionStatus: '',
      messages,
      state,
      connection: this.mapState(state),
      typing: sync.typing(),
      gaps: sync.gaps(),
      loading,
    };
    if (loading.isLoading) this.armEmptyTimer();

    this.handlers = {
      messages: (event) => this.onMessages(event),
      session: (event) => this.onSession(event),
      state: (event) => this.onState(event),
      typing: ({ isTyping, context }) => this.update({ typing: { isTyping, context } }),
      gaps: ({ gaps }) => this.update({ gaps }),
      // The engine's own word that the first read is done: an empty session needs no timer then.
      loaded: ({ sessionId }) => {
        if (!this.loaded && sessionId === this.snapshot.sessionId) this.update({ loading: this.loadedState() });
      },
      error: (event) => this.onError(event),
    };
    for (const [name, fn] of Object.entries(this.handlers)) sync.on(name as keyof SyncEvents, fn as never);
  }

  getSnapshot = (): SyncSnapshot<M> => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const [name, fn] of Object.entries(this.handlers)) this.sync.off(name as keyof SyncEvents, fn as never);
    this.clearEmptyTimer();
    this.listeners.clear();
  }

  // ---- events ----------------------------------------------------------------------------------

  private onMessages({ diff, inserted, updated, version }: SyncEvents['messages']): void {
    if (version <= this.version) return; // the store was read after this diff: it is in already
    const applied = version === this.version + 1 ? this.apply(diff, inserted, updated) : undefined;
    this.version = version;
    if (applied) this.stats.diffs++;
    else this.stats.resyncs++;
    const messages = applied ?? this.reread();
    const change: Partial<SyncSnapshot<M>> = { messages };
    // The selection's own reset (an empty list) is not the session's messages yet.
    const selectionReset = diff.reset && diff.inserted.length === 0 && diff.updated.length === 0;
    if (!this.loaded && this.snapshot.sessionId !== '' && (!selectionReset || messages.length > 0)) {
      change.loading = this.loadedState();
    }
    this.update(change);
  }

  private onSession({ sessionId, status }: SyncEvents['session']): void {
    if (status !== '') {
      if (sessionId === this.snapshot.sessionId) this.update({ sessionStatus: status });
      return;
    }
    // The selection changed (a reset diff follows).
    this.loaded = false;
    this.clearEmptyTimer();
    const loading: MessagesLoadingState =
      sessionId === ''
        ? { ...this.snapshot.loading, isLoading: false }
        : { isLoading: true, lastAttemptSessionId: sessionId, lastAttemptTime: this.now(), error: null, retryCount: 0 };
    this.update({ sessionId, sessionStatus: '', loading });
    if (sessionId !== '') this.armEmptyTimer();
  }

  private onState(state: SyncEvents['state']): void {
    const { state: name, code, reason } = state;
    this.update({ state: { state: name, code, reason }, connection: this.mapState(state) });
    // Push subscribed means the app server answers: a catch-up read is under way.
    if (name === 'connected' && !this.loaded && this.snapshot.sessionId !== '') this.armEmptyTimer();
  }

  private onError({ code, message }: SyncEvents['error']): void {
    if (!LOADING_ERRORS.has(code) || this.loaded || this.snapshot.sessionId === '') return;
    this.clearEmptyTimer();
    const previous = this.snapshot.loading;
    this.update({
      loading: { ...previous, isLoading: false, lastAttemptTime: this.now(), error: message, retryCount: previous.retryCount + 1 },
    });
  }

  private loadedState(): MessagesLoadingState {
    this.loaded = true;
    this.clearEmptyTimer();
    return { ...this.snapshot.loading, isLoading: false, error: null };
  }

  private armEmptyTimer(): void {
    const after = this.options.emptySessionAfterMs === undefined ? 3000 : this.options.emptySessionAfterMs;
    if (after === null || this.destroyed) return;
    this.clearEmptyTimer();
    const timer = setTimeout(() => {
      this.emptyTimer = undefined;
      if (this.loaded || this.destroyed || this.snapshot.sessionId === '') return;
      this.update({ loading: this.loadedState() });
    }, after);
    // Node: a pending check never keeps the process alive.
    (timer as { unref?: () => void }).unref?.();
    this.emptyTimer = timer;
  }

  private clearEmptyTimer(): void {
    if (this.emptyTimer !== undefined) clearTimeout(this.emptyTimer);
    this.emptyTimer = undefined;
  }

  // ---- messages --------------------------------------------------------------------------------

  /** The diff applied to the current items, in a new array; undefined when it does not fit. */
  private apply(diff: SyncEvents['messages']['diff'], inserted: Message[], updated: Message[]): M[] | undefined {
    if (inserted.length !== diff.inserted.length || updated.length !== diff.updated.length) return undefined;
    const old = diff.reset ? [] : this.snapshot.messages;
    const front = diff.reset ? 0 : diff.removedFront;
    const size = diff.size;
    if (front < 0 || front > old.length || old.length - front + inserted.length !== size) return undefined;
    let items: M[];
    const kept = old.length - front;
    if (inserted.length === 0 || diff.inserted[0]! >= kept) {
      // Nothing inserted, or only after the kept ones (the usual new message): copy and append.
      items = old.slice(front);
      for (let i = 0; i < inserted.length; i++) {
        if (diff.inserted[i] !== kept + i) return undefined;
        items.push(this.mapMessage(inserted[i]!));
      }
    } else {
      // Inserted positions are ascending final positions: merge them with the kept ones.
      items = new Array<M>(size);
      let from = front;
      let next = 0;
      for (let position = 0; position < size; position++) {
        if (next < inserted.length && diff.inserted[next] === position) {
          items[position] = this.mapMessage(inserted[next]!);
          next++;
        } else {
          if (from >= old.length) return undefined;
          items[position] = old[from]!;
          from++;
        }
      }
      if (next !== inserted.length || from !== old.length) return undefined;
    }
    for (let i = 0; i < updated.length; i++) {
      const position = diff.updated[i]!;
      if (!(position >= 0 && position < size)) return undefined;
      items[position] = this.mapMessage(updated[i]!);
    }
    return items;
  }

  /** The whole store read again from the Sync, and its version. */
  private reread(): M[] {
    const messages = this.sync.readMessages().map((message) => this.mapMessage(message));
    this.version = this.sync.messagesVersion();
    return messages;
  }

  // ---- snapshots -------------------------------------------------------------------------------

  /** A new snapshot with the fields that changed; the others keep their objects. */
  private update(change: Partial<SyncSnapshot<M>>): void {
    if (this.destroyed) return;
    const current = this.snapshot;
    const next: Record<string, unknown> = { ...current };
    let changed = false;
    for (const key of Object.keys(change) as Array<keyof SyncSnapshot<M>>) {
      const value = change[key];
      if (key === 'messages' ? value === current.messages : sameValue(current[key], value)) continue;
      next[key] = value;
      changed = true;
    }
    if (!changed) return;
    this.snapshot = next as unknown as SyncSnapshot<M>;
    let failure: unknown;
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (error) {
        failure ??= error;
      }
    }
    // The Sync reports a throwing listener as an 'error' event (code 'listener').
    if (failure !== undefined) throw failure;
  }
}

/** Equal for the snapshot's purpose: the same value, records with the same fields, lists of such records. */
function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => sameValue(item, b[i]));
  }
  const keysA = Object.keys(a);
  if (keysA.length !== Object.keys(b).length) return false;
  return keysA.every((key) => Object.is((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}
