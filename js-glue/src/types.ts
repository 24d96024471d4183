// The values the glue hands to its users, as the engine's JSON boundary shapes them
// (core/include/pushsync/json_io.h; field names are camelCase on purpose, for JavaScript).

export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'polling' | 'offline';

/** A chat message in the app server's wire shape. */
export interface Message {
  messageId: string;
  sequenceNumber: number;
  role: string;
  content: string;
  status: string;
  timestamp: string;
  updatedAt?: string;
  actionPayload?: unknown;
  error?: { code: string; message: string };
  /** The sender's id of a user message, where the backend echoes it (the reference server does). */
  clientMessageId?: string;
}

/** Why the state is what it is, for logic; `reason` is the same for people. */
export type StateCode =
  | '' | 'not_started' | 'no_session' | 'stopped' | 'network_offline' | 'not_configured' | 'no_token'
  | 'auth_failed' | 'server_unreachable' | 'refused' | 'retrying';

export interface StateInfo {
  state: ConnectionState;
  code: StateCode;
  /** Why, for people: "No token", "Auth failed", "Server unreachable", "Attempt 2 of 5", ... */
  reason: string;
}

/**
 * Messages the backend could not give: between `afterId` ("" for older history before the first
 * message) and `beforeId`, `missing` of them when sequence numbers prove it (else null).
 */
export interface Gap {
  afterId: string;
  beforeId: string;
  missing: number | null;
}

/**
 * How the ordered messages changed during one engine call, in final positions: drop `removedFront`
 * from the front, insert the messages now at `inserted` (ascending), re-read those at `updated`.
 * `reset`: start from empty first.
 */
export interface MessagesDiff {
  sessionId: string;
  reset: boolean;
  removedFront: number;
  inserted: number[];
  updated: number[];
  size: number;
}

/**
 * What the module's Client adds to a `messages` effect: the messages now at `inserted` and
 * `updated`, in that order, so the glue applies the diff without reading the store again.
 */
export interface CarriedMessages {
  insertedMessages: Message[];
  updatedMessages: Message[];
}

export interface TypingInfo {
  sessionId: string;
  isTyping: boolean;
  context: string;
}

export interface Counters {
  framesReceived: number;
  framesRejected: number;
  messagesInserted: number;
  duplicates: number;
  socketsOpened: number;
  reconnects: number;
  authRequests: number;
  syncs: number;
  resumes: number;
  /** Messages left out of REST pages for failing validation. */
  messagesRejected: number;
  /** Messages read from REST in all. */
  restMessages: number;
  /** `interact_response` events, and the messages the catch-ups they asked for read. */
  replies: number;
  replyMessages: number;
  gapsFound: number;
  cursor: number;
  protocol: number;
  /** The REST dialect detected: 'auto' (not yet), 'minimal' or 'paged'. */
  dialect: 'auto' | 'minimal' | 'paged';
}

/** Effects as the module returns them (docs/core.md, "Effects"). */
export type Effect =
  | { type: 'openSocket'; socket: number; url: string }
  | { type: 'sendFrame'; socket: number; text: string }
  | { type: 'closeSocket'; socket: number; code: number; reason: string }
  | { type: 'httpRequest'; id: number; method: string; url: string; headers: Record<string, string>; body: string }
  | { type: 'persist'; key: string; value: string }
  | ({ type: 'state' } & StateInfo)
  | ({ type: 'messages' } & MessagesDiff & Partial<CarriedMessages>)
  | ({ type: 'typing' } & TypingInfo)
  | { type: 'session'; sessionId: string; status: string }
  | { type: 'gaps'; sessionId: string; gaps: Gap[] }
  | { type: 'interactResponse'; sessionId: string; data: unknown }
  | { type: 'error'; code: string; message: string };

export type HttpRequestEffect = Extract<Effect, { type: 'httpRequest' }>;

/** What listeners of each Sync event receive. */
export interface SyncEvents {
  state: StateInfo;
  /**
   * The diff, and the message objects it inserted and updated (in the order of its positions).
   * `version` counts the diffs since the start: 1 for the first, one more for each (see
   * `Sync.messagesVersion`), so a host that read the store tells the diffs it already holds.
   */
  messages: { diff: MessagesDiff; inserted: Message[]; updated: Message[]; version: number };
  typing: TypingInfo;
  /** `status` is the session's from `session_update`; "" when the selection itself changed. */
  session: { sessionId: string; status: string };
  interactResponse: { sessionId: string; data: unknown };
  /** The selected session's first read completed: its messages (possibly none) are all shown. */
  loaded: { sessionId: string };
  /** The session's gaps changed (the whole list). */
  gaps: { sessionId: string; gaps: Gap[] };
  /**
   * The engine's errors (bad_frame, bad_payload, server_error, http_failed, bad_config,
   * bad_restore, incomplete) and the host's own (listener, storage, token, glue).
   */
  error: { code: string; message: string };
  persist: { key: string; value: string };
}

export type SyncEventName = keyof SyncEvents;
