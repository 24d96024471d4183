// What the service worker and the extension's views say to each other over a chrome.runtime
// port. A view that connects gets one `snapshot` at once (state, session, typing, the newest
// messages in order, figures), then only changes: the engine's message diffs with the message
// objects they carry, state, typing, session and figure updates. Requests carry an id; the worker
// answers each with one `reply`.
import type { ConnectionState, Counters, Gap, Message, MessagesDiff, StateCode } from 'pushsync';

export const PORT_NAME = 'pushsync-view';

/** The newest messages a snapshot carries: two screens' worth of the popup's rows, and more. */
export const SNAPSHOT_MESSAGES = 300;

/**
 * The connection state the views show: the engine's (the glue's StateInfo), or the worker's own
 * while it runs no engine: `not_started` before the first one, `no_host_permission` while Chrome
 * has not granted the settings' hosts. `code` is for logic, `reason` for people.
 */
export interface ViewStateInfo {
  state: ConnectionState;
  code: StateCode | 'no_host_permission';
  reason: string;
}

export interface Typing {
  isTyping: boolean;
  context: string;
}

export interface Account {
  loggedIn: boolean;
  email: string;
}

/** The live numbers of the debug panel. */
export interface Figures {
  reconnects: number;
  /** Receive time minus the server timestamp of the newest pushed or polled change; null: none yet. */
  lastLatencyMs: number | null;
  newestSequence: number | null;
  /** The protocol the engine speaks (7 or 2). */
  protocol: number;
  /** Pusher socket id of the open connection; "" while there is none. */
  socketId: string;
  counters: Counters | null;
  /** How many times Chrome started this service worker (chrome.storage.session). */
  workerStarts: number;
  /** Engines created in this worker's life (a settings change creates a new one). */
  engineStarts: number;
  /** Views connected to the worker right now. */
  views: number;
  lastEventAt: string | null;
}

export interface SessionSummary {
  sessionId: string;
  title: string;
  status?: string;
  createdAt: string;
  updatedAt?: string;
}

/**
 * A message the user sent that the backend has not confirmed yet: kept in the worker's outbox
 * (persisted) until the server's message for it is in the store. `queued`: waiting for the network
 * or the server; `sending`: a request is in flight; `failed`: given up until the user retries
 * (`code` for logic, `reason` for people).
 */
export interface OutboxEntry {
  clientMessageId: string;
  sessionId: string;
  content: string;
  createdAt: string;
  status: 'queued' | 'sending' | 'failed';
  attempts: number;
  code?: string;
  reason?: string;
}

/** What the backend last said of the selected session (`session_update`): its title and status. */
export interface SessionInfo {
  sessionId: string;
  title?: string;
  status?: string;
  updatedAt?: string;
}

export interface Snapshot {
  state: ViewStateInfo;
  sessionId: string;
  typing: Typing;
  /**
   * The newest messages of the worker's list (at most SNAPSHOT_MESSAGES): list[offset, total). A
   * view asks for other runs of it as the reader scrolls (`{op: 'messages'}`).
   */
  messages: Message[];
  offset: number;
  /** The size of the worker's list. */
  total: number;
  /**
   * False while `messages` came from the worker's local copy and the engine has not yet completed
   * its first read of the session (the view marks the list as not yet confirmed).
   */
  confirmed: boolean;
  /** The outbox entries of every session, oldest first. */
  outbox: OutboxEntry[];
  /** The selected session's last `session_update`, if any. */
  sessionInfo: SessionInfo | null;
  /** Where the backend could not give messages, and how many (shown at their place in the chat). */
  gaps: Gap[];
  figures: Figures;
  account: Account;
  errors: ErrorNote[];
  /** Host-permission patterns the settings need and Chrome did not grant; while any: no engine. */
  missingOrigins: readonly string[];
}

export interface ErrorNote {
  code: string;
  message: string;
  at: string;
}

export type ToView =
  | ({ type: 'snapshot' } & Snapshot)
  | ({ type: 'state' } & ViewStateInfo)
  | { type: 'session'; sessionId: string }
  | { type: 'messages'; diff: MessagesDiff; inserted: Message[]; updated: Message[] }
  /** A run of the worker's list a view asked for: list[start, start + messages.length), `total` long. */
  | { type: 'range'; start: number; total: number; messages: Message[] }
  | { type: 'gaps'; gaps: Gap[] }
  | { type: 'confirmed'; confirmed: boolean }
  | { type: 'outbox'; entries: OutboxEntry[] }
  | { type: 'sessionInfo'; info: SessionInfo | null }
  | ({ type: 'typing'; sessionId: string } & Typing)
  | { type: 'figures'; figures: Figures }
  | ({ type: 'account' } & Account)
  | ({ type: 'error' } & ErrorNote)
  | { type: 'reply'; id: number; ok: true; result: unknown }
  | { type: 'reply'; id: number; ok: false; error: { code: string; message: string } };

export type Request =
  | { op: 'listSessions' }
  | { op: 'createSession'; title?: string }
  | { op: 'selectSession'; sessionId: string }
  /** Puts the message in the outbox (answered once it is persisted there, not when delivered). */
  | { op: 'send'; sessionId: string; content: string; clientMessageId: string }
  /** A failed outbox entry goes back to queued. */
  | { op: 'retrySend'; clientMessageId: string }
  /** A failed outbox entry is dropped. */
  | { op: 'discardSend'; clientMessageId: string }
  | { op: 'refresh' }
  | { op: 'snapshot' }
  /** Posts a `range` of list[start, start + count), in line with the diffs, before the reply. */
  | { op: 'messages'; start: number; count: number }
  | { op: 'figures' };

export type ToWorker = { type: 'request'; id: number; request: Request };
