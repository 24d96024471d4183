// The windowed message list's arithmetic (extension/src/popup/list-window.js): which rows of a
// chat are in the DOM after a diff, while following the bottom, when the list changed under a
// reader who scrolled up, and when they scroll. No browser, no build: `node --test tests/extension/`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { budgetStart, clampWindow, followWindow, scrollWindow, shiftWindow } from '../../extension/src/popup/list-window.js';

const W = 150;
const diff = (fields) => ({ reset: false, removedFront: 0, inserted: [], updated: [], ...fields });

test('a diff above the window moves it down by what was inserted, without a walk', () => {
  // Older history read while the reader looks at rows 100-249: five rows at the top.
  assert.deepEqual(shiftWindow({ start: 100, end: 250 }, diff({ inserted: [0, 1, 2, 3, 4] }), W), { start: 105, end: 255, touched: false });
  // Inserted right at the window's first row: that row moves down, the new one stays above.
  assert.deepEqual(shiftWindow({ start: 100, end: 250 }, diff({ inserted: [100] }), W), { start: 101, end: 251, touched: false });
});

test('a diff inside the window grows it and asks for a walk; an update inside asks for a walk', () => {
  assert.deepEqual(shiftWindow({ start: 100, end: 250 }, diff({ inserted: [120] }), W), { start: 100, end: 251, touched: true });
  assert.deepEqual(shiftWindow({ start: 100, end: 250 }, diff({ updated: [249] }), W), { start: 100, end: 250, touched: true });
  assert.deepEqual(shiftWindow({ start: 100, end: 250 }, diff({ updated: [250, 99] }), W), { start: 100, end: 250, touched: false });
});

test('appended after a full window: nothing to walk; after a window that is not full: a walk', () => {
  assert.deepEqual(shiftWindow({ start: 100, end: 250 }, diff({ inserted: [250] }), W), { start: 100, end: 250, touched: false });
  assert.deepEqual(shiftWindow({ start: 0, end: 3 }, diff({ inserted: [3, 4] }), W), { start: 0, end: 3, touched: true });
  // The first page into an empty list.
  assert.deepEqual(shiftWindow({ start: 0, end: 0 }, diff({ inserted: [0, 1, 2] }), W), { start: 0, end: 0, touched: true });
});

test('rows dropped from the front move the window up; a reset empties it', () => {
  assert.deepEqual(shiftWindow({ start: 100, end: 250 }, diff({ removedFront: 30 }), W), { start: 70, end: 220, touched: false });
  assert.deepEqual(shiftWindow({ start: 10, end: 160 }, diff({ removedFront: 30 }), W), { start: 0, end: 130, touched: true });
  assert.deepEqual(shiftWindow({ start: 10, end: 160 }, diff({ reset: true, inserted: [0] }), W), { start: 0, end: 0, touched: true });
});

test('following: a single new message costs one row; a burst shows its newest rows first, then fills in', () => {
  // 10,000 rows, the window is the newest 150; one more arrives.
  assert.deepEqual(followWindow({ start: 9850, end: 10_000 }, 10_001, W, 12), { start: 9851, end: 10_001, more: false });
  // 1,000 at once: the newest 12 rows only, the rest next frames.
  let window = followWindow({ start: 9850, end: 10_000 }, 11_000, W, 12);
  assert.deepEqual(window, { start: 10_988, end: 11_000, more: true });
  let frames = 1;
  while (window.more) {
    window = followWindow(window, 11_000, W, 12);
    frames++;
  }
  assert.deepEqual(window, { start: 10_850, end: 11_000, more: false });
  assert.equal(frames, Math.ceil(W / 12));
  // A short list: all of it.
  assert.deepEqual(followWindow({ start: 0, end: 3 }, 5, W, 12), { start: 0, end: 5, more: false });
});

test('not following: the window stays full and inside the list', () => {
  assert.deepEqual(clampWindow({ start: 100, end: 260 }, 10_000, W), { start: 100, end: 250 });
  assert.deepEqual(clampWindow({ start: 100, end: 200 }, 10_000, W), { start: 100, end: 250 });
  assert.deepEqual(clampWindow({ start: 9900, end: 9990 }, 9990, W), { start: 9840, end: 9990 });
  assert.deepEqual(clampWindow({ start: 50, end: 80 }, 40, W), { start: 0, end: 40 });
});

test('scrolling: near an edge the window moves by a step, past it the estimate places it, else it stays', () => {
  const sizes = { averageRow: 60, windowRows: W, step: 50 };
  const window = { start: 1000, end: 1150 };
  const rendered = { listTop: 10, top: 60_010, bottom: 69_010 };
  // Well inside: stays.
  assert.equal(scrollWindow(window, 10_000, { top: 64_000, bottom: 64_500 }, rendered, sizes), null);
  // Within a screen of the top edge: up by 50.
  assert.deepEqual(scrollWindow(window, 10_000, { top: 60_200, bottom: 60_700 }, rendered, sizes), { start: 950, end: 1100 });
  // Within a screen of the bottom edge: down by 50.
  assert.deepEqual(scrollWindow(window, 10_000, { top: 68_300, bottom: 68_800 }, rendered, sizes), { start: 1050, end: 1200 });
  // A jump to the top of the chat: the first rows.
  assert.deepEqual(scrollWindow(window, 10_000, { top: 0, bottom: 500 }, rendered, sizes), { start: 0, end: 150 });
  // A jump to the middle: the estimated row at the viewport, a third of the window above it.
  assert.deepEqual(scrollWindow(window, 10_000, { top: 300_010, bottom: 300_510 }, rendered, sizes), { start: 4950, end: 5100 });
  // Never past the end.
  assert.deepEqual(scrollWindow({ start: 9800, end: 9950 }, 10_000, { top: 598_000, bottom: 598_500 }, { listTop: 10, top: 588_010, bottom: 597_010 }, sizes), { start: 9850, end: 10_000 });
});

test('following: at most the budget of new rows a frame, counted from the bottom, wherever they were inserted', () => {
  // Rows 100-149 of the window are new (older history read in the middle), the rest in the DOM.
  const rendered = (i) => i < 100 || i >= 150;
  assert.deepEqual(budgetStart(0, 200, rendered, 12), { start: 138, cut: true });
  // All in the DOM, or fewer new rows than the budget: the whole window.
  assert.deepEqual(budgetStart(0, 200, () => true, 12), { start: 0, cut: false });
  assert.deepEqual(budgetStart(0, 200, (i) => i !== 5, 12), { start: 0, cut: false });
  // Nothing in the DOM: the newest 12.
  assert.deepEqual(budgetStart(50, 200, () => false, 12), { start: 188, cut: true });
  // Exactly the budget, the last new one at the window's top: nothing left for next frame.
  assert.deepEqual(budgetStart(188, 200, () => false, 12), { start: 188, cut: false });
});
