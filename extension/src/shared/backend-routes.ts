// The backend calls the extension makes itself, in one place: log in, list the sessions, create
// one, send a message. The paths, the request bodies and the reading of the answers below are the
// reference server's (docs/server.md); a team whose backend has other routes or shapes changes
// this file alone (docs/extension.md, "Pointing the extension at your backend"). The rest of the
// extension calls only `backend()`.
//
// Not here: the requests the engine makes itself, the messages page and the channel auth (the
// core builds those, docs/core.md).
import type { SessionSummary } from './protocol.js';
import { ApiError, requestJson, type JsonAnswer } from './http.js';

const ROUTES = {
  login: { method: 'POST', path: '/api/auth/login' },
  listSessions: { method: 'GET', path: '/api/sessions' },
  createSession: { method: 'POST', path: '/api/sessions' },
  send: { method: 'POST', path: '/api/agent/interact' },
} as const;

type RouteName = keyof typeof ROUTES;

export interface Backend {
  /** The bearer token for these credentials. */
  login(email: string, password: string): Promise<string>;
  /** The user's sessions, newest first. */
  listSessions(): Promise<SessionSummary[]>;
  createSession(title?: string): Promise<SessionSummary>;
  /**
   * Stores the user's message and starts the assistant's turn. Idempotent on clientMessageId: a
   * retry after a lost answer stores nothing twice. The answer is not used: the message shows when
   * the engine receives it, like every other.
   */
  send(sessionId: string, content: string, clientMessageId: string): Promise<void>;
}

/** The backend at `apiBase`, called with `token` (null: logged out; only login works). */
export function backend(apiBase: string, token: string | null): Backend {
  const call = async (name: RouteName, body?: unknown): Promise<unknown> => {
    const { method, path } = ROUTES[name];
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
      await call('send', { sessionId, content, clientMessageId });
    },
  };
}

/** The reference server's errors are `{error: {code, message}}`; anything else keeps the status. */
function answerError({ status, body }: JsonAnswer, route: string): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const code = typeof error?.code === 'string' ? error.code : `http_${status}`;
  const message = typeof error?.message === 'string' ? error.message : `${route}: HTTP ${status}`;
  return new ApiError(status, code, message);
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
