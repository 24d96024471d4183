// The backend calls the extension makes itself, in one place: log in, list the sessions, create
// one, send a message, and the one read the outbox makes to learn whether a send whose answer was
// lost was stored all the same. The paths, the request bodies and the reading of the answers below are the
// reference server's (docs/server.md); a team whose backend has other routes or shapes changes
// this file alone (docs/extension.md, "Pointing the extension at your backend"). The rest of the
// extension calls only `backend()`.
//
// Not here: the requests the engine makes itself, the messages pages and the channel auth (the
// core builds those, docs/core.md). `recentMessages` reads the same messages route as the core,
// with the two parameters every backend of the contract takes (limit and since,
// docs/backend-contract.md): a backend with another path changes it here and in the core.
import type { SessionSummary } from './protocol.js';
import { ApiError, requestJson, type JsonAnswer } from './http.js';

const ROUTES = {
  login: { method: 'POST', path: '/api/auth/login' },
  listSessions: { method: 'GET', path: '/api/sessions' },
  createSession: { method: 'POST', path: '/api/sessions' },
  send: { method: 'POST', path: '/api/agent/interact' },
  recentMessages: { method: 'GET', path: '/api/session/:sessionId/messages' },
} as const;

/** How many messages `recentMessages` asks for: the roadmap's page, which every backend takes. */
const RECENT_LIMIT = 50;

/** A message as the outbox reads it to recognise its own: the fields it compares. */
export interface SentMessage {
  messageId: string;
  role: string;
  content?: string;
  timestamp: string;
  clientMessageId?: string;
}

type RouteName = keyof typeof ROUTES;

export interface Backend {
  /** The bearer token for these credentials. */
  login(email: string, password: string): Promise<string>;
  /** The user's sessions, newest first. */
  listSessions(): Promise<SessionSummary[]>;
  createSession(title?: string): Promise<SessionSummary>;
  /**
   * Stores the user's message and starts the assistant's turn. The reference server is idempotent
   * on clientMessageId (a retry after a lost answer stores nothing twice); a backend may not be.
   * Answers the stored message's id when the answer names it (`userMessage.messageId`), else null:
   * the message itself shows when the engine receives it, like every other.
   */
  send(sessionId: string, content: string, clientMessageId: string): Promise<{ messageId: string | null }>;
  /**
   * The session's messages since `since` (at most RECENT_LIMIT of them), as the backend gives them:
   * what the outbox searches before it sends again a message whose first answer was lost.
   */
  recentMessages(sessionId: string, since: string): Promise<SentMessage[]>;
}

/** The backend at `apiBase`, called with `token` (null: logged out; only login works). */
export function backend(apiBase: string, token: string | null): Backend {
  const call = async (name: RouteName, body?: unknown, { params = {}, query = '' }: { params?: Record<string, string>; query?: string } = {}): Promise<unknown> => {
    const { method } = ROUTES[name];
    const path = ROUTES[name].path.replace(/:(\w+)/g, (_, key: string) => encodeURIComponent(params[key] ?? '')) + query;
    const authorized = name !== 'login';
    if (authorized && !token) throw new ApiError(401, 'no_token', 'Not logged in: log in on the options page');
    const answer = await requestJson(apiBase, method, path, { body, token: authorized ? token : null });
    if (!answer.ok) throw answerError(answer, `${method} ${path}`);
    return answer.body;
  };
  return {
    async login(email, password) {
      const answer = await call('login', { email, password });
      return text(answer, 'accessToken', 'login');
    },
    async listSessions() {
      const answer = (await call('listSessions')) as { sessions?: unknown } | undefined;
      if (!Array.isArray(answer?.sessions)) throw badAnswer('listSessions', 'sessions');
      return answer.sessions.map((raw) => session(raw, 'listSessions'));
    },
    async createSession(title) {
      return session(await call('createSession', title ? { title } : {}), 'createSession');
    },
    async send(sessionId, content, clientMessageId) {
      const answer = (await call('send', { sessionId, content, clientMessageId })) as { userMessage?: { messageId?: unknown } } | undefined;
      const messageId = answer?.userMessage?.messageId;
      return { messageId: typeof messageId === 'string' && messageId !== '' ? messageId : null };
    },
    async recentMessages(sessionId, since) {
      const query = `?limit=${RECENT_LIMIT}&since=${encodeURIComponent(since)}`;
      const answer = (await call('recentMessages', undefined, { params: { sessionId }, query })) as { messages?: unknown } | undefined;
      if (!Array.isArray(answer?.messages)) throw badAnswer('recentMessages', 'messages');
      return answer.messages.flatMap((raw) => sentMessage(raw));
    },
  };
}

/** The reference server's errors are `{error: {code, message}}`; anything else keeps the status. */
function answerError({ status, body, retryAfter }: JsonAnswer, route: string): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const code = typeof error?.code === 'string' ? error.code : `http_${status}`;
  const message = typeof error?.message === 'string' ? error.message : `${route}: HTTP ${status}`;
  return new ApiError(status, code, message, retryAfter);
}

/** A message of `recentMessages`, or nothing for one without the fields compared (it is not ours). */
function sentMessage(raw: unknown): SentMessage[] {
  const fields = raw as Record<string, unknown> | null;
  const stamp = fields?.['timestamp'];
  // The contract allows epoch milliseconds as well as ISO-8601.
  const timestamp = typeof stamp === 'number' && Number.isFinite(stamp) ? new Date(stamp).toISOString() : stamp;
  if (typeof fields?.['messageId'] !== 'string' || typeof fields['role'] !== 'string' || typeof timestamp !== 'string') return [];
  return [{
    messageId: fields['messageId'],
    role: fields['role'],
    timestamp,
    ...(typeof fields['content'] === 'string' ? { content: fields['content'] } : {}),
    ...(typeof fields['clientMessageId'] === 'string' ? { clientMessageId: fields['clientMessageId'] } : {}),
  }];
}

function session(raw: unknown, route: RouteName): SessionSummary {
  const fields = raw as Partial<Record<keyof SessionSummary, unknown>> | undefined;
  return {
    sessionId: text(raw, 'sessionId', route),
    title: typeof fields?.title === 'string' ? fields.title : '',
    createdAt: typeof fields?.createdAt === 'string' ? fields.createdAt : '',
    ...(typeof fields?.status === 'string' ? { status: fields.status } : {}),
    ...(typeof fields?.updatedAt === 'string' ? { updatedAt: fields.updatedAt } : {}),
  };
}

function text(raw: unknown, field: string, route: RouteName): string {
  const value = (raw as Record<string, unknown> | undefined)?.[field];
  if (typeof value !== 'string' || value === '') throw badAnswer(route, field);
  return value;
}

/** A backend whose answers have another shape fails loudly here, not later in a view. */
function badAnswer(route: RouteName, field: string): ApiError {
  const { method, path } = ROUTES[route];
  return new ApiError(0, 'bad_answer', `${method} ${path} answered without '${field}' (backend-routes.ts reads the reference server's answers)`);
}
