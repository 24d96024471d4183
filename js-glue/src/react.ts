// pushsync/react: React 18+ hooks over a Sync, on useSyncExternalStore (no tearing, works with
// concurrent rendering and server rendering).
//
//   const messages = useSync(sync, (s) => s.messages);                  // ChatMessage[]
//   const { connection, typing, loading } = useSync(sync);              // the whole snapshot
import { useRef, useSyncExternalStore } from 'react';
import type { Sync } from './sync.js';
import { createSyncStore, type ChatMessage, type SyncSnapshot, type SyncStore } from './sync-store.js';

export {
  createSyncStore,
  toChatMessage,
  toWsConnectionState,
  type ChatMessage,
  type MessagesLoadingState,
  type SyncSnapshot,
  type SyncStore,
  type SyncStoreOptions,
  type WsConnectionState,
} from './sync-store.js';

const shared = new WeakMap<Sync, SyncStore<ChatMessage>>();

/**
 * The one SyncStore (default options) that the hooks use for `sync`: made at the first call and
 * following the Sync from then on, for as long as the Sync lives.
 */
export function syncStoreOf(sync: Sync): SyncStore<ChatMessage> {
  let store = shared.get(sync);
  if (!store) shared.set(sync, (store = createSyncStore(sync)));
  return store;
}

function isStore<M>(source: Sync | SyncStore<M>): source is SyncStore<M> {
  return typeof (source as SyncStore<M>).getSnapshot === 'function';
}

/**
 * The Sync's snapshot, or what `selector` picks from it; the component renders again when that
 * changes (`Object.is`, or `isEqual`). `source` is a Sync, or a SyncStore made with
 * createSyncStore (for its own `mapMessage`). The selector may be an inline function.
 */
export function useSync<M = ChatMessage>(source: Sync | SyncStore<M>): SyncSnapshot<M>;
export function useSync<T, M = ChatMessage>(
  source: Sync | SyncStore<M>,
  selector: (snapshot: SyncSnapshot<M>) => T,
  isEqual?: (a: T, b: T) => boolean,
): T;
export function useSync<T, M = ChatMessage>(
  source: Sync | SyncStore<M>,
  selector?: (snapshot: SyncSnapshot<M>) => T,
  isEqual?: (a: T, b: T) => boolean,
): T | SyncSnapshot<M> {
  const store = isStore(source) ? source : (syncStoreOf(source) as unknown as SyncStore<M>);
  // The last selection, so getSnapshot gives the same value until the snapshot (or selector) changes.
  const memo = useRef<{ snapshot: SyncSnapshot<M>; selector: typeof selector; selected: T | SyncSnapshot<M> } | null>(null);
  const select = (): T | SyncSnapshot<M> => {
    const snapshot = store.getSnapshot();
    const last = memo.current;
    if (last && last.snapshot === snapshot && last.selector === selector) return last.selected;
    let selected: T | SyncSnapshot<M> = selector ? selector(snapshot) : snapshot;
    if (last && selector && last.selector !== undefined && isEqual?.(last.selected as T, selected as T)) selected = last.selected;
    memo.current = { snapshot, selector, selected };
    return selected;
  };
  return useSyncExternalStore(store.subscribe, select, select);
}

/** The session's messages (ChatMessage[]), re-rendering only when they change. */
export function useSyncMessages(sync: Sync): readonly ChatMessage[] {
  return useSync(sync, selectMessages);
}

const selectMessages = (snapshot: SyncSnapshot<ChatMessage>): readonly ChatMessage[] => snapshot.messages;
