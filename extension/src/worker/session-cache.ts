// The user's session list as last answered by the backend, kept with the local copy: a view
// opened offline (or with the server down) still shows the chats. A list given from here is
// stale: the worker fetches it again by itself once the server is reachable again (the engine
// connected or read messages, the network came back) and tells the views (`changed`), which
// then ask for it again. Wiped with the local copy (logging out, another account or server).
import type { SessionSummary } from '../shared/protocol.js';
import { ApiError } from '../shared/http.js';

/** Where the list is kept: the local copy's database, which knows its owner. */
export interface SessionListStore {
  sessionList(): Promise<SessionSummary[] | null>;
  saveSessionList(sessions: SessionSummary[]): Promise<void>;
}

/** The failures that say nothing about the list: the server or the network is away. */
function unreachable(error: unknown): boolean {
  return error instanceof ApiError && (error.code === 'unreachable' || error.status >= 500);
}

export class SessionListCache {
  /** The views were given the stored list, or nothing, for want of a server. */
  private stale = false;
  private refreshing = false;

  constructor(
    private readonly store: SessionListStore,
    private readonly changed: () => void,
  ) {}

  /** The backend's list (stored for next time); the stored one when the server is unreachable. */
  async list(fetchList: () => Promise<SessionSummary[]>): Promise<SessionSummary[]> {
    try {
      const sessions = await fetchList();
      this.stale = false;
      await this.store.saveSessionList(sessions);
      return sessions;
    } catch (error) {
      if (!unreachable(error)) throw error;
      this.stale = true;
      const stored = await this.store.sessionList();
      if (stored) return stored;
      throw error;
    }
  }

  /**
   * The server answered the engine (or the network came back): a list given stale is fetched again,
   * and the views are told once it is in.
   */
  async serverReachable(fetchList: () => Promise<SessionSummary[]>): Promise<void> {
    if (!this.stale || this.refreshing) return;
    this.refreshing = true;
    try {
      await this.list(fetchList);
      if (!this.stale) this.changed();
    } catch {
      // Still away: the next sign of the server tries again.
    } finally {
      this.refreshing = false;
    }
  }

  /** The stored list went with the local copy: nothing the views were given is worth refreshing. */
  wiped(): void {
    this.stale = false;
  }
}
