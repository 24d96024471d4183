// The demo page: signs in as alice, picks (or creates) the "Demo" session and runs two clients of
// the WASM core, each in its own module Web Worker with its own WebSocket (worker.js). The page
// only renders what the workers report and sends commands; everything it shows of a message is
// text (textContent), never HTML.
import { drawChart, formatMs } from './chart.js';

const USER = { email: 'alice@example.com', password: 'alice-password' };
const SESSION_TITLE = 'Demo';
/** "Fast fallback": development timings that make Reconnecting -> Polling -> Connected take seconds. */
const FAST = { backoffBaseMs: 250, backoffCapMs: 1000, maxReconnectAttempts: 3 };
const TYPING_TEXT = { thinking: 'Thinking…', executing: 'Executing…', verifying: 'Verifying…' };
const STATE_LABEL = {
  connected: 'Connected', connecting: 'Connecting', reconnecting: 'Reconnecting',
  polling: 'Polling', offline: 'Offline', disconnected: 'Disconnected',
};

const $ = (selector, root = document) => root.querySelector(selector);
const params = new URLSearchParams(location.search);
const fast = params.get('fast') === '1';
const protocolChoice = ['7', '2', 'mixed'].includes(params.get('protocol')) ? params.get('protocol') : '7';

let token = null;
let sessionId = null;
let devRoutes = false;
let config = null;
const pageStarted = Date.now();

// ---- small helpers --------------------------------------------------------------------------------

async function api(method, path, body) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  if (!response.ok) throw new Error(parsed?.error?.message ?? `${method} ${path}: HTTP ${response.status}`);
  return parsed;
}

