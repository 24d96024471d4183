// One message of the chat as a list item: what (as text, never markup), then when and its status
// as a person reads it (shared/message-status.ts) on a small line under it; who wrote it is the
// bubble's side and colour. The role, sequence number and raw status are in the node too, on a
// line shown only in developer mode (by CSS, so switching needs no re-render). The parts
// are kept by reference: refilling a row after an update touches only its own nodes, and a row
// whose message object did not change is never refilled.
import type { Message } from 'pushsync';
import { messageStatus } from '../shared/message-status.js';
import { el, setText } from '../view/dom.js';

/** One formatter for every row: toLocaleTimeString builds a new one per call, which is slow. */
const TIME = new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit' });

export class MessageRow {
  readonly node: HTMLLIElement;
  /** The message this row shows now (compared by identity: the diffs replace updated ones). */
  message: Message | null = null;
  private readonly role = el('span', { className: 'role' });
  private readonly seq = el('span', { className: 'seq' });
  private readonly raw = el('span', { className: 'raw-status' });
  private readonly time = el('time', { className: 'time' });
  private readonly status = el('span', { className: 'status' });
  private readonly content = el('div', { className: 'content' });
  private readonly error = el('div', { className: 'error' });

  constructor() {
    this.node = el(
      'li',
      { className: 'message' },
      el('div', { className: 'meta' }, this.role, this.seq, this.raw),
      this.content,
      this.error,
      el('div', { className: 'foot' }, this.time, this.status),
    );
  }

  show(message: Message): void {
    // A row refilled for another message compares against nothing: every part is written.
    const previous = this.message?.messageId === message.messageId ? this.message : null;
    this.message = message;
    const { node } = this;
    if (previous?.messageId !== message.messageId) node.dataset['id'] = message.messageId;
    if (previous?.sequenceNumber !== message.sequenceNumber) {
      node.dataset['seq'] = String(message.sequenceNumber);
      setText(this.seq, `#${message.sequenceNumber}`);
    }
    if (previous?.role !== message.role) {
      node.dataset['role'] = message.role;
      setText(this.role, roleName(message.role));
    }
    if (previous?.status !== message.status || previous?.role !== message.role) {
      node.dataset['status'] = message.status;
      setText(this.raw, message.status);
      const look = messageStatus(message);
      this.status.dataset['tone'] = look.tone;
      setText(this.status, look.text);
      this.status.title = look.label;
      this.status.hidden = look.text === '';
    }
    if (previous?.timestamp !== message.timestamp) {
      this.time.setAttribute('datetime', message.timestamp);
      setText(this.time, formatTime(message.timestamp));
    }
    if (previous?.content !== message.content) setText(this.content, message.content);
    const errorText = message.error ? message.error.message || message.error.code : '';
    setText(this.error, errorText);
    this.error.hidden = errorText === '';
  }
}

function roleName(role: string): string {
  switch (role) {
    case 'user':
      return 'You';
    case 'assistant':
      return 'Assistant';
    case 'system':
      return 'System';
    default:
      return role;
  }
}

function formatTime(timestamp: string): string {
  const date = new Date(timestamp);
  return Number.isNaN(date.getTime()) ? '' : TIME.format(date);
}
