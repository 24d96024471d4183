// The selected session's outbox entries, right after its messages: what the user sent that the
// backend has not confirmed yet, with a status a person reads (waiting for the network, sending,
// not sent and why, with Retry and Discard). An entry leaves when the worker sees the server's
// message for it, which the message list shows in its place. Drawn in animation-frame batches: a
// burst of outbox updates costs one render.
import { findServerMessage } from '../shared/outbox-rules.js';
import type { OutboxEntry } from '../shared/protocol.js';
import { el, setText } from '../view/dom.js';
import type { ViewState } from '../view/view-state.js';
import type { WorkerPort } from '../view/worker-port.js';

/** The code of an entry that waits because the worker is offline (outbox.ts). */
const OFFLINE_CODE = 'network_offline';

export class OutboxView {
  private readonly nodes = new Map<string, HTMLLIElement>();
  /** Per entry, the newest message time the list had when this view first showed it. */
  private readonly floors = new Map<string, string>();
  private scheduled = false;

  constructor(
    private readonly list: HTMLUListElement,
    private readonly scroller: HTMLElement,
    private readonly state: ViewState,
    private readonly port: WorkerPort,
    private readonly showError: (text: string) => void,
  ) {
    state.on((change) => {
      // 'messages' too: an entry whose message just arrived is hidden before the worker's outbox
      // update follows, so no frame shows both.
      if (change === 'snapshot' || change === 'outbox' || change === 'session' || change === 'messages') this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      this.render();
    };
    // A hidden page gets no animation frames; it still keeps its DOM current.
    if (document.hidden) setTimeout(run, 0);
    else requestAnimationFrame(run);
  }

  render(): void {
    const entries = this.notInTheList(this.state.outbox.filter((entry) => entry.sessionId === this.state.sessionId));
    // Nothing pending and nothing drawn (every pushed message of a quiet outbox): no DOM work, no
    // layout read.
    if (entries.length === 0 && this.nodes.size === 0 && this.list.hidden) return;
    const { scroller } = this;
    const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 48;
    const seen = new Set<string>();
    let previous: HTMLLIElement | null = null;
    for (const entry of entries) {
      seen.add(entry.clientMessageId);
      let node = this.nodes.get(entry.clientMessageId);
      if (!node) {
        node = this.createNode(entry.clientMessageId);
        this.nodes.set(entry.clientMessageId, node);
      }
      fill(node, entry);
      const expected: ChildNode | null = previous ? previous.nextSibling : this.list.firstChild;
      if (expected !== node) this.list.insertBefore(node, expected);
      previous = node;
    }
    for (const [id, node] of this.nodes) {
      if (seen.has(id)) continue;
      node.remove();
      this.nodes.delete(id);
    }
    for (const id of this.floors.keys()) if (!this.state.outbox.some((entry) => entry.clientMessageId === id)) this.floors.delete(id);
    this.list.hidden = entries.length === 0;
    if (atBottom) scroller.scrollTop = scroller.scrollHeight;
  }

  /**
   * The entries whose message the list does not show yet. The worker drops an entry in the task
   * of the diff that brought its message, but the two reach this page as two port messages, and
   * a frame may fall between them: an entry whose message is already in the list (the worker's
   * own rule, findServerMessage, over what this view has seen since the entry appeared) is not
   * drawn, so no frame shows both.
   */
  private notInTheList(entries: OutboxEntry[]): OutboxEntry[] {
    // A view that holds a run further up the chat (the reader is there) has not seen the newest
    // messages: the entries stay until the worker drops them, out of view below.
    if (entries.length === 0 || !this.state.holdsEnd) return entries;
    // The list is in the engine's order, by time first: its last message is the newest.
    const newest = this.state.messages.at(-1)?.timestamp;
    const claimed = new Set<string>();
    return entries.filter((entry) => {
      if (!this.floors.has(entry.clientMessageId)) this.floors.set(entry.clientMessageId, newest ?? new Date(0).toISOString());
      const found = findServerMessage({ ...entry, notBefore: this.floors.get(entry.clientMessageId) }, this.state.messages, claimed);
      if (found === null) return true;
      claimed.add(found);
      return false;
    });
  }

  private createNode(clientMessageId: string): HTMLLIElement {
    const retry = el('button', { className: 'retry', text: 'Retry', attrs: { type: 'button' } });
    const discard = el('button', { className: 'discard', text: 'Discard', attrs: { type: 'button' } });
    retry.addEventListener('click', () => this.ask('retrySend', clientMessageId));
    discard.addEventListener('click', () => this.ask('discardSend', clientMessageId));
    // Shaped like the user's message it will become (message-row.ts): the text, then a foot.
    return el(
      'li',
      { className: 'outbox-entry', data: { clientId: clientMessageId } },
      el('div', { className: 'content' }),
      el('div', { className: 'foot' }, el('span', { className: 'outbox-status' })),
      el('div', { className: 'actions' }, retry, discard),
    );
  }

  private ask(op: 'retrySend' | 'discardSend', clientMessageId: string): void {
    this.port.request({ op, clientMessageId }).catch((error: Error) => this.showError(`${op === 'retrySend' ? 'Retry' : 'Discard'}: ${error.message}`));
  }
}

/** What the entry's state means to a person. Decided on the status and code, never on the reason's text. */
export function statusText(entry: OutboxEntry): string {
  switch (entry.status) {
    case 'sending':
      return 'Sending…';
    case 'failed':
      return `Not sent: ${entry.reason ?? entry.code ?? 'refused'}`;
    case 'queued':
      if (entry.code === OFFLINE_CODE) return 'Waiting for network';
      if (entry.code !== undefined) return `Waiting to retry: ${entry.reason ?? entry.code}`;
      return 'Waiting to send';
  }
}

function part(node: HTMLElement, className: string): HTMLElement {
  return node.querySelector(`.${className}`) as HTMLElement;
}

function fill(node: HTMLLIElement, entry: OutboxEntry): void {
  node.dataset['status'] = entry.status;
  if (entry.code !== undefined) node.dataset['code'] = entry.code;
  else delete node.dataset['code'];
  setText(part(node, 'content'), entry.content);
  setText(part(node, 'outbox-status'), statusText(entry));
  (part(node, 'actions') as HTMLElement).hidden = entry.status !== 'failed';
}