function clock(at = Date.now()) {
  const d = new Date(at);
  return `${d.toLocaleTimeString([], { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

function log(who, text, kind = '') {
  const item = document.createElement('li');
  if (kind) item.dataset.kind = kind;
  const time = document.createElement('time');
  time.textContent = clock();
  const whom = document.createElement('b');
  whom.textContent = who;
  if (who === 'A' || who === 'B') whom.className = `who who-${who}`;
  const what = document.createElement('span');
  what.textContent = text;
  item.append(time, whom, what);
  const list = $('#log');
  list.prepend(item);
  while (list.children.length > 80) list.lastElementChild.remove();
}

function uuid() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(16)}-${Math.random().toString(16).slice(2)}`;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

// ---- one client ---------------------------------------------------------------------------------------

class ClientView {
  constructor(name, protocol) {
    this.name = name;
    this.protocol = protocol;
    this.online = true;
    this.messages = [];
    this.version = 0; // of the engine's last diff in this.messages (the Sync's messagesVersion)
    this.samples = []; // {at, ms}: latency of messages that arrived while the page watched
    this.pending = []; // inserted messages waiting for the next frame to be measured
    this.history = [];
    this.state = 'disconnected';
    this.stateSince = Date.now();

    const card = $('#client-template').content.firstElementChild.cloneNode(true);
    card.dataset.client = name;
    $('.client-name', card).textContent = `Client ${name}`;
    $('.client-proto', card).textContent = protocol === 2 ? 'Sockudo V2' : 'protocol 7';
    $('.swatch', card).classList.add(`swatch-${name}`);
    this.card = card;
    this.badge = $('.badge', card);
    this.reason = $('.reason', card);
    this.list = $('.messages', card);
    this.typing = $('.typing', card);
    $('.drop', card).addEventListener('click', () => {
      this.worker?.postMessage({ type: 'drop' });
    });
    this.offlineButton = $('.offline', card);
    this.offlineButton.addEventListener('click', () => this.setOnline(!this.online));
    $('#clients').append(card);
  }

  start(settings) {
    this.startedAt = Date.now();
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: `pushsync client ${this.name}` });
    this.worker.onmessage = ({ data }) => this.onWorker(data);
    this.worker.onerror = (event) => {
      log(this.name, `worker failed: ${event.message || 'could not load worker.js'}`, 'bad');
      this.setState('disconnected', 'Worker failed');
    };
    this.worker.postMessage({ type: 'start', name: this.name, settings: { ...settings, protocol: this.protocol } });
  }

  setOnline(online) {
    this.online = online;
    this.worker?.postMessage({ type: 'online', online });
    this.offlineButton.textContent = online ? 'Go offline' : 'Go online';
    this.offlineButton.classList.toggle('primary', !online);
    log(this.name, online ? 'back online (setOnline(true))' : 'offline (setOnline(false))');
  }

  onWorker(data) {
    switch (data.type) {
      case 'state':
        this.setState(data.state, data.reason);
        break;
      case 'ready':
        log(this.name, 'WASM module loaded, engine started');
        break;
      case 'messages':
        // A diff the last snapshot already holds changes nothing; one after a missed diff asks
        // for a snapshot (it is applied meanwhile, and the snapshot replaces the result).
        if (data.version <= this.version) break;
        if (data.version !== this.version + 1) this.worker?.postMessage({ type: 'snapshot' });
        this.version = data.version;
        this.applyDiff(data);
        break;
      case 'snapshot':
        this.version = data.version;
        this.replaceAll(data.messages);
        break;
      case 'typing':
        this.typing.dataset.typing = String(data.isTyping);
        $('.typing-text', this.typing).textContent = data.isTyping ? TYPING_TEXT[data.context] ?? 'Processing…' : '';
        break;
      case 'counters':
        this.showCounters(data.counters);
        break;
      case 'socket':
        if (data.event === 'close') log(this.name, `socket closed (code ${data.code}${data.reason ? `, ${data.reason}` : ''})`, 'muted');
        else log(this.name, 'socket open', 'muted');
        break;
      case 'dropped':
        log(this.name, data.count ? 'socket dropped from outside the engine' : 'no socket to drop');
        break;
      case 'error':
        // A socket error is always followed by its close (logged with the code): once is enough.
        if (data.code === 'server_error' && data.message.startsWith('socket error')) break;
        log(this.name, `${data.code}: ${data.message}`, data.code === 'server_error' ? '' : 'bad');
        break;
      default:
        break;
    }
  }

  setState(state, reason) {
    if (state !== this.state) this.stateSince = Date.now();
    this.state = state;
    this.history.push(state);
    if (this.history.length > 40) this.history.shift();
    this.card.dataset.history = this.history.join(' ');
    this.badge.dataset.state = state;
    this.badge.textContent = STATE_LABEL[state] ?? state;
    this.badge.title = reason ? `${STATE_LABEL[state] ?? state}: ${reason}` : STATE_LABEL[state] ?? state;
    this.reason.textContent = reason ?? '';
    log(this.name, reason ? `${state} (${reason})` : state, `state-${state}`);
  }

  // The engine's diff, in final positions: drop removedFront, insert at `inserted` (ascending),
  // replace at `updated`. The DOM list mirrors the array node for node.
  applyDiff({ diff, inserted, updated }) {
    if (diff.reset) {
      this.messages = [];
      this.list.replaceChildren();
    }
    if (diff.removedFront > 0) {
      this.messages.splice(0, diff.removedFront);
      for (let i = 0; i < diff.removedFront && this.list.firstElementChild; i++) this.list.firstElementChild.remove();
    }
    diff.inserted.forEach((position, i) => {
      const message = inserted[i];
      if (!message) return;
      this.messages.splice(position, 0, message);
      this.list.insertBefore(messageNode(message), this.list.children[position] ?? null);
      if (!diff.reset) this.pending.push(message);
    });
    diff.updated.forEach((position, i) => {
      const message = updated[i];
      if (!message || !this.list.children[position]) return;
      this.messages[position] = message;
      this.list.children[position].replaceWith(messageNode(message));
    });
    if (this.messages.length !== diff.size || this.list.children.length !== diff.size) {
      this.worker?.postMessage({ type: 'snapshot' });
    }
    scheduleFrame();
  }

  replaceAll(messages) {
    this.messages = [...messages];
    this.list.replaceChildren(...messages.map(messageNode));
    scheduleFrame();
  }

  /** Called in an animation frame, just before the new messages are painted. */
  frame(now) {
    for (const message of this.pending) {
      const sent = Date.parse(message.timestamp);
      // Only messages created while this client was running: older ones are history, not latency.
      if (Number.isFinite(sent) && sent >= this.startedAt) this.samples.push({ at: now, ms: now - sent });
    }
    this.pending = [];
    if (this.samples.length > 2000) this.samples.splice(0, this.samples.length - 2000);
    this.showFigures();
  }

  showFigures() {
    $('.f-messages', this.card).textContent = String(this.messages.length);
    const newest = this.messages.at(-1);
    $('.f-newest', this.card).textContent = newest ? `#${newest.sequenceNumber}` : '–';
    const last = this.samples.at(-1);
    $('.f-last', this.card).textContent = last ? formatMs(last.ms) : '–';
    const recent = this.samples.slice(-200).map((sample) => sample.ms).sort((a, b) => a - b);
    $('.f-median', this.card).textContent = formatMs(percentile(recent, 0.5));
    $('.f-p95', this.card).textContent = formatMs(percentile(recent, 0.95));
    this.showSince();
  }

  showSince() {
    const seconds = (Date.now() - this.stateSince) / 1000;
    $('.f-since', this.card).textContent = seconds < 60 ? `${Math.floor(seconds)} s` : `${Math.floor(seconds / 60)} min`;
  }

  showCounters(counters) {
    $('.f-reconnects', this.card).textContent = String(counters.reconnects);
    $('.f-sockets', this.card).textContent = String(counters.socketsOpened);
    $('.f-frames', this.card).textContent = String(counters.framesReceived);
    $('.f-syncs', this.card).textContent = String(counters.syncs);
    $('.f-duplicates', this.card).textContent = String(counters.duplicates);
    $('.f-resumes', this.card).textContent = String(counters.resumes);
  }
}

