// pushsync/zustand with the real Zustand (vanilla and the immer middleware): the slice in the
// roadmap's shape, driven first by a stand-in Sync (fake-sync.mjs) and then by a real createSync
// against the stub Pusher and app servers.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { createStore } from 'zustand/vanilla';
import { immer } from 'zustand/middleware/immer';
import { createSync } from '../dist/index.js';
import { bindSync, createMessageSyncManager, parseTimestamp, toChatMessage, toWsConnectionState } from '../dist/zustand.js';
import { createSyncStore } from '../dist/sync-store.js';
import { startAppServer } from './support/app-server.mjs';
import { fakeSync, wireMessage } from './support/fake-sync.mjs';
import { startPusherServer } from './support/pusher-server.mjs';
import { sleep, waitFor } from './support/wait.mjs';
import { stubSyncOptions } from './support/stub-sync.mjs';

/** The roadmap's store: a `currentTask` slice with fields of the app's own next to the binding's. */
function appStore() {
  return createStore(() => ({ currentTask: { sessionId: null, taskTitle: 'kept' }, sessions: { list: [] } }));
}

const slice = (store) => store.getState().currentTask;
const msg = (sequence, extra) => wireMessage('s1', sequence, extra);
const ids = (messages) => messages.map((m) => m.id);

