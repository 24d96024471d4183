// A stand-in for createSync's Sync in the binding tests: the same reads and events, driven by the
// test. Like the real one it keeps its message list in one array changed in place, and each
// 'messages' event carries the very message objects that the list holds.
import { message as wireMessage } from './frames.mjs';

export function fakeSync({ sessionId = '', messages = [] } = {}) {
  const listeners = new Map();
  let list = [...messages];
  let session = sessionId;
  let state = { state: 'disconnected', code: 'no_session', reason: 'No session' };
  let typing = { isTyping: false, context: '' };
  let gaps = [];
  let held; // events kept back, as the real Sync queues them for a microtask
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
    /** A new selection: the session event, then the reset diff. */
    select(id) {
      session = id;
      emit('session', { sessionId: id, status: '' });
      list = [];
      emit('messages', { diff: { sessionId: id, reset: true, removedFront: 0, inserted: [], updated: [], size: 0 }, inserted: [], updated: [] });
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
      emit('messages', { diff, inserted: inserted.map((p) => list[p]), updated: updated.map((p) => list[p]) });
      return diff;
    },
    /** A diff that does not fit the list (the binding must read the list again). */
    badDiff(msg) {
      list.push(msg);
      const diff = { sessionId: session, reset: false, removedFront: 0, inserted: [0], updated: [], size: list.length };
      emit('messages', { diff, inserted: [msg], updated: [] });
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