function messageNode(message) {
  const item = document.createElement('li');
  item.className = 'message';
  item.dataset.id = message.messageId;
  item.dataset.seq = String(message.sequenceNumber);
  item.dataset.role = message.role;
  item.dataset.status = message.status;
  const seq = document.createElement('span');
  seq.className = 'seq';
  seq.textContent = `#${message.sequenceNumber}`;
  const content = document.createElement('span');
  content.className = 'content';
  content.textContent = message.content; // text, never HTML
  const meta = document.createElement('span');
  meta.className = 'meta';
  meta.textContent = message.status === 'success' || message.status === 'sent' ? message.role : `${message.role} · ${message.status}`;
  if (message.error) meta.title = `${message.error.code}: ${message.error.message}`;
  item.append(seq, content, meta);
  return item;
}

// ---- the page -----------------------------------------------------------------------------------------

const clients = [
  new ClientView('A', protocolChoice === '2' ? 2 : 7),
  new ClientView('B', protocolChoice === '7' ? 7 : 2),
];

let framePending = false;
function scheduleFrame() {
  if (framePending) return;
  framePending = true;
  requestAnimationFrame(() => {
    framePending = false;
    const now = Date.now();
    for (const client of clients) client.frame(now);
    showAgreement();
  });
}

function showAgreement() {
  const [a, b] = clients.map((client) => client.messages);
  const node = $('#agree');
  const same = a.length === b.length && a.every((message, i) => message.messageId === b[i].messageId && message.status === b[i].status);
  node.dataset.agree = String(same);
  node.textContent = same
    ? `A and B agree: ${a.length} messages${a.length ? `, newest #${a.at(-1).sequenceNumber}` : ''}`
    : `A: ${a.length} · B: ${b.length} messages (catching up)`;
}

