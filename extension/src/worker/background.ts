// The extension's service worker: hosts the one sync engine (and so the only socket) and serves
// every view over chrome.runtime ports. Chrome may stop this worker whenever it is idle; every
// listener is registered synchronously at the top level so that the event that wakes it (a view
// connecting, the wake alarm, a storage or permission change) is delivered, and the start restores the engine.
import { loadModule } from 'pushsync';
import { EngineHost } from './engine-host.js';
import { answerRequest, describeError } from './requests.js';
import { ViewHub } from './view-hub.js';
import { ensureWakeAlarm, WAKE_ALARM } from './wake-alarm.js';
import { countWorkerStart } from './worker-starts.js';

// The module's files ship in the extension; its CSP allows compiling them ('wasm-unsafe-eval').
const module = loadModule({ locateFile: (path) => chrome.runtime.getURL(`wasm/${path}`) });

// Each refers to the other only from callbacks that run after both exist.
const host: EngineHost = new EngineHost(module, (message) => hub.broadcast(message));
const hub: ViewHub = new ViewHub({
  snapshot: () => host.snapshot(),
  countChanged: (count) => host.setViewCount(count),
  request: (port, id, request) => {
    if (request.op === 'snapshot') {
      // Posted at once, in line with the broadcasts: the diffs that follow apply to it.
      hub.post(port, { type: 'snapshot', ...host.snapshot() });
      hub.post(port, { type: 'reply', id, ok: true, result: null });
      return;
    }
    answerRequest(host, request).then(
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
  if (area === 'local') host.onStorageChanged(changes);
});
// A host the user granted (or revoked) since: start again with or without an engine.
chrome.permissions.onAdded.addListener(() => void host.onPermissionsChanged());
chrome.permissions.onRemoved.addListener(() => void host.onPermissionsChanged());
chrome.runtime.onInstalled.addListener(() => void ensureWakeAlarm());
chrome.runtime.onStartup.addListener(() => void ensureWakeAlarm());
globalThis.addEventListener('online', () => host.setOnline(true));
globalThis.addEventListener('offline', () => host.setOnline(false));

void ensureWakeAlarm();
void countWorkerStart().then((starts) => {
  host.figures.workerStarts = starts;
});
void host.start();