describe('with a stand-in Sync', () => {
  test('fills the slice from a session, keeping the slice\'s other fields', () => {
    const sync = fakeSync();
    const store = appStore();
    bindSync(sync, store, { emptySessionAfterMs: null });
    const initial = slice(store);
    assert.equal(initial.taskTitle, 'kept');
    assert.deepEqual(initial.messages, []);
    assert.equal(initial.wsConnectionState, 'disconnected');
    assert.equal(initial.isServerTyping, false);
    assert.equal(initial.serverTypingContext, null);
    assert.deepEqual(initial.messagesLoadingState, {
      isLoading: false, lastAttemptSessionId: null, lastAttemptTime: null, error: null, retryCount: 0,
    });

    sync.select('s1');
    assert.equal(slice(store).messagesLoadingState.isLoading, true);
    assert.equal(slice(store).messagesLoadingState.lastAttemptSessionId, 's1');
    assert.equal(typeof slice(store).messagesLoadingState.lastAttemptTime, 'number');
    sync.change({ add: [msg(1), msg(2), msg(3)] });

    const task = slice(store);
    assert.equal(task.taskTitle, 'kept');
    assert.equal(task.sessionId, null, 'the app\'s own sessionId is left alone');
    assert.deepEqual(ids(task.messages), ['m1', 'm2', 'm3']);
    assert.equal(task.messagesLoadingState.isLoading, false);
    const first = task.messages[0];
    assert.equal(first.role, 'user');
    assert.equal(first.status, 'sent');
    assert.equal(first.sequenceNumber, 1);
    assert.ok(first.timestamp instanceof Date);
    assert.equal(first.timestamp.toISOString(), msg(1).timestamp);
    assert.equal(first.content, msg(1).content);
    assert.ok(!('messageId' in first));
  });

  test('a pushed message appends one item: a new array, every other item the same object', () => {
    const sync = fakeSync();
    const store = appStore();
    const view = createSyncStore(sync);
    bindSync(sync, store);
    sync.select('s1');
    sync.change({ add: [msg(1), msg(2), msg(3)] });
    const before = slice(store).messages;
    sync.change({ add: [msg(4)] });
    const after = slice(store).messages;
    assert.notEqual(after, before, 'a new array');
    assert.deepEqual(ids(before), ['m1', 'm2', 'm3'], 'the old array is untouched');
    assert.deepEqual(ids(after), ['m1', 'm2', 'm3', 'm4']);
    for (let i = 0; i < 3; i++) assert.equal(after[i], before[i], `item ${i} is the same object`);
    // Out of order and evicting from the front: still one diff, not a reread.
    sync.change({ remove: 1, add: [msg(6), msg(5)] });
    const later = slice(store).messages;
    assert.deepEqual(ids(later), ['m2', 'm3', 'm4', 'm5', 'm6']);
    assert.equal(later[0], after[1]);
    assert.equal(later[2], after[3]);
    // Between two kept ones (a late message).
    sync.change({ remove: 0, add: [msg(3.5, { messageId: 'm3b' })] });
    assert.deepEqual(ids(slice(store).messages), ['m2', 'm3', 'm3b', 'm4', 'm5', 'm6']);
    assert.equal(slice(store).messages[3], later[2]);
    assert.equal(view.stats.resyncs, 0, 'each diff applied as it came');
    view.destroy();
  });

  test('an update replaces one item', () => {
    const sync = fakeSync();
    const store = appStore();
    const view = createSyncStore(sync);
    bindSync(sync, store);
    sync.select('s1');
    sync.change({ add: [msg(1), msg(2, { status: 'pending' }), msg(3)] });
    const before = slice(store).messages;
    const error = { code: 'llm_failed', message: 'The model failed' };
    sync.change({ replace: [msg(2, { status: 'failure', error, updatedAt: '2026-11-29T00:01:00.000Z' })] });
    const after = slice(store).messages;
    assert.notEqual(after, before);
    assert.equal(after[0], before[0]);
    assert.equal(after[2], before[2]);
    assert.notEqual(after[1], before[1]);
    assert.equal(before[1].status, 'pending', 'the old item is not changed');
    assert.equal(after[1].status, 'failure');
    assert.deepEqual(after[1].error, error);
    assert.equal(after[1].updatedAt.toISOString(), '2026-11-29T00:01:00.000Z');
    assert.deepEqual(view.stats, { diffs: 3, resyncs: 0 });
    view.destroy();
  });

  test('a diff that does not fit is answered by reading the store again', () => {
    const sync = fakeSync();
    const store = appStore();
    const view = createSyncStore(sync);
    bindSync(sync, store);
    sync.select('s1');
    sync.change({ add: [msg(1), msg(2)] });
    const before = view.getSnapshot().messages;
    sync.badDiff(msg(3));
    const after = view.getSnapshot().messages;
    assert.deepEqual(ids(after), ['m1', 'm2', 'm3']);
    assert.deepEqual(ids(slice(store).messages), ['m1', 'm2', 'm3']);
    assert.deepEqual(after.slice(0, 2), before, 'the same messages, converted again');
    assert.equal(view.stats.resyncs, 1);
    // The next diff follows the reread.
    sync.change({ add: [msg(4)] });
    assert.deepEqual(ids(view.getSnapshot().messages), ['m1', 'm2', 'm3', 'm4']);
    assert.deepEqual(view.stats, { diffs: 3, resyncs: 1 });
    view.destroy();
  });

  test('a diff that skips a version (one this view never saw) is answered by reading the store again', () => {
    const sync = fakeSync();
    const view = createSyncStore(sync);
    sync.select('s1');
    sync.change({ add: [msg(1)] });
    sync.lose(() => sync.change({ add: [msg(2)] })); // its event never reaches the view
    sync.change({ add: [msg(3)] });
    assert.deepEqual(ids(view.getSnapshot().messages), ['m1', 'm2', 'm3']);
    assert.deepEqual(view.stats, { diffs: 2, resyncs: 1 });
    view.destroy();
  });

  test('bound while diffs already in the list are still to be delivered: no duplicates', () => {
    const sync = fakeSync();
    sync.select('s1');
    sync.hold();
    sync.change({ add: [msg(1), msg(2), msg(3)] });
    sync.change({ add: [msg(4)] });
    sync.change({ replace: [msg(2, { status: 'failure' })] });
    const store = appStore();
    const view = createSyncStore(sync);
    bindSync(sync, store);
    assert.deepEqual(ids(slice(store).messages), ['m1', 'm2', 'm3', 'm4']);
    const before = slice(store).messages;
    sync.release();
    assert.deepEqual(ids(slice(store).messages), ['m1', 'm2', 'm3', 'm4']);
    assert.equal(slice(store).messages[1].status, 'failure');
    assert.equal(slice(store).messages, before, 'nothing new: the same array');
    sync.change({ add: [msg(5)] });
    assert.deepEqual(ids(slice(store).messages), ['m1', 'm2', 'm3', 'm4', 'm5']);
    view.destroy();
  });

  test('messages without a sequence number, times with +hhmm and epoch milliseconds', () => {
    const loose = { ...msg(1), timestamp: '2026-11-29T01:00:00+0100' };
    delete loose.sequenceNumber;
    const chat = toChatMessage(loose);
    assert.equal(chat.sequenceNumber, undefined);
    assert.equal(chat.timestamp.toISOString(), '2026-11-29T00:00:00.000Z');
    assert.equal(parseTimestamp('1795910400000').toISOString(), '2026-11-29T00:00:00.000Z');
    assert.equal(parseTimestamp('2026-11-29T00:00:00Z').toISOString(), '2026-11-29T00:00:00.000Z');
    assert.equal(toChatMessage({ ...msg(2), content: null }).content, '');
  });

  test('the connection state table', () => {
    const table = [
      [{ state: 'disconnected', code: 'no_session', reason: 'No session' }, 'disconnected', null, null],
      [{ state: 'connecting', code: '', reason: '' }, 'connecting', null, null],
      [{ state: 'connected', code: '', reason: '' }, 'connected', null, null],
      [{ state: 'reconnecting', code: 'retrying', reason: 'Attempt 2 of 5' }, 'reconnecting', null, null],
      [{ state: 'polling', code: 'server_unreachable', reason: 'Server unreachable' }, 'fallback', 'Server unreachable', 'server_unreachable'],
      [{ state: 'polling', code: 'auth_failed', reason: 'Auth failed' }, 'fallback', 'Auth failed', 'auth_failed'],
      [{ state: 'polling', code: 'no_token', reason: 'No token' }, 'fallback', 'No token', 'no_token'],
      [{ state: 'offline', code: 'network_offline', reason: 'Network offline' }, 'disconnected', null, null],
    ];
    const sync = fakeSync();
    const store = appStore();
    bindSync(sync, store);
    for (const [engine, ws, reason, code] of table) {
      assert.equal(toWsConnectionState(engine), ws, engine.state);
      sync.setState(engine);
      const task = slice(store);
      assert.equal(task.wsConnectionState, ws, `${engine.state} ${engine.code}`);
      assert.equal(task.wsFallbackReason, reason);
      assert.equal(task.wsFallbackCode, code);
      assert.deepEqual(task.wsEngineState, engine, 'the engine\'s own state is kept too');
    }
    // A mapState of the app's own: refused push as 'failed'.
    const other = appStore();
    bindSync(sync, other, {
      mapState: (s) => (s.code === 'refused' ? 'failed' : toWsConnectionState(s)),
    });
    sync.setState({ state: 'polling', code: 'refused', reason: 'Refused (4001)' });
    assert.equal(slice(other).wsConnectionState, 'failed');
    assert.equal(slice(store).wsConnectionState, 'fallback');
  });

  test('typing, gaps and session updates', () => {
    const sync = fakeSync();
    const store = appStore();
    const updates = [];
    bindSync(sync, store, { onSessionUpdate: (update) => updates.push(update) });
    sync.select('s1');
    sync.setTyping(true, 'thinking');
    assert.equal(slice(store).isServerTyping, true);
    assert.equal(slice(store).serverTypingContext, 'thinking');
    sync.setTyping(true);
    assert.equal(slice(store).serverTypingContext, null, 'no context is null, as in the roadmap');
    sync.setTyping(false);
    assert.equal(slice(store).isServerTyping, false);
    const gaps = [{ afterId: 'm1', beforeId: 'm5', missing: 3 }];
    sync.setGaps(gaps);
    assert.deepEqual(slice(store).messageGaps, gaps);
    sync.sessionUpdate('completed');
    assert.deepEqual(updates, [{ sessionId: 's1', status: 'completed' }]);
  });

  test('loading: errors count retries and end loading; messages clear the error; an empty session ends it by time', async () => {
    const sync = fakeSync();
    const store = appStore();
    bindSync(sync, store, { emptySessionAfterMs: 100 });
    sync.select('s1');
    sync.error('bad_frame', 'ignored: not a loading error');
    assert.equal(slice(store).messagesLoadingState.isLoading, true);
    sync.error('http_failed', 'messages request failed (500)');
    let loading = slice(store).messagesLoadingState;
    assert.equal(loading.isLoading, false);
    assert.equal(loading.error, 'messages request failed (500)');
    assert.equal(loading.retryCount, 1);
    sync.error('bad_payload', 'messages response: not JSON');
    assert.equal(slice(store).messagesLoadingState.retryCount, 2);
    sync.change({ add: [msg(1)] });
    loading = slice(store).messagesLoadingState;
    assert.deepEqual({ ...loading, lastAttemptTime: 0 }, {
      isLoading: false, lastAttemptSessionId: 's1', lastAttemptTime: 0, error: null, retryCount: 2,
    });
    sync.error('http_failed', 'a later poll failed');
    assert.equal(slice(store).messagesLoadingState.error, null, 'once loaded, later failures are not loading errors');

    // Another session that has no messages: loading until the quiet time has passed.
    sync.select('s2');
    assert.equal(slice(store).messagesLoadingState.isLoading, true);
    assert.equal(slice(store).messagesLoadingState.retryCount, 0);
    assert.deepEqual(slice(store).messages, []);
    await waitFor(() => !slice(store).messagesLoadingState.isLoading, { what: 'the empty session loaded', timeout: 2000 });
    assert.equal(slice(store).messagesLoadingState.lastAttemptSessionId, 's2');
  });

  test('unbinding stops every update and removes the listeners', () => {
    const sync = fakeSync();
    const store = appStore();
    const listenersBefore = sync.listenerCount();
    const unbind = bindSync(sync, store, { onSessionUpdate: () => {} });
    sync.select('s1');
    sync.change({ add: [msg(1)] });
    const writes = [];
    store.subscribe((state) => writes.push(state));
    unbind();
    unbind(); // twice is harmless
    assert.equal(sync.listenerCount(), listenersBefore);
    sync.change({ add: [msg(2)] });
    sync.setTyping(true, 'thinking');
    sync.setState({ state: 'connected', code: '', reason: '' });
    assert.equal(writes.length, 0);
    assert.deepEqual(ids(slice(store).messages), ['m1']);
  });

  test('the top level instead of a slice', () => {
    const sync = fakeSync();
    const store = createStore(() => ({ other: 1 }));
    bindSync(sync, store, { slice: null });
    sync.select('s1');
    sync.change({ add: [msg(1)] });
    assert.equal(store.getState().other, 1);
    assert.deepEqual(ids(store.getState().messages), ['m1']);
    assert.equal(store.getState().wsConnectionState, 'disconnected');
  });

  test('the roadmap\'s call: messageSyncManager.initialize(getState, setState) on an immer store', async () => {
    // As in the roadmap's src/state/store.ts: Zustand with the immer middleware, setState(draft => ...).
    const useAppState = createStore(
      immer((set) => ({
        currentTask: { sessionId: null, messages: [], taskTitle: 'kept' },
        sessions: {
          list: [{ id: 's1', status: 'active' }],
          actions: {
            updateSession: (id, fields) =>
              set((draft) => {
                Object.assign(draft.sessions.list.find((s) => s.id === id), fields);
              }),
          },
        },
      })),
    );
    const sync = fakeSync();
    const messageSyncManager = createMessageSyncManager(sync, {
      onSessionUpdate: ({ sessionId, status }) => useAppState.getState().sessions.actions.updateSession(sessionId, { status }),
    });
    messageSyncManager.initialize(useAppState.getState, useAppState.setState);
    messageSyncManager.initialize(useAppState.getState, useAppState.setState); // once, as in the roadmap
    await messageSyncManager.startSync('s1');
    assert.deepEqual(sync.selected, ['s1']);
    sync.select('s1');
    sync.change({ add: [msg(1), msg(2)] });
    const before = useAppState.getState().currentTask.messages;
    sync.change({ add: [msg(3)] });
    const task = useAppState.getState().currentTask;
    assert.deepEqual(ids(task.messages), ['m1', 'm2', 'm3']);
    assert.equal(task.messages[0], before[0]);
    assert.equal(task.taskTitle, 'kept');
    assert.ok(Object.isFrozen(task.messages), 'immer froze what it was given: nothing of ours changes it');
    // The app's own immer updates still work next to the binding's.
    useAppState.setState((draft) => {
      draft.currentTask.taskTitle = 'renamed';
    });
    sync.setTyping(true, 'executing');
    assert.equal(useAppState.getState().currentTask.taskTitle, 'renamed');
    assert.equal(useAppState.getState().currentTask.serverTypingContext, 'executing');
    sync.sessionUpdate('completed');
    assert.equal(useAppState.getState().sessions.list[0].status, 'completed');
    await messageSyncManager.stopSync();
    assert.equal(sync.stopped, 1);
    messageSyncManager.destroy();
    sync.change({ add: [msg(4)] });
    assert.equal(useAppState.getState().currentTask.messages.length, 3);
  });
});

