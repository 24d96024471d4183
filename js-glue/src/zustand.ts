// pushsync/zustand: keeps a Zustand store's slice in the roadmap's shape (§7, Task 4), driven by a
// Sync. It needs nothing of Zustand but `getState` and `setState`, so it works with Zustand 4 and 5,
// with or without the immer middleware (the roadmap's `setState(draft => ...)`), and with any store
// of that shape.
//
//   const manager = createMessageSyncManager(sync);
//   manager.initialize(useAppState.getState, useAppState.setState);   // the roadmap's call
//   manager.startSync(sessionId);                                      // where loadMessages was
import type { Sync } from './sync.js';
import {
  createSyncStore,
  type ChatMessage,
  type MessagesLoadingState,
  type SyncSnapshot,
  type SyncStoreOptions,
  type WsConnectionState,
} from './sync-store.js';
import type { Gap, StateCode, StateInfo } from './types.js';

export {
  createSyncStore,
  parseTimestamp,
  toChatMessage,
  toWsConnectionState,
  type ChatMessage,
  type MessagesLoadingState,
  type SyncSnapshot,
  type SyncStore,
  type SyncStoreOptions,
  type WsConnectionState,
} from './sync-store.js';

/** The fields the binding writes into the slice (the roadmap's names, plus three of its own). */
export interface SyncSliceFields<M = ChatMessage> {
  /** The session's messages in order; a new array on each change, unchanged items kept. */
  messages: M[];
  wsConnectionState: WsConnectionState;
  /** Why push is not used, for people ("No token", "Auth failed", "Server unreachable"...), while 'fallback'; else null. */
  wsFallbackReason: string | null;
  /** The same for logic: 'no_token', 'auth_failed', 'server_unreachable', 'refused', 'not_configured'...; else null. */
  wsFallbackCode: StateCode | null;
  /** The engine's own state (tells 'offline' from 'disconnected', "Attempt 2 of 5" while reconnecting). */
  wsEngineState: StateInfo;
  isServerTyping: boolean;
  /** e.g. "thinking", "executing"; null when none was given. */
  serverTypingContext: string | null;
  messagesLoadingState: MessagesLoadingState;
  /** Where the backend could not give messages, and how many (see Gap); [] when none. */
  messageGaps: Gap[];
}

/**
 * What the binding needs of a store: Zustand's `useAppState` or `createStore(...)` have it. The
 * binding calls `setState(() => next)` with a function that ignores its argument and returns the
 * changed top-level fields, which plain Zustand merges and the immer middleware takes as is.
 */
export interface StoreAccess {
  getState: () => any; // eslint-disable-line @typescript-eslint/no-explicit-any
  setState: (updater: (state: any) => any) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface BindOptions<M = ChatMessage> extends SyncStoreOptions<M> {
  /** The slice the fields go in: 'currentTask' (the default, as in the roadmap), or null for the top level. */
  slice?: string | null;
  /**
   * A `session_update` for the followed session, e.g. the roadmap's
   * `getState().sessions.actions.updateSession(sessionId, { status, updatedAt: Date.now() })`.
   */
  onSessionUpdate?: (update: { sessionId: string; status: string }) => void;
}

/** The slice's fields from a snapshot. */
export function sliceFields<M>(snapshot: SyncSnapshot<M>): SyncSliceFields<M> {
  const { state, typing } = snapshot;
  const fallback = state.state === 'polling';
  return {
    messages: snapshot.messages as M[],
    wsConnectionState: snapshot.connection,
    wsFallbackReason: fallback ? state.reason : null,
    wsFallbackCode: fallback ? state.code : null,
    wsEngineState: state,
    isServerTyping: typing.isTyping,
    serverTypingContext: typing.context === '' ? null : typing.context,
    messagesLoadingState: snapshot.loading,
    messageGaps: snapshot.gaps as Gap[],
  };
}

/**
 * Writes the Sync's messages, connection state, typing, loading state and gaps into
 * `store.getState()[slice]` now and after every change, one `setState` per change. Returns the
 * function that stops it (no `setState` after it returns).
 */
export function bindSync<M = ChatMessage>(sync: Sync, store: StoreAccess, options: BindOptions<M> = {}): () => void {
  const slice = options.slice === undefined ? 'currentTask' : options.slice;
  const view = createSyncStore<M>(sync, options);
  let written: SyncSliceFields<M> | undefined;
  let bound = true;

  const write = (): void => {
    if (!bound) return;
    const fields = sliceFields(view.getSnapshot());
    const keys = Object.keys(fields) as Array<keyof SyncSliceFields<M>>;
    if (written && keys.every((key) => Object.is(written![key], fields[key]))) return;
    written = fields;
    // Every field each time (unchanged ones keep their objects, so selectors see no change): what
    // the app reset in the slice meanwhile is put right at the next change.
    if (slice === null) {
      store.setState(() => ({ ...fields }));
      return;
    }
    // Read outside the updater: with immer the updater's argument is a draft, not to be spread.
    const current = (store.getState() as Record<string, unknown> | undefined)?.[slice];
    const next = { ...(current as object | undefined), ...fields };
    store.setState(() => ({ [slice]: next }));
  };

  const onSession = ({ sessionId, status }: { sessionId: string; status: string }): void => {
    if (status !== '' && sessionId === sync.sessionId()) options.onSessionUpdate?.({ sessionId, status });
  };

  write();
  const unsubscribe = view.subscribe(write);
  if (options.onSessionUpdate) sync.on('session', onSession);
  return () => {
    if (!bound) return;
    bound = false;
    unsubscribe();
    view.destroy();
    sync.off('session', onSession);
  };
}

/** The roadmap's MessageSyncManager (§7.1), with the Sync doing what its WebSocket service did. */
export interface MessageSyncManager {
  readonly sync: Sync;
  /** Binds the store (once; later calls are ignored, as in the roadmap). */
  initialize(getState: StoreAccess['getState'], setState: StoreAccess['setState']): void;
  /** Follows a session: its messages fill the slice, push and polling keep it current. */
  startSync(sessionId: string): Promise<void>;
  /** Stops syncing; the messages stay in the slice. */
  stopSync(): Promise<void>;
  /** Stops writing to the store (the Sync goes on); initialize may bind again. */
  destroy(): void;
}

export function createMessageSyncManager<M = ChatMessage>(sync: Sync, options: BindOptions<M> = {}): MessageSyncManager {
  let unbind: (() => void) | undefined;
  return {
    sync,
    initialize(getState, setState) {
      if (unbind) return;
      unbind = bindSync(sync, { getState, setState }, options);
    },
    async startSync(sessionId) {
      sync.selectSession(sessionId);
      await sync.ready.catch(() => undefined); // a failed load is an 'error' event
    },
    async stopSync() {
      sync.stop();
    },
    destroy() {
      unbind?.();
      unbind = undefined;
    },
  };
}
