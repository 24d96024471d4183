// A JavaScript list of the ordered messages, kept equal to the engine's store by applying each
// `messages` diff as it is made. createSync keeps one only for a host that asks for `messages()`;
// a host that follows the 'messages' events, or reads ranges of the store, never pays for it.
import { diffMessages, readRange, type DiffMessages } from './diff-messages.js';
import type { EngineView } from './wasm/pushsync.mjs';
import type { CarriedMessages, Message, MessagesDiff } from './types.js';

export interface AppliedDiff extends DiffMessages {
  /** The mirror had drifted from the store (it never should) and was reloaded whole. */
  resynced: boolean;
}

export class MessageMirror {
  private list: Message[] = [];

  get messages(): readonly Message[] {
    return this.list;
  }

  /** Reads the diff's messages (see diffMessages) and applies it; reloads when it does not fit. */
  apply(diff: MessagesDiff, view: EngineView, carried?: CarriedMessages): AppliedDiff {
    const messages = diffMessages(diff, view, carried);
    const resynced = !this.place(diff, messages);
    if (resynced) this.reload(view);
    return { ...messages, resynced };
  }

  /** Applies a diff whose messages are known; false when the result does not have the diff's size. */
  place(diff: MessagesDiff, { inserted, updated }: DiffMessages): boolean {
    if (diff.reset) this.list = [];
    if (diff.removedFront > 0) this.list.splice(0, diff.removedFront);
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
    return list.length === diff.size;
  }

  reload(view: EngineView): void {
    this.list = readRange(view, 0, view.size());
  }

  /** Takes `messages` as the whole list (read from the store by the caller). */
  replace(messages: Message[]): void {
    this.list = messages;
  }
}
