// The extension's service worker: hosts the one sync engine (and so the only socket) and serves
// every view over chrome.runtime ports. Chrome may stop this worker whenever it is idle; every
// listener is registered synchronously at the top level so that the event that wakes it (a view
// connecting, the wake alarm, a storage or permission change) is delivered, and the start restores the engine.
import { loadModule, PERSIST_KEY } from 'pushsync';
import { actionBadge } from './action-badge.js';
import { EngineHost } from './engine-host.js';
import { watchNetwork } from './network-watch.js';
import { Outbox, OUTBOX_KEY } from './outbox.js';
import { answerRequest, api, describeError } from './requests.js';
import { ViewHub } from './view-hub.js';
import { ensureWakeAlarm, WAKE_ALARM } from './wake-alarm.js';
import { countWorkerStart } from './worker-starts.js';

performance.mark('pushsync:worker-script');
// The module's files ship in the extension; its CSP allows compiling them ('wasm-unsafe-eval').
const module = loadModule({ locateFile: (path) => chrome.runtime.getURL(`wasm/${path}`) });
void module.then(() => performance.mark('pushsync:module-ready'));

// Each refers to the others only from callbacks that run after all exist.
const host: EngineHost = new EngineHost(module, (message) => {
  hub.broadcast(message);
  // In the same task as the diff that brought them: entries whose message is now in the list leave
  // the outbox before any view draws both (or neither).
  if (message.type === 'messages' || message.type === 'snapshot') outbox.onMessages(host.model.sessionId, host.model.messages);
  else if (message.type === 'state') outbox.onState(message);
});
const outbox: Outbox = new Outbox({
  started: host.started,
  backend: () => api(host),
  store: () => {
    const { sync } = host.current();
    return sync ? { sessionId: host.model.sessionId, messages: host.model.messages, loaded: sync.loaded() } : null;
  },
  refresh: () => host.refresh(),
  // Declared below; only called once a send is under way.
  checkNetwork: () => network.check(),
  broadcast: (message) => hub.broadcast(message),
  failedChanged: (count) => actionBadge.noteFailedSend(count),
});
host.outboxEntries = () => outbox.entries();
host.outboxWiped = () => void outbox.wipe();
const hub: ViewHub = new ViewHub({
  ready: host.started,
  snapshot: () => host.snapshot(),
  countChanged: (count) => host.setViewCount(count),
  request: (port, id, request) => {
    if (request.op === 'snapshot') {
      // Posted at once, in line with the broadcasts: the diffs that follow apply to it.
      hub.post(port, { type: 'snapshot', ...host.snapshot() });
      hub.post(port, { type: 'reply', id, ok: true, result: null });
      return;
    }
    if (request.op === 'messages') {
      // Also at once, in line with the broadcasts: the run fits the view's list as it stands.
      const { start, count } = request;
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(count) || start < 0 || count < 0) {
        hub.post(port, { type: 'reply', id, ok: false, error: { code: 'bad_request', message: `messages: start and count must be whole numbers of 0 or more (got ${start}, ${count})` } });
        return;
      }
      hub.post(port, { type: 'range', ...host.range(start, count) });
      hub.post(port, { type: 'reply', id, ok: true, result: null });
      return;
    }
    answerRequest(host, outbox, request).then(
      (result) => hub.post(port, { type: 'reply', id, ok: true, result }),
      (error: unknown) => hub.post(port, { type: 'reply', id, ok: false, error: describeError(error) }),
    );
  },
});

chrome.runtime.onConnect.addListener((port) => hub.attach(port));
chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === WAKE_ALARM) host.onWake();
});
chrome.storage.onChanged.addListener((changes, area) => {
  if (area !== 'local') return;
  host.onStorageChanged(changes);
  // A login (or new settings) may end an outbox entry's wait; the engine restart is not awaited:
  // an attempt before it fails like any other and is tried again.
  if (Object.keys(changes).some((key) => key !== OUTBOX_KEY && key !== PERSIST_KEY)) void host.started.then(() => outbox.credentialsChanged());
});
// A host the user granted (or revoked) since: start again with or without an engine.
chrome.permissions.onAdded.addListener(() => void host.onPermissionsChanged().then(() => outbox.credentialsChanged()));
chrome.permissions.onRemoved.addListener(() => void host.onPermissionsChanged());
chrome.runtime.onInstalled.addListener(() => void ensureWakeAlarm());
chrome.runtime.onStartup.addListener(() => void ensureWakeAlarm());
const network = watchNetwork((online) => {
  host.setOnline(online);
  outbox.setOnline(online);
});

void ensureWakeAlarm();
void countWorkerStart().then((starts) => {
  host.figures.workerStarts = starts;
});
void host.start();
