// The developer's view of the engine: the connection badge (reason as tooltip, and spelled out),
// every state it can take, and the live figures: reconnects, the last event's latency, the newest
// sequence number, protocol, socket id, the engine's counters and its recent errors.
import type { Counters } from 'pushsync';
import { CONNECTION_STATES, connectionLabel, connectionTooltip } from '../shared/connection-label.js';
import { renderBadge } from '../view/connection-badge.js';
import { el, setText } from '../view/dom.js';
import { FrameBatch } from '../view/frame-batch.js';
import type { ViewState } from '../view/view-state.js';
import type { WorkerPort } from '../view/worker-port.js';
import type { Figures } from '../shared/protocol.js';

const FIGURES: Array<[key: string, label: string]> = [
  ['reconnects', 'Reconnects'],
  ['latency', 'Last event latency'],
  ['newestSequence', 'Newest sequence'],
  ['protocol', 'Protocol'],
  ['socketId', 'Socket id'],
  ['session', 'Session'],
  ['messages', 'Messages'],
  ['messagesHeld', 'Messages held by this view'],
  ['gaps', 'Not loadable (gaps)'],
  ['workerStarts', 'Worker starts'],
  ['engineStarts', 'Engine starts'],
  ['views', 'Open views'],
  ['lastEventAt', 'Last change'],
];

/** The engine's counters change without events (pongs, frames): read them this often while shown. */
const REFRESH_MS = 1_000;

const COUNTER_LABELS: Record<keyof Counters, string> = {
  framesReceived: 'Frames received',
  framesRejected: 'Frames rejected',
  messagesInserted: 'Messages inserted',
  duplicates: 'Duplicates dropped',
  socketsOpened: 'Sockets opened',
  reconnects: 'Reconnects',
  authRequests: 'Auth requests',
  syncs: 'REST syncs',
  resumes: 'V2 resumes',
  messagesRejected: 'Messages rejected (REST)',
  restMessages: 'Messages read over REST',
  replies: 'Turn replies',
  replyMessages: 'Messages read for replies',
  gapsFound: 'Gaps found',
  cursor: 'Cursor',
  protocol: 'Protocol',
  dialect: 'REST dialect',
};

export class DebugPanel {
  private readonly badge = el('span', { className: 'badge badge-large', attrs: { id: 'debug-badge', role: 'status' } });
  private readonly reason = el('span', { className: 'reason', attrs: { id: 'debug-reason' } });
  private readonly legend = el('ul', { className: 'legend', attrs: { 'aria-label': 'Connection states' } });
  private readonly values = new Map<string, HTMLElement>();
  private readonly counters = el('tbody');
  private readonly errors = el('ol', { className: 'errors' });

  private readonly batch = new FrameBatch(() => this.render());

  /** `compact`: inside the popup, where the counters start folded and the legend is left out. */
  constructor(
    private readonly root: HTMLElement,
    private readonly state: ViewState,
    port: WorkerPort,
    { compact = false }: { compact?: boolean } = {},
  ) {
    for (const name of CONNECTION_STATES) {
      this.legend.append(el('li', {}, el('span', { className: 'badge', text: connectionLabel(name), title: connectionTooltip(name, ''), data: { state: name } })));
    }
    const figures = el('dl', { className: 'figures' });
    for (const [key, label] of FIGURES) {
      const value = el('dd', { data: { figure: key } });
      this.values.set(key, value);
      figures.append(el('div', {}, el('dt', { text: label }), value));
    }
    root.replaceChildren(
      el('div', { className: 'debug-head' }, this.badge, this.reason),
      this.legend,
      figures,
      el('details', { className: 'counters', attrs: compact ? {} : { open: '' } }, el('summary', { text: 'Engine counters' }), el('table', {}, this.counters)),
      el('details', { className: 'recent-errors' }, el('summary', { text: 'Recent errors' }), this.errors),
    );
    if (compact) root.classList.add('compact');
    // Every change of the state (a burst brings hundreds a second) costs at most one render a frame.
    state.on(() => this.batch.schedule());
    this.render();
    setInterval(() => {
      if (root.hidden || document.hidden || !state.linked) return;
      port.request<Figures>({ op: 'figures' }).then(
        (figures) => state.receive({ type: 'figures', figures }),
        () => {}, // the port closed: the snapshot after the reconnect brings figures
      );
    }, REFRESH_MS);
  }

  /** The panel was shown again: draw what changed while it was hidden. */
  show(): void {
    this.batch.schedule();
  }

  private render(): void {
    const { state } = this;
    renderBadge(this.badge, state.state);
    setText(this.reason, state.linked ? connectionTooltip(state.state.state, state.state.reason) : 'Waiting for the service worker…');
    // Hidden (developer mode off in the popup): the badge stays current, the rest waits for show().
    if (this.root.hidden) return;
    for (const item of this.legend.querySelectorAll<HTMLElement>('.badge')) {
      if (item.dataset['state'] === state.state.state) item.setAttribute('aria-current', 'true');
      else item.removeAttribute('aria-current');
    }
    const figures = state.figures;
    const show = (key: string, text: string) => setText(this.values.get(key)!, text);
    show('reconnects', String(figures?.reconnects ?? 0));
    show('latency', figures?.lastLatencyMs == null ? '—' : `${Math.round(figures.lastLatencyMs)} ms`);
    show('newestSequence', figures?.newestSequence == null ? '—' : String(figures.newestSequence));
    show('protocol', figures?.protocol ? String(figures.protocol) : '—');
    show('socketId', figures?.socketId || '—');
    show('session', state.sessionId || '—');
    show('messages', String(state.total));
    show('messagesHeld', String(state.messages.length));
    const missing = state.gaps.reduce((sum, gap) => sum + (gap.missing ?? 0), 0);
    const unknown = state.gaps.some((gap) => gap.missing === null);
    show('gaps', state.gaps.length === 0 ? 'none' : `${missing}${unknown ? '+' : ''} in ${state.gaps.length}`);
    show('workerStarts', String(figures?.workerStarts ?? 0));
    show('engineStarts', String(figures?.engineStarts ?? 0));
    show('views', String(figures?.views ?? 0));
    show('lastEventAt', figures?.lastEventAt ? new Date(figures.lastEventAt).toLocaleTimeString() : '—');
    const counters = figures?.counters;
    this.counters.replaceChildren(
      ...(counters
        ? (Object.keys(COUNTER_LABELS) as Array<keyof Counters>).map((key) =>
            el('tr', { data: { counter: key } }, el('th', { text: COUNTER_LABELS[key], attrs: { scope: 'row' } }), el('td', { text: String(counters[key]) })),
          )
        : []),
    );
    this.errors.replaceChildren(
      ...[...state.errors].reverse().map((error) => el('li', { text: `${new Date(error.at).toLocaleTimeString()} ${error.code}: ${error.message}` })),
    );
    if (state.errors.length === 0) this.errors.append(el('li', { className: 'none', text: 'None' }));
  }
}
