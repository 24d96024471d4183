// The windowed message list's arithmetic (message-list-view.ts), as pure functions: which rows of
// the chat are in the DOM. A window is [start, end) in the chat's message list. Plain JavaScript
// with JSDoc types, so that the extension (bundled by esbuild, checked by tsc) and `node --test`
// use this one file.

/**
 * @typedef {{ start: number, end: number }} ListWindow
 * @typedef {{ reset: boolean, removedFront: number, inserted: readonly number[], updated: readonly number[] }} PositionalDiff
 */

/**
 * The same rows after the engine's diff (final positions, ascending: the glue's MessagesDiff), in
 * O(changed). `touched`: a row of the window changed, or one was added inside it or just after a
 * window that is not full, so the window's rows must be walked; otherwise only the spacers change.
 * A reset gives an empty window, touched.
 * @param {ListWindow} window
 * @param {PositionalDiff} diff
 * @param {number} windowRows the window's size when full
 * @returns {ListWindow & { touched: boolean }}
 */
export function shiftWindow(window, diff, windowRows) {
  if (diff.reset) return { start: 0, end: 0, touched: true };
  let { start, end } = window;
  let touched = false;
  if (diff.removedFront > 0) {
    touched = diff.removedFront > start;
    start = Math.max(0, start - diff.removedFront);
    end = Math.max(start, end - diff.removedFront);
  }
  for (const position of diff.inserted) {
    if (position < start || (position === start && start < end)) {
      start++; // above the window: its rows move down by one
      end++;
    } else if (position < end) {
      end++; // inside: the window grows (the view trims it)
      touched = true;
    } else if (end - start < windowRows) {
      touched = true; // just after a window that is not full: the view takes it in
    }
  }
  for (const position of diff.updated) if (position >= start && position < end) touched = true;
  return { start, end, touched };
}

/**
 * The window for following the bottom of a list of `count` rows: the newest `windowRows`, but no
 * more than `perFrame` rows new to the DOM in one frame, counted against the rows of `window` it
 * already has. A burst gets its newest rows at once, and the rows above them over the next frames
 * (`more`: call again next frame).
 * @param {ListWindow} window the rows in the DOM now
 * @param {number} count
 * @param {number} windowRows
 * @param {number} perFrame
 * @returns {ListWindow & { more: boolean }}
 */
export function followWindow(window, count, windowRows, perFrame) {
  const target = Math.max(0, count - windowRows);
  const keptFrom = Math.max(window.start, target);
  const keptTo = Math.max(keptFrom, Math.min(window.end, count));
  const below = count - keptTo; // rows to make under what is kept
  const start =
    keptTo === keptFrom || below >= perFrame
      ? Math.max(target, count - perFrame) // nothing kept: the newest rows first
      : Math.max(target, keptFrom - (perFrame - below));
  return { start, end: count, more: start > target };
}

/**
 * A window that is not following: inside the list, at most `windowRows` long, and full when the
 * list has the rows (rows inserted inside it trimmed from its end; rows removed made up from
 * below, then from above).
 * @param {ListWindow} window
 * @param {number} count
 * @param {number} windowRows
 * @returns {ListWindow}
 */
export function clampWindow(window, count, windowRows) {
  let end = Math.min(window.end, count);
  let start = Math.min(window.start, end);
  if (end - start > windowRows) end = start + windowRows;
  if (end - start < windowRows) end = Math.min(count, start + windowRows);
  if (end - start < windowRows) start = Math.max(0, end - windowRows);
  return { start, end };
}

/**
 * Where the window goes when the reader scrolled. `view` and `rendered` are the viewport and the
 * rendered rows' box in the scroller's content (px); `averageRow` the estimated row height. Near
 * an edge (within one viewport height): moved by `step` rows that way; past the window (a jump):
 * put where the estimate says the viewport is, a third of it above. Null: stays.
 * @param {ListWindow} window
 * @param {number} count
 * @param {{ top: number, bottom: number }} view
 * @param {{ top: number, bottom: number, listTop: number }} rendered
 * @param {{ averageRow: number, windowRows: number, step: number }} sizes
 * @returns {ListWindow | null}
 */
export function scrollWindow(window, count, view, rendered, { averageRow, windowRows, step }) {
  const height = view.bottom - view.top;
  let start;
  if (view.bottom < rendered.top || view.top > rendered.bottom) {
    start = Math.floor((view.top - rendered.listTop) / averageRow) - Math.floor(windowRows / 3);
  } else if (window.start > 0 && view.top - rendered.top < height) {
    start = window.start - step;
  } else if (window.end < count && rendered.bottom - view.bottom < height) {
    start = window.start + step;
  } else {
    return null;
  }
  start = Math.max(0, Math.min(start, count - windowRows));
  if (start === window.start) return null;
  return { start, end: Math.min(count, start + windowRows) };
}

/**
 * While following, the first row of [start, end) to draw this frame so that at most `budget`
 * rows are new to the DOM, counted from the bottom up (`rendered(i)`: row i is in the DOM). Rows
 * inserted inside the window (older history read while the newest are shown) count like rows at
 * its end. `cut`: the window was shortened from the top; the rest comes next frame.
 * @param {number} start
 * @param {number} end
 * @param {(index: number) => boolean} rendered
 * @param {number} budget
 * @returns {{ start: number, cut: boolean }}
 */
export function budgetStart(start, end, rendered, budget) {
  let fresh = 0;
  for (let i = end - 1; i >= start; i--) {
    if (rendered(i)) continue;
    fresh++;
    if (fresh === budget && i > start) return { start: i, cut: true };
  }
  return { start, cut: false };
}
