// Applies the engine's message diffs (docs/core.md, MessagesChanged) to a plain array, the same way
// the glue's mirror does: start empty on `reset`, drop `removedFront`, insert the messages at their
// final positions in ascending order, replace the updated ones. Used by the worker's list, which
// views are given runs of (they apply the same diffs to their run: message-window.ts).
import type { Message, MessagesDiff } from 'pushsync';

/**
 * Changes `list` in place. Returns false when the result does not have the diff's size: the list
 * had drifted from the engine's store and must be replaced by a fresh snapshot.
 */
export function applyDiff(list: Message[], diff: MessagesDiff, inserted: readonly Message[], updated: readonly Message[]): boolean {
  if (inserted.length !== diff.inserted.length || updated.length !== diff.updated.length) return false;
  if (diff.reset) list.length = 0;
  if (diff.removedFront > 0) list.splice(0, diff.removedFront);
  diff.inserted.forEach((position, i) => {
    if (position > list.length) return;
    list.splice(position, 0, inserted[i]!);
  });
  diff.updated.forEach((position, i) => {
    if (position < list.length) list[position] = updated[i]!;
  });
  return list.length === diff.size;
}