describe('with a real createSync and the stub servers', () => {
  let pusher;
  let app;
  const syncs = [];
  beforeEach(async () => {
    pusher = await startPusherServer();
    app = await startAppServer({ pusher });
  });
  afterEach(async () => {
    for (const sync of syncs.splice(0)) sync.destroy();
    await pusher.close();
    await app.close();
  });
  const makeSync = (options = {}) => {
    const sync = createSync(stubSyncOptions(app, pusher, {
      ...options,
      engineConfig: { backoffBaseMs: 200, ...options.engineConfig },
    }));
    syncs.push(sync);
    return sync;
  };
  const channel = 'private-session-s1';

  test('backlog, push, update, typing and unbind, as the store sees them', async () => {
    for (let s = 1; s <= 3; s++) app.addMessage('s1', s, { push: false });
    const sync = makeSync();
    const store = appStore();
    const states = [];
    const manager = createMessageSyncManager(sync);
    manager.initialize(store.getState, store.setState);
    const view = createSyncStore(sync); // a second view, to see how the messages were kept
    store.subscribe((state, previous) => {
      if (state.currentTask.wsConnectionState !== previous.currentTask.wsConnectionState) states.push(state.currentTask.wsConnectionState);
    });
    await manager.startSync('s1');
    await waitFor(() => slice(store).wsConnectionState === 'connected', { what: 'connected' });
    await waitFor(() => slice(store).messages.length === 3, { what: 'the backlog in the store' });
    assert.deepEqual(ids(slice(store).messages), ['m1', 'm2', 'm3']);
    assert.equal(slice(store).messagesLoadingState.isLoading, false);
    assert.ok(slice(store).messages[0].timestamp instanceof Date);
    assert.equal(states[0], 'connecting');
    assert.ok(states.includes('connected'));

    const before = slice(store).messages;
    app.addMessage('s1', 4);
    await waitFor(() => slice(store).messages.length === 4, { what: 'the pushed message' });
    const after = slice(store).messages;
    for (let i = 0; i < 3; i++) assert.equal(after[i], before[i], `item ${i} kept`);
    assert.deepEqual(after.map((m) => m.id), ['m1', 'm2', 'm3', 'm4']);

    pusher.broadcast(channel, 'message_update', { sessionId: 's1', messageId: 'm2', status: 'failure', error: { code: 'x', message: 'it failed' }, updatedAt: '2026-11-29T00:05:00.000Z' });
    await waitFor(() => slice(store).messages[1].status === 'failure', { what: 'the update' });
    const updated = slice(store).messages;
    assert.equal(updated[0], after[0]);
    assert.equal(updated[2], after[2]);
    assert.equal(updated[3], after[3]);
    assert.deepEqual(updated[1].error, { code: 'x', message: 'it failed' });

    pusher.broadcast(channel, 'typing', { sessionId: 's1', isTyping: true, context: 'thinking' });
    await waitFor(() => slice(store).isServerTyping, { what: 'typing' });
    assert.equal(slice(store).serverTypingContext, 'thinking');

    assert.equal(view.stats.resyncs, 0, 'every diff applied as it came, no reread');
    assert.ok(view.stats.diffs >= 4);
    view.destroy();

    manager.destroy();
    const frozen = store.getState();
    app.addMessage('s1', 5);
    await waitFor(() => sync.messages().length === 5, { what: 'the Sync has m5' });
    await sleep(50);
    assert.equal(store.getState(), frozen, 'no setState after unbinding');
  });

  test('a refused token: fallback with its reason, and a loading error', async () => {
    app.addMessage('s1', 1, { push: false });
    const sync = makeSync({ token: 'wrong-token' });
    const store = appStore();
    bindSync(sync, store);
    sync.selectSession('s1');
    await waitFor(() => slice(store).wsConnectionState === 'fallback', { what: 'fallback' });
    assert.equal(slice(store).wsFallbackReason, 'Auth failed');
    assert.equal(slice(store).wsFallbackCode, 'auth_failed');
    await waitFor(() => slice(store).messagesLoadingState.error !== null, { what: 'a loading error' });
    const loading = slice(store).messagesLoadingState;
    assert.equal(loading.isLoading, false);
    assert.ok(loading.retryCount >= 1);
    assert.match(loading.error, /401/);
    // A good token: push and the messages come, and the error is gone.
    sync.setToken('token-1');
    await waitFor(() => slice(store).messages.length === 1, { what: 'the messages after a good token' });
    assert.equal(slice(store).messagesLoadingState.error, null);
    await waitFor(() => slice(store).wsConnectionState === 'connected', { what: 'connected' });
    assert.equal(slice(store).wsFallbackReason, null);
  });
});