const sockudoDown = []; // {from, to, label}: when this page saw Sockudo down, for the chart
function redrawChart() {
  const series = clients.map((client) => ({ name: client.name, samples: client.samples }));
  drawChart($('#chart'), series, { bands: sockudoDown, since: pageStarted });
}

// Theme: follows the system unless chosen (auto -> light -> dark).
const THEMES = ['auto', 'light', 'dark'];
const THEME_ICON = { auto: '◐', light: '☀', dark: '☾' };
function applyTheme(theme) {
  if (theme === 'auto') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  const button = $('#theme');
  button.textContent = THEME_ICON[theme];
  button.title = theme === 'auto' ? 'Theme: follows the system' : `Theme: ${theme}`;
}
let theme = localStorage.getItem('pushsync-demo-theme') ?? 'auto';
if (!THEMES.includes(theme)) theme = 'auto';
applyTheme(theme);
$('#theme').addEventListener('click', () => {
  theme = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length];
  localStorage.setItem('pushsync-demo-theme', theme);
  applyTheme(theme);
});

// Settings that need a restart of the clients: a reload with other parameters.
$('#fast').checked = fast;
$('#protocol').value = protocolChoice;
function reloadWith(name, value) {
  const next = new URLSearchParams(location.search);
  if (value === null) next.delete(name);
  else next.set(name, value);
  location.search = next.toString();
}
$('#fast').addEventListener('change', (event) => reloadWith('fast', event.target.checked ? '1' : null));
$('#protocol').addEventListener('change', (event) => reloadWith('protocol', event.target.value === '7' ? null : event.target.value));

const legend = $('#legend');
for (const client of clients) {
  const item = document.createElement('span');
  item.className = `legend-item legend-${client.name}`;
  item.textContent = `Client ${client.name}`;
  legend.append(item);
}

// ---- actions ---------------------------------------------------------------------------------------------

$('#send-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('#send-text');
  const content = input.value.trim();
  if (!content || !sessionId) return;
  input.value = '';
  const started = performance.now();
  try {
    await api('POST', '/api/agent/interact', { sessionId, content, clientMessageId: uuid() });
    log('page', `assistant turn done in ${formatMs(performance.now() - started)}`);
  } catch (error) {
    log('page', `send failed: ${error.message}`, 'bad');
  }
});

$('#burst').addEventListener('click', async () => {
  const button = $('#burst');
  button.disabled = true;
  const started = performance.now();
  try {
    const result = await api('POST', `/api/dev/session/${sessionId}/burst`, { count: 100 });
    button.dataset.bursts = String(Number(button.dataset.bursts ?? 0) + 1);
    button.dataset.last = `${result.first}-${result.last}`;
    log('page', `burst of ${result.count} (#${result.first}–#${result.last}) stored and pushed in ${formatMs(performance.now() - started)}`);
  } catch (error) {
    log('page', `burst failed: ${error.message}`, 'bad');
  } finally {
    button.disabled = false;
  }
});

let sockudoUp = null;
let sockudoBusy = false;
function showSockudo(up) {
  const open = sockudoDown.at(-1);
  if (!up && !(open && open.to === null)) sockudoDown.push({ from: Date.now(), to: null, label: 'Sockudo down' });
  if (up && open && open.to === null) open.to = Date.now();
  if (sockudoDown.length > 20) sockudoDown.shift();
  sockudoUp = up;
  const pill = $('#sockudo-pill');
  pill.dataset.up = String(up);
  pill.textContent = up ? 'Sockudo up' : 'Sockudo down';
  const button = $('#sockudo-toggle');
  if (!sockudoBusy) {
    button.textContent = up ? 'Stop Sockudo' : 'Start Sockudo';
    button.className = up ? 'danger' : 'primary';
    button.disabled = !devRoutes;
  }
}

async function pollSockudo() {
  if (!devRoutes || sockudoBusy) return;
  try {
    const status = await api('GET', '/api/dev/status');
    if (!sockudoBusy) showSockudo(status.sockudo.up);
  } catch {
    /* the next poll tells */
  }
}

