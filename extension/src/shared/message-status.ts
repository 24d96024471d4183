// How a message's status reads to a person: a tick once the server has it, words while the
// assistant works, "Failed" when it failed. The raw status (and the sequence number) are for
// developers: the popup shows them only in developer mode.
import type { Message } from 'pushsync';

export type StatusTone = 'done' | 'working' | 'failed' | 'none';

export interface StatusLook {
  /** A short mark or word shown beside the time; "" for nothing. */
  text: string;
  /** For the tooltip and screen readers. */
  label: string;
  tone: StatusTone;
}

const NONE: StatusLook = { text: '', label: '', tone: 'none' };

export function messageStatus(message: Pick<Message, 'role' | 'status'>): StatusLook {
  switch (message.status) {
    case 'sent':
    case 'success':
      // The server has the message: a tick on what the user wrote; an answer needs no mark.
      return message.role === 'user' ? { text: '✓', label: 'Delivered', tone: 'done' } : NONE;
    case 'pending':
      return { text: 'Waiting…', label: 'Waiting for the assistant', tone: 'working' };
    case 'processing':
      return { text: 'Working…', label: 'The assistant is working on it', tone: 'working' };
    case 'streaming':
      return { text: 'Writing…', label: 'The answer is being written', tone: 'working' };
    case 'failure':
      return { text: 'Failed', label: 'Failed', tone: 'failed' };
    default:
      return { text: message.status, label: message.status, tone: 'none' };
  }
}
