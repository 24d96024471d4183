// The ordered messages on the JavaScript side, kept equal to the engine's store by applying each
// `messages` diff. Diffs are in final positions of the store right after the call that made them,
// so a diff must be applied before the engine takes another input: the Sync calls `apply` as soon
// as effects arrive (reading the store is a read-only call, safe even inside the module's callback).
// A diff that carries its messages (the module's Client writes them into the effect) is applied
// without reading the store at all: no messagesJson call, no second JSON.parse.
import type { EngineView } from './wasm/pushsync.mjs';
import type { CarriedMessages, Message, MessagesDiff } from './types.js';

export interface AppliedDiff {
  inserted: Message[];
  updated: Message[];
  /** The mirror had drifted from the store (it never should) and was reloaded whole. */
  resynced: boolean;
}

export class MessageMirror {
  private list: Message[] = [];

  get messages(): readonly Message[] {
    return this.list;
  }

  apply(diff: MessagesDiff, view: EngineView, carried?: CarriedMessages): AppliedDiff {
    if (diff.reset) this.list = [];
    if (diff.removedFront > 0) this.list.splice(0, diff.removedFront);
    let inserted: Message[];
    let updated: Message[];
    if (carried && carried.insertedMessages.length === diff.inserted.length && carried.updatedMessages.length === diff.updated.length) {
      inserted = carried.insertedMessages;
      updated = carried.updatedMessages;
    } else {
      const read = readPositions(view, [...diff.inserted, ...diff.updated]);
      const at = (position: number): Message => {
        const message = read.get(position);
        if (!message) throw new Error(`the store has no message at ${position}`);
        return message;
      };
      inserted = diff.inserted.map(at);
      updated = diff.updated.map(at);
    }
    const list = this.list;
    // Ascending final positions: inserting in this order puts each where the store has it. The
    // common case (a new newest message) is an append.
    diff.inserted.forEach((position, i) => {
      if (position === list.length) list.push(inserted[i]!);
      else list.splice(position, 0, inserted[i]!);
    });
    diff.updated.forEach((position, i) => {
      list[position] = updated[i]!;
    });
    if (this.list.length !== diff.size) {
      this.reload(view);
      return { inserted, updated, resynced: true };
    }
    return { inserted, updated, resynced: false };
  }

  reload(view: EngineView): void {
    const size = view.size();
    this.list = size > 0 ? (JSON.parse(view.messagesJson(0, size)) as Message[]) : [];
  }
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
