// pushsync/react with the real React 18: a static render (react-dom/server) and live renders with
// react-dom/client in a happy-dom document, showing that a component renders again on a new
// message, and only when what it selected changed. Driven by the stand-in Sync and by a real
// createSync against the stub servers.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Window } from 'happy-dom';
import { createSync } from '../dist/index.js';
import { startAppServer } from './support/app-server.mjs';
import { fakeSync, wireMessage } from './support/fake-sync.mjs';
import { startPusherServer } from './support/pusher-server.mjs';
import { waitFor } from './support/wait.mjs';
import { stubSyncOptions } from './support/stub-sync.mjs';

// A DOM for react-dom/client, before React DOM is loaded.
const window = new Window({ url: 'http://localhost/' });
globalThis.window = window;
globalThis.document = window.document;
// Node 20 has no navigator (react-dom reads its userAgent at load); Node 21+ has its own.
if (typeof globalThis.navigator === 'undefined') globalThis.navigator = window.navigator;
globalThis.IS_REACT_ACT_ENVIRONMENT = true;
const React = await import('react');
const { createRoot } = await import('react-dom/client');
const { renderToString } = await import('react-dom/server');
const { useSync, useSyncMessages, syncStoreOf, createSyncStore } = await import('../dist/react.js');
const { act, createElement: h } = React;

after(async () => {
  await window.happyDOM.abort();
  window.close();
});

const msg = (sequence, extra) => wireMessage('s1', sequence, extra);

/** The roadmap's chat view in small: the messages, the badge and the typing line. */
function Chat({ sync, renders }) {
  const messages = useSyncMessages(sync);
  const connection = useSync(sync, (s) => s.connection);
  const typing = useSync(sync, (s) => s.typing, (a, b) => a.isTyping === b.isTyping && a.context === b.context);
  renders?.push(messages.length);
  return h(
    'div',
    null,
    h('span', { id: 'badge' }, connection),
    h('ul', null, messages.map((m) => h('li', { key: m.id }, `${m.id}: ${m.status}`))),
    typing.isTyping ? h('p', { id: 'typing' }, typing.context || 'typing') : null,
  );
}

async function mount(element) {
  const container = document.createElement('div');
  document.body.appendChild(container);
  const root = createRoot(container);
  await act(async () => root.render(element));
  return { container, root };
}

const items = (container) => [...container.querySelectorAll('li')].map((li) => li.textContent);

test('renderToString: the messages there at render time', () => {
  const sync = fakeSync();
  sync.select('s1');
  sync.change({ add: [msg(1), msg(2)] });
  const html = renderToString(h(Chat, { sync }));
  assert.match(html, /<li>m1: sent<\/li><li>m2: sent<\/li>/);
  assert.match(html, /<span id="badge">disconnected<\/span>/);
});

test('a new message renders the component again; the rest re-renders nothing', async () => {
  const sync = fakeSync();
  sync.select('s1');
  sync.change({ add: [msg(1), msg(2), msg(3)] });
  const renders = [];
  const { container, root } = await mount(h(Chat, { sync, renders }));
  assert.deepEqual(items(container), ['m1: sent', 'm2: sent', 'm3: sent']);
  const firstItems = [...container.querySelectorAll('li')];
  assert.equal(renders.length, 1);

  await act(async () => sync.change({ add: [msg(4)] }));
  assert.deepEqual(items(container), ['m1: sent', 'm2: sent', 'm3: sent', 'm4: sent']);
  assert.equal(renders.length, 2);
  // Keyed by id and the same objects: React kept the first three elements.
  for (let i = 0; i < 3; i++) assert.equal(container.querySelectorAll('li')[i], firstItems[i]);

  await act(async () => sync.change({ replace: [msg(2, { status: 'failure' })] }));
  assert.equal(items(container)[1], 'm2: failure');
  assert.equal(renders.length, 3);

  await act(async () => sync.setTyping(true, 'thinking'));
  assert.equal(container.querySelector('#typing').textContent, 'thinking');
  await act(async () => sync.setState({ state: 'polling', code: 'server_unreachable', reason: 'Server unreachable' }));
  assert.equal(container.querySelector('#badge').textContent, 'fallback');
  const count = renders.length;
  // A gaps change is not selected by Chat: no render.
  await act(async () => sync.setGaps([{ afterId: '', beforeId: 'm1', missing: null }]));
  assert.equal(renders.length, count);

  await act(async () => root.unmount());
});

test('one shared store per Sync; a store of its own for another message shape', async () => {
  const sync = fakeSync();
  assert.equal(syncStoreOf(sync), syncStoreOf(sync));
  const own = createSyncStore(sync, { mapMessage: (m) => ({ key: m.messageId, text: m.content.slice(0, 14) }) });
  function Keys() {
    const messages = useSync(own, (s) => s.messages);
    return h('ol', null, messages.map((m) => h('li', { key: m.key }, m.text)));
  }
  const { container, root } = await mount(h(Keys));
  await act(async () => {
    sync.select('s1');
    sync.change({ add: [msg(1)] });
  });
  assert.deepEqual(items(container), ['message number']);
  await act(async () => root.unmount());
  own.destroy();
});

test('with a real createSync: a pushed message appears in the DOM', async () => {
  const pusher = await startPusherServer();
  const app = await startAppServer({ pusher });
  const sync = createSync(stubSyncOptions(app, pusher));
  try {
    app.addMessage('s1', 1, { push: false });
    const { container, root } = await mount(h(Chat, { sync }));
    await act(async () => {
      sync.selectSession('s1');
      await waitFor(() => sync.state().state === 'connected' && sync.messages().length === 1, { what: 'connected with m1' });
    });
    assert.deepEqual(items(container), ['m1: sent']);
    assert.equal(container.querySelector('#badge').textContent, 'connected');
    await act(async () => {
      app.addMessage('s1', 2);
      await waitFor(() => sync.messages().length === 2, { what: 'the pushed m2' });
    });
    assert.deepEqual(items(container), ['m1: sent', 'm2: sent']);
    await act(async () => root.unmount());
  } finally {
    sync.destroy();
    await pusher.close();
    await app.close();
  }
});
