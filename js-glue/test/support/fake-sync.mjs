// A stand-in for createSync's Sync in the binding tests: the same reads and events, driven by the
// test. Like the real one, its reads of the store (readMessages) give new objects each time, and
// each 'messages' event carries the diff's version.
import { message as wireMessage } from './frames.mjs';

export function fakeSync({ sessionId = '', messages = [] } = {}) {
  const listeners = new Map();
  let list = [...messages];
  let session = sessionId;
  let state = { state: 'disconnected', code: 'no_session', reason: 'No session' };
  let typing = { isTyping: false, context: '' };
  let gaps = [];
  let held; // events kept back, as the real Sync queues them for a microtask
  let version = 0; // the diffs the list has had
  const messagesEvent = (diff, inserted, updated) => emit('messages', { diff, inserted, updated, version: ++version });
  const emit = (name, value) => {
    if (held) return void held.push([name, value]);
    for (const fn of [...(listeners.get(name) ?? [])]) fn(value);
  };
  const sync = {
    ready: Promise.resolve(),
    selected: [],
    stopped: 0,
    selectSession(id) {
      this.selected.push(id);
    },
    stop() {
      this.stopped++;
    },
    messages: () => list,
    messageCount: () => list.length,
    readMessages: (start = 0, count = Infinity) => structuredClone(list.slice(start, start + count)),
    messagesVersion: () => version,
    state: () => state,
    sessionId: () => session,
    typing: () => typing,
    gaps: () => gaps,
    on(name, fn) {
      if (!listeners.has(name)) listeners.set(name, new Set());
      listeners.get(name).add(fn);
    },
    off(name, fn) {
      listeners.get(name)?.delete(fn);
    },
    listenerCount() {
      let count = 0;
      for (const set of listeners.values()) count += set.size;
      return count;
    },

    // ---- driving it, as the engine would ----
    /** From now on the list changes at once but the events wait for release(). */
    hold() {
      held = [];
    },
    release() {
      const events = held ?? [];
      held = undefined;
      for (const [name, value] of events) emit(name, value);
    },
    /** Runs `drive` with its events dropped (a lost event: the next diff skips a version). */
    lose(drive) {
      const saved = held;
      held = [];
      drive();
      held = saved;
    },
    /** A new selection: the session event, then the reset diff. */
    select(id) {
      session = id;
      emit('session', { sessionId: id, status: '' });
      list = [];
      messagesEvent({ sessionId: id, reset: true, removedFront: 0, inserted: [], updated: [], size: 0 }, [], []);
    },
    /**
     * One engine call's changes: `remove` messages dropped from the front, `add` new messages
     * (placed by sequence number), `replace` new versions of messages (by messageId).
     */
    change({ remove = 0, add = [], replace = [] } = {}) {
      list.splice(0, remove);
      for (const msg of add) {
        let at = list.findIndex((m) => m.sequenceNumber > msg.sequenceNumber);
        if (at < 0) at = list.length;
        list.splice(at, 0, msg);
      }
      for (const msg of replace) list[list.findIndex((m) => m.messageId === msg.messageId)] = msg;
      const inserted = add.map((m) => list.indexOf(m)).sort((a, b) => a - b);
      const updated = replace.map((m) => list.indexOf(m)).sort((a, b) => a - b);
      const diff = { sessionId: session, reset: false, removedFront: remove, inserted, updated, size: list.length };
      messagesEvent(diff, inserted.map((p) => list[p]), updated.map((p) => list[p]));
      return diff;
    },
    /** A diff that does not add up to its size (the binding must read the list again). */
    badDiff(msg) {
      list.push(msg);
      const diff = { sessionId: session, reset: false, removedFront: 0, inserted: [list.length - 1], updated: [], size: list.length + 1 };
      messagesEvent(diff, [msg], []);
    },
    setState(next) {
      state = next;
      emit('state', next);
    },
    setTyping(isTyping, context = '') {
      typing = { isTyping, context };
      emit('typing', { sessionId: session, isTyping, context });
    },
    setGaps(next) {
      gaps = next;
      emit('gaps', { sessionId: session, gaps: next });
    },
    sessionUpdate(status) {
      emit('session', { sessionId: session, status });
    },
    error(code, message) {
      emit('error', { code, message });
    },
  };
  return sync;
}

export { wireMessage };