$('#sockudo-toggle').addEventListener('click', async () => {
  const command = sockudoUp ? 'stop' : 'start';
  const button = $('#sockudo-toggle');
  sockudoBusy = true;
  button.disabled = true;
  button.textContent = command === 'stop' ? 'Stopping…' : 'Starting…';
  log('page', `${command === 'stop' ? 'stopping' : 'starting'} Sockudo (toolchain/stack ${command} sockudo)`);
  try {
    const result = await api('POST', `/api/dev/sockudo/${command}`);
    log('page', `Sockudo ${result.sockudo.up ? 'is up' : 'is down'}`, result.sockudo.up ? 'good' : 'bad');
    sockudoBusy = false;
    showSockudo(result.sockudo.up);
  } catch (error) {
    log('page', `${command} failed: ${error.message}`, 'bad');
    sockudoBusy = false;
    await pollSockudo();
    button.disabled = !devRoutes;
  }
});

$('#new-session').addEventListener('click', async () => {
  try {
    const created = await api('POST', '/api/sessions', { title: SESSION_TITLE });
    selectSession(created.sessionId, true);
    for (const client of clients) {
      client.samples = [];
      client.worker?.postMessage({ type: 'select', sessionId: created.sessionId });
    }
    log('page', `new session ${created.sessionId.slice(0, 8)}`);
  } catch (error) {
    log('page', `new session failed: ${error.message}`, 'bad');
  }
});

function selectSession(id, created) {
  sessionId = id;
  const line = $('#session-line');
  line.textContent = `${USER.email} · session “${SESSION_TITLE}” ${id.slice(0, 8)}${created ? ' (new)' : ''} · ${fast ? 'fast fallback' : 'production timings'}`;
  line.title = id;
}

// A strict CSP is part of the demo: anything it blocks shows in the timeline.
document.addEventListener('securitypolicyviolation', (event) => {
  log('page', `CSP blocked ${event.blockedURI || 'inline code'} (${event.effectiveDirective})`, 'bad');
});

document.addEventListener('visibilitychange', () => {
  for (const client of clients) client.worker?.postMessage({ type: 'visible', visible: document.visibilityState === 'visible' });
});

// ---- start ---------------------------------------------------------------------------------------------

async function main() {
  showAgreement();
  redrawChart();
  setInterval(() => {
    redrawChart();
    for (const client of clients) client.showSince();
  }, 500);
  try {
    config = await api('GET', 'config.json');
    devRoutes = config.devRoutes;
    token = (await api('POST', '/api/auth/login', USER)).accessToken;
    const { sessions } = await api('GET', '/api/sessions');
    const existing = sessions.find((session) => session.title === SESSION_TITLE);
    const id = existing?.sessionId ?? (await api('POST', '/api/sessions', { title: SESSION_TITLE })).sessionId;
    selectSession(id, !existing);
  } catch (error) {
    const line = $('#session-line');
    line.textContent = `Could not start: ${error.message}`;
    line.classList.add('bad');
    return;
  }
  $('#send').disabled = false;
  if (devRoutes) {
    $('#burst').disabled = false;
    await pollSockudo();
    setInterval(pollSockudo, 2000);
  } else {
    const why = 'Needs the development routes: run the server with PUSHSYNC_DEV_ROUTES=1 (toolchain/stack up does)';
    for (const id of ['#burst', '#sockudo-toggle']) $(id).title = why;
    $('#sockudo-pill').textContent = 'Sockudo: dev routes off';
  }
  const settings = {
    apiBase: location.origin,
    wsHost: config.wsHost,
    wsPort: config.wsPort,
    wsTls: config.wsTls,
    key: config.key,
    token,
    sessionId,
    visible: document.visibilityState === 'visible',
    engineConfig: fast ? FAST : {},
  };
  for (const client of clients) client.start(settings);
  log('page', `signed in as ${USER.email}; two clients on ws://${config.wsHost}:${config.wsPort}${fast ? ', fast fallback' : ''}`);
}

main();
