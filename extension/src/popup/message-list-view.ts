// The selected session's messages, in the engine's order: role, content (as text, never markup),
// status, sequence number, time, and the error of a failed message. Nodes are keyed by message id
// and moved rather than rebuilt, so a diff of one message touches one node. A gap (messages the
// backend could not give) is shown where it is, before the message it precedes.
import type { Message } from 'pushsync';
import { el, setText } from '../view/dom.js';
import type { ViewState } from '../view/view-state.js';

/** Within this many pixels of the bottom, new messages keep the list scrolled to the end. */
const STICKY_BOTTOM_PX = 48;

export class MessageListView {
  private readonly nodes = new Map<string, HTMLLIElement>();
  private readonly gapNodes = new Map<string, HTMLLIElement>();

  constructor(
    private readonly list: HTMLUListElement,
    private readonly scroller: HTMLElement,
    private readonly emptyNote: HTMLElement,
    private readonly state: ViewState,
  ) {
    state.on((change) => {
      if (change === 'snapshot' || change === 'messages' || change === 'session' || change === 'gaps') this.render();
    });
  }

  render(): void {
    const { scroller } = this;
    const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < STICKY_BOTTOM_PX;
    const seen = new Set<string>();
    const gapBefore = new Map(this.state.gaps.map((gap) => [gap.beforeId, gap]));
    const gapsSeen = new Set<string>();
    let previous: HTMLLIElement | null = null;
    for (const message of this.state.messages) {
      seen.add(message.messageId);
      const gap = gapBefore.get(message.messageId);
      if (gap) {
        gapsSeen.add(gap.beforeId);
        let marker = this.gapNodes.get(gap.beforeId);
        if (!marker) {
          marker = el('li', { className: 'gap' });
          this.gapNodes.set(gap.beforeId, marker);
        }
        marker.dataset['missing'] = gap.missing === null ? '' : String(gap.missing);
        setText(marker, gapText(gap.afterId === '', gap.missing));
        const at: ChildNode | null = previous ? previous.nextSibling : this.list.firstChild;
        if (at !== marker) this.list.insertBefore(marker, at);
        previous = marker;
      }
      let node = this.nodes.get(message.messageId);
      if (!node) {
        node = createNode();
        this.nodes.set(message.messageId, node);
      }
      fill(node, message);
      const expected: ChildNode | null = previous ? previous.nextSibling : this.list.firstChild;
      if (expected !== node) this.list.insertBefore(node, expected);
      previous = node;
    }
    for (const [id, node] of this.nodes) {
      if (seen.has(id)) continue;
      node.remove();
      this.nodes.delete(id);
    }
    for (const [id, node] of this.gapNodes) {
      if (gapsSeen.has(id)) continue;
      node.remove();
      this.gapNodes.delete(id);
    }
    const empty = this.state.messages.length === 0;
    this.emptyNote.hidden = !empty;
    setText(this.emptyNote, this.state.sessionId ? 'No messages yet. Say something!' : 'Pick a chat, or start a new one.');
    if (atBottom) scroller.scrollTop = scroller.scrollHeight;
  }
}

function gapText(older: boolean, missing: number | null): string {
  const count = missing === null ? 'Some' : String(missing);
  const noun = missing === 1 ? 'message' : 'messages';
  return older ? `${count} older ${noun} not loaded` : `${count} ${noun} could not be loaded here; trying again later`;
}

function createNode(): HTMLLIElement {
  return el(
    'li',
    { className: 'message' },
    el('div', { className: 'meta' }, el('span', { className: 'role' }), el('span', { className: 'status' }), el('span', { className: 'seq' }), el('time', { className: 'time' })),
    el('div', { className: 'content' }),
    el('div', { className: 'error' }),
  );
}

function part(node: HTMLElement, className: string): HTMLElement {
  return node.querySelector(`.${className}`) as HTMLElement;
}

function fill(node: HTMLLIElement, message: Message): void {
  node.dataset['id'] = message.messageId;
  node.dataset['seq'] = String(message.sequenceNumber);
  node.dataset['role'] = message.role;
  node.dataset['status'] = message.status;
  setText(part(node, 'role'), message.role);
  setText(part(node, 'status'), message.status);
  setText(part(node, 'seq'), `#${message.sequenceNumber}`);
  const time = part(node, 'time');
  time.setAttribute('datetime', message.timestamp);
  setText(time, formatTime(message.timestamp));
  setText(part(node, 'content'), message.content);
  const error = part(node, 'error');
  const text = message.error ? `${message.error.code}: ${message.error.message}` : '';
  setText(error, text);
  error.hidden = text === '';
}

function formatTime(timestamp: string): string {
  const date = new Date(timestamp);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}
