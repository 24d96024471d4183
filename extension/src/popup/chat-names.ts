// Chats are named by their first message: "New chat" makes a session without a title, and once
// its first message is shown that message (one line, shortened) becomes its name, kept in
// chrome.storage.local (`chatNames`) so every view and every later popup shows it. Sessions made
// elsewhere keep the backend's title. The names live beside the settings, not in the backend: the
// backend has no route to rename a session.
import type { Message } from 'pushsync';
import type { SessionSummary } from '../shared/protocol.js';

export const CHAT_NAMES_KEY = 'chatNames';
/** A name is the first message's first characters. */
const NAME_CHARS = 60;

/** sessionId -> name; "" while a chat made here has no message yet. */
type Names = Record<string, string>;

export class ChatNames {
  private names: Names = {};
  private readonly listeners = new Set<() => void>();

  constructor() {
    void chrome.storage.local.get(CHAT_NAMES_KEY).then((stored) => this.adopt(stored[CHAT_NAMES_KEY]));
    chrome.storage.onChanged.addListener((changes, area) => {
      if (area === 'local' && changes[CHAT_NAMES_KEY]) this.adopt(changes[CHAT_NAMES_KEY].newValue);
    });
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  /** A chat made in this extension: it is named after its first message. */
  async expect(sessionId: string): Promise<void> {
    if (sessionId in this.names) return;
    await this.write({ ...this.names, [sessionId]: '' });
  }

  /** The selected session's first message is known: name the chat by it, if it waits for a name. */
  noteFirst(sessionId: string, first: Message | undefined): void {
    if (!first || this.names[sessionId] !== '') return;
    const name = oneLine(first.content);
    if (name !== '') void this.write({ ...this.names, [sessionId]: name });
  }

  /** What a person calls this chat. */
  nameOf(session: SessionSummary): string {
    return this.names[session.sessionId] || session.title || 'Untitled chat';
  }

  /** Named by nothing yet: a chat made here that has no message. */
  isNew(sessionId: string): boolean {
    return this.names[sessionId] === '';
  }

  private adopt(raw: unknown): void {
    this.names = typeof raw === 'object' && raw !== null ? { ...(raw as Names) } : {};
    for (const listener of this.listeners) listener();
  }

  private async write(names: Names): Promise<void> {
    this.names = names;
    await chrome.storage.local.set({ [CHAT_NAMES_KEY]: names });
  }
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > NAME_CHARS ? `${line.slice(0, NAME_CHARS - 1)}…` : line;
}
