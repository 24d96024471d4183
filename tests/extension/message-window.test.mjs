// A view's window of the worker's list (extension/src/shared/message-window.ts): the engine's
// diffs, positional in the whole list, applied to a run of it, checked against the whole list
// itself (applyDiff, what the worker keeps) over thousands of random diffs; the runs a view is
// answered with, joined or jumped to; trimming. No browser: bundled in memory (bundled.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importBundled } from './bundled.mjs';

const { applyDiff, applyWindowDiff, mergeRange, trimWindow } = await importBundled(
  "export { applyDiff } from './shared/message-list.ts'; export { applyWindowDiff, mergeRange, trimWindow } from './shared/message-window.ts';",
);

let made = 0;
const message = (tag = 'm') => ({ messageId: `${tag}${made++}`, sessionId: 's', role: 'user', content: '', status: 'sent', timestamp: '' });
const ids = (messages) => messages.map((m) => m.messageId);
const diffOf = (fields) => ({ sessionId: 's', reset: false, removedFront: 0, inserted: [], updated: [], ...fields });

/** A seeded generator (mulberry32), so a failure repeats. */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random change of `list` as the engine reports it: the new list and its diff, in final positions. */
function randomChange(list, next) {
  const int = (n) => Math.floor(next() * n);
  if (next() < 0.03) {
    const fresh = Array.from({ length: int(30) }, () => message('r'));
    return { list: fresh, diff: diffOf({ reset: true, inserted: fresh.map((_, i) => i), size: fresh.length }), inserted: fresh, updated: [] };
  }
  const removedFront = next() < 0.2 ? int(Math.min(list.length, 8) + 1) : 0;
  const result = list.slice(removedFront);
  const adds = int(6);
  for (let i = 0; i < adds; i++) {
    // At either end more often than inside: pushes, older pages, and the odd late message.
    const roll = next();
    const at = roll < 0.45 ? result.length : roll < 0.7 ? 0 : int(result.length + 1);
    result.splice(at, 0, message('n'));
  }
  const isNew = new Set(result.filter((m) => m.messageId.startsWith('n') && !list.includes(m)));
  const inserted = result.flatMap((m, i) => (isNew.has(m) ? [i] : []));
  const updated = [];
  for (let i = 0; i < int(3); i++) {
    const at = int(result.length);
    if (result.length === 0 || isNew.has(result[at]) || updated.includes(at)) continue;
    result[at] = { ...result[at], status: `s${made++}` };
    updated.push(at);
  }
  updated.sort((a, b) => a - b);
  return {
    list: result,
    diff: diffOf({ removedFront, inserted, updated, size: result.length }),
    inserted: inserted.map((i) => result[i]),
    updated: updated.map((i) => result[i]),
  };
}

test('a window follows the whole list through 20,000 random diffs: always a run of it, its messages kept', () => {
  const next = random(12);
  for (let trial = 0; trial < 200; trial++) {
    let whole = Array.from({ length: Math.floor(next() * 40) }, () => message());
    const from = Math.floor(next() * (whole.length + 1));
    const to = from + Math.floor(next() * (whole.length - from + 1));
    const window = { messages: whole.slice(from, to), offset: from, total: whole.length };
    for (let step = 0; step < 100; step++) {
      const change = randomChange(whole, next);
      const before = new Set(window.messages.map((m) => m.messageId));
      const mirror = [...whole];
      assert.equal(applyDiff(mirror, change.diff, change.inserted, change.updated), true);
      assert.deepEqual(ids(mirror), ids(change.list));
      assert.equal(applyWindowDiff(window, change.diff, change.inserted, change.updated), true, `trial ${trial} step ${step}`);
      whole = change.list;
      assert.equal(window.total, whole.length);
      // The run is the list's, messages and updates alike.
      assert.deepEqual(window.messages, whole.slice(window.offset, window.offset + window.messages.length), `trial ${trial} step ${step}`);
      // Nothing the window held left it but what the list dropped.
      if (!change.diff.reset) {
        const survivors = whole.filter((m) => before.has(m.messageId));
        assert.ok(survivors.every((m) => window.messages.includes(m)), `trial ${trial} step ${step}: a held message dropped`);
      }
    }
  }
});

test('a window at the end of the list takes what is pushed; one further up only counts it', () => {
  const whole = Array.from({ length: 10 }, () => message());
  const pushed = message();
  const atEnd = { messages: whole.slice(7), offset: 7, total: 10 };
  assert.equal(applyWindowDiff(atEnd, diffOf({ inserted: [10], size: 11 }), [pushed], []), true);
  assert.deepEqual(ids(atEnd.messages), ids([...whole.slice(7), pushed]));
  const above = { messages: whole.slice(2, 5), offset: 2, total: 10 };
  assert.equal(applyWindowDiff(above, diffOf({ inserted: [10], size: 11 }), [pushed], []), true);
  assert.deepEqual(above, { messages: whole.slice(2, 5), offset: 2, total: 11 });
  // Older history read above a window that does not start the list moves it down.
  const older = message();
  assert.equal(applyWindowDiff(above, diffOf({ inserted: [0], size: 12 }), [older], []), true);
  assert.equal(above.offset, 3);
  assert.deepEqual(ids(above.messages), ids(whole.slice(2, 5)));
});

test('a diff that does not add up is refused, and so is one whose messages do not match it', () => {
  const whole = Array.from({ length: 5 }, () => message());
  const window = { messages: whole.slice(3), offset: 3, total: 5 };
  // The worker's list had 6 before this diff: the view missed one.
  assert.equal(applyWindowDiff(window, diffOf({ inserted: [6], size: 7 }), [message()], []), false);
  assert.equal(applyWindowDiff({ messages: [], offset: 0, total: 0 }, diffOf({ inserted: [0], size: 1 }), [], []), false);
});

test('a run answered next to the window joins it; one away from it replaces it (a jump)', () => {
  const whole = Array.from({ length: 100 }, () => message());
  const window = { messages: whole.slice(80), offset: 80, total: 100 };
  mergeRange(window, 60, whole.slice(60, 80)); // touching, above
  assert.deepEqual(window.messages, whole.slice(60));
  assert.equal(window.offset, 60);
  mergeRange(window, 50, whole.slice(50, 70)); // overlapping: what the window holds is kept
  assert.deepEqual(window.messages, whole.slice(50));
  mergeRange(window, 0, whole.slice(0, 10)); // away from it
  assert.deepEqual(window, { messages: whole.slice(0, 10), offset: 0, total: 100 });
  mergeRange(window, 5, whole.slice(5, 30)); // overlapping, below
  assert.deepEqual(window.messages, whole.slice(0, 30));
});

test('trimming keeps only the rows asked for, inside the run', () => {
  const whole = Array.from({ length: 100 }, () => message());
  const window = { messages: whole.slice(20, 90), offset: 20, total: 100 };
  trimWindow(window, 0, 50);
  assert.deepEqual(window, { messages: whole.slice(20, 50), offset: 20, total: 100 });
  trimWindow(window, 30, 200);
  assert.deepEqual(window, { messages: whole.slice(30, 50), offset: 30, total: 100 });
  trimWindow(window, 60, 70); // outside: an empty run at the rows asked for
  assert.deepEqual(window, { messages: [], offset: 60, total: 100 });
});
