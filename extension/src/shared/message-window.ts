// A view's part of the worker's message list: one run of it, `messages` = list[offset, offset +
// messages.length), and the list's size, `total`. A view is given the newest messages in its
// snapshot and asks for other runs as the reader scrolls (docs/extension.md, "A view holds a
// window"), so a popup on a 10,000-message chat holds a few hundred of them, not the worker's
// whole list. The engine's diffs are positional in the whole list (docs/core.md, MessagesChanged):
// applyWindowDiff keeps the run's messages and its offset right under them, keeping a message the
// diff brings only where the run reaches it (inside it, or at an end of the list the run reaches).
import type { Message, MessagesDiff } from 'pushsync';

export interface MessageWindow {
  messages: Message[];
  /** The index in the whole list of `messages[0]`. */
  offset: number;
  /** The size of the whole list. */
  total: number;
}

/**
 * Applies `diff` to `window` in place, the same diff applyDiff applies to the whole list. Returns
 * false when the result does not have the diff's size: the view had drifted from the worker's list
 * and must be given a fresh snapshot.
 */
export function applyWindowDiff(window: MessageWindow, diff: MessagesDiff, inserted: readonly Message[], updated: readonly Message[]): boolean {
  if (inserted.length !== diff.inserted.length || updated.length !== diff.updated.length) return false;
  const held = window.messages;
  if (diff.reset) {
    held.length = 0;
    window.offset = 0;
    window.total = 0;
  }
  const removed = Math.min(diff.removedFront, window.total);
  if (removed > 0) {
    const cut = Math.max(0, removed - window.offset);
    if (cut > 0) held.splice(0, cut);
    window.offset = Math.max(0, window.offset - removed);
    window.total -= removed;
  }
  // Final positions, ascending: each is also the message's position in the list as it stands
  // after the ones before it went in.
  diff.inserted.forEach((position, i) => {
    if (position > window.total) return; // the whole-list mirror skips it too; the size check tells
    const end = window.offset + held.length;
    const inside =
      (position > window.offset && position < end) ||
      (position === window.offset && window.offset === 0) || // the run starts the list
      (position === end && end === window.total); // the run ends the list
    if (inside) held.splice(position - window.offset, 0, inserted[i]!);
    else if (position <= window.offset) window.offset++;
    window.total++;
  });
  diff.updated.forEach((position, i) => {
    const at = position - window.offset;
    if (at >= 0 && at < held.length) held[at] = updated[i]!;
  });
  return window.total === diff.size;
}

/**
 * A run of the list the worker answered with (`messages` = list[start, start + messages.length),
 * in the same list as `window`: answers come in line with the diffs) joins the window when the two
 * touch or overlap, and replaces it when they do not (the reader jumped).
 */
export function mergeRange(window: MessageWindow, start: number, messages: readonly Message[]): void {
  const end = start + messages.length;
  const heldEnd = window.offset + window.messages.length;
  if (end < window.offset || start > heldEnd || window.messages.length === 0) {
    window.messages = [...messages];
    window.offset = start;
    return;
  }
  const before = messages.slice(0, Math.max(0, window.offset - start));
  const after = messages.slice(Math.max(0, heldEnd - start));
  window.messages = [...before, ...window.messages, ...after];
  window.offset = Math.min(start, window.offset);
}

/** Keeps only list[from, to) of the window's run (the rows near what the view shows). */
export function trimWindow(window: MessageWindow, from: number, to: number): void {
  const start = Math.max(window.offset, from);
  const end = Math.min(window.offset + window.messages.length, to);
  window.messages = end > start ? window.messages.slice(start - window.offset, end - window.offset) : [];
  window.offset = end > start ? start : Math.min(Math.max(from, 0), window.total);
}
