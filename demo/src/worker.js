// One demo client: the WASM core with its own WebSocket, in a module Web Worker. The page starts
// it with the settings, a token and a session, and talks to it with postMessage only.
//
// page -> worker  {type: 'start', name, settings}   settings: createSync's options plus sessionId
//                 {type: 'select', sessionId}        another session
//                 {type: 'drop'}                     close this client's socket under the engine
//                 {type: 'online', online}           the engine's network input (setOnline)
//                 {type: 'visible', visible}         the page's visibility (setVisible)
//                 {type: 'snapshot'}                 send the whole list again
// worker -> page  ready, state, messages (the engine's diff, the messages it names, its version),
//                 snapshot (the store, the version of its last diff),
//                 typing, counters, socket (opened/closed with code), error
import { createSync, loadModule } from 'pushsync';

const post = (message) => self.postMessage(message);

// ---- the socket, seen from outside the engine ---------------------------------------------------
//
// The module opens its socket with `new WebSocket(url)` on the global it finds at that moment.
// Installing a subclass first lets the page "drop" the connection the way a network fault or a
// server restart does: the socket closes without the engine asking for it, the engine sees the
// close event (code 1005, no status) and takes its reconnect path (Reconnecting, backoff,
// resubscribe, backfill). setOnline(false) would instead be the engine closing the socket itself.
const sockets = new Set();
const NativeWebSocket = self.WebSocket;
class TrackedWebSocket extends NativeWebSocket {
  constructor(url, protocols) {
    super(url, protocols);
    sockets.add(this);
    this.addEventListener('open', () => post({ type: 'socket', event: 'open', at: Date.now() }));
    this.addEventListener('close', (event) => {
      sockets.delete(this);
      post({ type: 'socket', event: 'close', code: event.code, reason: event.reason, at: Date.now() });
    });
  }
}
self.WebSocket = TrackedWebSocket;

// ---- the client -----------------------------------------------------------------------------------

let sync;
let lastCounters = '';

function start({ settings }) {
  const { sessionId, visible = true, ...options } = settings;
  sync = createSync({
    ...options,
    // The .wasm sits next to this bundle (toolchain/build-demo copies it there).
    module: loadModule({ locateFile: (path) => new URL(path, import.meta.url).href }),
  });
  sync.on('state', ({ state, reason }) => post({ type: 'state', state, reason, at: Date.now() }));
  sync.on('messages', ({ diff, inserted, updated, version }) => {
    post({ type: 'messages', diff, inserted, updated, version, at: Date.now() });
  });
  sync.on('typing', ({ isTyping, context }) => post({ type: 'typing', isTyping, context }));
  sync.on('error', ({ code, message }) => {
    post({ type: 'error', code, message });
    // The glue reloaded its list (it drifted): the page's copy is stale too.
    if (code === 'glue') snapshot();
  });
  sync.ready.then(
    () => post({ type: 'ready', state: sync.state() }),
    (error) => post({ type: 'error', code: 'load', message: String(error?.message ?? error) }),
  );
  sync.setVisible(visible);
  sync.selectSession(sessionId);
  setInterval(sendCounters, 250);
}

function sendCounters() {
  const counters = sync.counters();
  const open = [...sockets].some((socket) => socket.readyState === NativeWebSocket.OPEN);
  const text = JSON.stringify([counters, open]);
  if (text === lastCounters) return;
  lastCounters = text;
  post({ type: 'counters', counters, socketOpen: open });
}

function snapshot() {
  // The store as it is now, and the version of its last diff: the page skips the diffs it holds.
  post({ type: 'snapshot', messages: sync.readMessages(), version: sync.messagesVersion(), at: Date.now() });
}

self.onmessage = ({ data }) => {
  switch (data?.type) {
    case 'start':
      if (!sync) start(data);
      break;
    case 'select':
      sync?.selectSession(data.sessionId);
      break;
    case 'drop': {
      const open = [...sockets].filter((socket) => socket.readyState <= NativeWebSocket.OPEN);
      for (const socket of open) socket.close();
      post({ type: 'dropped', count: open.length, at: Date.now() });
      break;
    }
    case 'online':
      sync?.setOnline(Boolean(data.online));
      break;
    case 'visible':
      sync?.setVisible(Boolean(data.visible));
      break;
    case 'snapshot':
      if (sync) snapshot();
      break;
    default:
      break;
  }
};
