// The extension's action badge on the toolbar: while no view shows the chat, the assistant's new
// messages are counted there (unread-rules.ts decides which count); a view that connects with the
// chat selected clears it. A failed send shows there too, before the count: the outbox calls
// `actionBadge.noteFailedSend(count)` whenever its number of failed entries changes.
// The count is persisted in chrome.storage.local, so a worker Chrome stopped and started again
// (a wake alarm's backfill) goes on counting from where it was.
import type { Message } from 'pushsync';
import { badgeFace, countInserted, markSeen, noUnread, type Unread } from './unread-rules.js';

const KEY = 'pushsync.unread';

export class ActionBadge {
  private unread: Unread = noUnread('');
  private failedSends = 0;
  private viewing = false;
  private adopted = false;
  private shown = '';

  /** The persisted count, from the worker's first read of chrome.storage.local. */
  adopt(stored: Record<string, unknown>): void {
    if (this.adopted) return;
    this.adopted = true;
    const saved = stored[KEY] as Unread | undefined;
    // A view that connected first (it started the worker) has seen everything already.
    if (!this.viewing && saved && typeof saved.sessionId === 'string' && Array.isArray(saved.ids)) this.unread = saved;
    this.paint();
  }

  /**
   * Whether a view is open (every view shows the selected session). Opening one clears the count;
   * closing the last one remembers the newest message shown, after which messages count.
   */
  setViewing(viewing: boolean, sessionId: string, newest: Message | undefined): void {
    const changed = viewing !== this.viewing;
    this.viewing = viewing;
    if (viewing || changed) this.seen(sessionId, newest, changed);
  }

  /** The engine inserted messages: while a view is open they are seen, else the assistant's count. */
  onMessages(sessionId: string, inserted: readonly Message[], newest: Message | undefined): void {
    if (this.viewing) {
      this.seen(sessionId, newest, false);
      return;
    }
    const next = countInserted(this.unread, sessionId, inserted);
    if (next === this.unread) return;
    this.unread = next;
    this.save();
    this.paint();
  }

  /** The outbox's failed entries now (0: none). */
  noteFailedSend(count: number): void {
    this.failedSends = Math.max(0, count);
    this.paint();
  }

  /** Logged out or another account: nothing is unread. */
  wipe(): void {
    this.unread = noUnread('');
    void chrome.storage.local.remove(KEY);
    this.paint();
  }

  private seen(sessionId: string, newest: Message | undefined, save: boolean): void {
    const hadUnread = this.unread.ids.length > 0;
    this.unread = markSeen(sessionId, newest);
    if (save || hadUnread) this.save();
    this.paint();
  }

  private save(): void {
    void chrome.storage.local.set({ [KEY]: this.unread }).catch(() => {
      // The count is shown anyway; a worker restart may lose it.
    });
  }

  private paint(): void {
    const face = badgeFace({ unread: this.unread.ids.length, failedSends: this.failedSends });
    const key = `${face.text} ${face.color} ${face.title}`;
    if (key === this.shown) return;
    this.shown = key;
    void Promise.all([
      chrome.action.setBadgeText({ text: face.text }),
      chrome.action.setBadgeBackgroundColor({ color: face.color }),
      chrome.action.setTitle({ title: face.title }),
    ]).catch(() => {
      this.shown = ''; // painted again next time
    });
  }
}

/** The worker's one badge (the outbox and the engine host both report to it). */
export const actionBadge = new ActionBadge();
