// The messages a `messages` diff names, and ranges of the store, read from the engine. A diff is in
// final positions of the store right after the call that made it, so its messages must be read
// before the engine takes another input (reading is a read-only call, safe inside the module's
// callback). A diff that carries its messages (the module's Client writes them into the effect)
// needs no read at all.
import type { EngineView } from './wasm/pushsync.mjs';
import type { CarriedMessages, Message, MessagesDiff } from './types.js';

export interface DiffMessages {
  /** The messages now at `diff.inserted`, in that order. */
  inserted: Message[];
  /** The messages now at `diff.updated`, in that order. */
  updated: Message[];
}

/** The diff's messages: the carried ones when they fit the diff, else read from the store. */
export function diffMessages(diff: MessagesDiff, view: EngineView, carried?: CarriedMessages): DiffMessages {
  if (carried && carried.insertedMessages.length === diff.inserted.length && carried.updatedMessages.length === diff.updated.length) {
    return { inserted: carried.insertedMessages, updated: carried.updatedMessages };
  }
  const read = readPositions(view, [...diff.inserted, ...diff.updated]);
  const at = (position: number): Message => {
    const message = read.get(position);
    if (!message) throw new Error(`the store has no message at ${position}`);
    return message;
  };
  return { inserted: diff.inserted.map(at), updated: diff.updated.map(at) };
}

/** Messages [start, start + count) of the store, clamped to its size: new objects each call. */
export function readRange(view: EngineView, start: number, count: number): Message[] {
  const size = view.size();
  const first = Math.min(start, size);
  const length = Math.min(count, size - first);
  return length > 0 ? (JSON.parse(view.messagesJson(first, length)) as Message[]) : [];
}

/** One messagesJson call per run of nearby positions, not one per message. */
function readPositions(view: EngineView, positions: number[]): Map<number, Message> {
  const sorted = [...new Set(positions)].sort((a, b) => a - b);
  const found = new Map<number, Message>();
  const nearby = 16; // reading a few unneeded messages is cheaper than another call
  for (let i = 0; i < sorted.length; ) {
    const first = sorted[i]!;
    let last = first;
    while (i + 1 < sorted.length && sorted[i + 1]! - last <= nearby) last = sorted[++i]!;
    i++;
    const batch = JSON.parse(view.messagesJson(first, last - first + 1)) as Message[];
    batch.forEach((message, offset) => found.set(first + offset, message));
  }
  return found;
}
