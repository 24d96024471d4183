// A view's state (extension/src/view/view-state.ts) as the worker's port messages reach it: a
// snapshot of the newest messages and their place, diffs of the whole list applied to that run, a
// run it asked for joined, one that does not fit the list as it stands dropped, a diff that does
// not add up refused (the caller asks for a snapshot), and a view without a message list keeping
// the newest HELD_MAX itself. No browser: bundled in memory (bundled.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importBundled } from './bundled.mjs';

const { ViewState, HELD_MAX } = await importBundled("export { ViewState, HELD_MAX } from './view/view-state.ts';");

const message = (n) => ({ messageId: `m${n}`, sessionId: 's', role: 'user', content: `m${n}`, status: 'sent', timestamp: '' });
const list = (from, to) => Array.from({ length: to - from }, (_, i) => message(from + i));
const ids = (messages) => messages.map((m) => m.messageId);
const snapshot = (messages, offset, total) => ({
  type: 'snapshot',
  state: { state: 'connected', code: 'connected', reason: '' },
  sessionId: 's',
  typing: { isTyping: false, context: '' },
  messages,
  offset,
  total,
  confirmed: true,
  outbox: [],
  sessionInfo: null,
  gaps: [],
  figures: {},
  account: { loggedIn: true, email: 'a@b' },
  errors: [],
  missingOrigins: [],
});
const append = (n, size) => ({ type: 'messages', diff: { sessionId: 's', reset: false, removedFront: 0, inserted: [size - 1], updated: [], size }, inserted: [message(n)], updated: [] });

test('a snapshot of the newest 300 of 1,000, then a push, a run asked for, and the positions of the whole list', () => {
  const state = new ViewState();
  const changes = [];
  state.on((change) => changes.push(change));
  assert.equal(state.receive(snapshot(list(700, 1000), 700, 1000)), true);
  assert.equal(state.total, 1000);
  assert.equal(state.at(700)?.messageId, 'm700');
  assert.equal(state.at(699), undefined);
  assert.equal(state.holdsEnd, true);
  assert.equal(state.receive(append(1000, 1001)), true);
  assert.equal(state.at(1000)?.messageId, 'm1000');
  // The message list asks for [500, 700): it joins the run.
  assert.equal(state.receive({ type: 'range', start: 500, total: 1001, messages: list(500, 700) }), true);
  assert.deepEqual(ids(state.messages), ids(list(500, 1001)));
  assert.deepEqual(state.held(0, 600), { start: 500, end: 600 });
  assert.deepEqual(state.held(0, 100), { start: 0, end: 0 });
  assert.deepEqual(changes, ['snapshot', 'messages', 'range']);
  // A run of another list (asked for before a change the view has not seen) is dropped.
  assert.equal(state.receive({ type: 'range', start: 0, total: 999, messages: list(0, 10) }), true);
  assert.equal(state.at(0), undefined);
});

test('a run that comes before any snapshot is dropped; a diff that does not add up is refused', () => {
  const state = new ViewState();
  state.showLocalCopy('s', list(0, 5), []);
  assert.equal(state.receive({ type: 'range', start: 0, total: 5, messages: list(100, 105) }), true);
  assert.deepEqual(ids(state.messages), ids(list(0, 5)));
  state.receive(snapshot(list(0, 5), 0, 5));
  assert.equal(state.receive(append(6, 7)), false);
});

test('a view with no message list keeps the newest HELD_MAX of a burst itself; a message list keeps what it asks for', () => {
  const alone = new ViewState();
  alone.receive(snapshot(list(0, 300), 0, 300));
  for (let n = 300; n < 2000; n++) assert.equal(alone.receive(append(n, n + 1)), true);
  assert.equal(alone.messages.length, HELD_MAX);
  assert.deepEqual(ids(alone.messages), ids(list(2000 - HELD_MAX, 2000)));
  assert.equal(alone.holdsEnd, true);

  const listed = new ViewState();
  listed.trimsItself = false;
  listed.receive(snapshot(list(0, 300), 0, 300));
  for (let n = 300; n < 1000; n++) listed.receive(append(n, n + 1));
  assert.equal(listed.messages.length, 1000);
  const trimmed = [];
  listed.on((change) => trimmed.push(change));
  listed.keepOnly(100, 400);
  assert.deepEqual(ids(listed.messages), ids(list(100, 400)));
  assert.equal(listed.holdsEnd, false);
  assert.deepEqual(trimmed, ['trimmed']);
  // Pushed while it holds a run further up: counted, not held.
  listed.receive(append(1000, 1001));
  assert.equal(listed.total, 1001);
  assert.equal(listed.messages.length, 300);
});
