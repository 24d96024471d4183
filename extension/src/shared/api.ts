// The app server's REST routes that the extension calls itself (docs/server.md): login, the
// session list, a new session and sending a message. The engine makes its own requests (messages,
// channel auth) through the glue.
import type { Message } from 'pushsync';
import type { SessionSummary } from './protocol.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface InteractAnswer {
  userMessage: Message;
  assistantMessage: Message | null;
  response?: { status?: string };
  replayed?: boolean;
}

/** Each request gives up after this long (a turn of the scripted assistant takes a few steps). */
const TIMEOUT_MS = 60_000;

export class ApiClient {
  constructor(
    private readonly apiBase: string,
    private readonly token: string | null,
  ) {}

  async login(email: string, password: string): Promise<string> {
    const answer = await this.call<{ accessToken: string }>('POST', '/api/auth/login', { email, password }, false);
    return answer.accessToken;
  }

  async listSessions(): Promise<SessionSummary[]> {
    return (await this.call<{ sessions: SessionSummary[] }>('GET', '/api/sessions')).sessions;
  }

  async createSession(title?: string): Promise<SessionSummary> {
    return this.call<SessionSummary>('POST', '/api/sessions', title ? { title } : {});
  }

  /** Idempotent on clientMessageId: a retry after a lost answer stores nothing twice. */
  async interact(sessionId: string, content: string, clientMessageId: string): Promise<InteractAnswer> {
    return this.call<InteractAnswer>('POST', '/api/agent/interact', { sessionId, content, clientMessageId });
  }

  private async call<T>(method: string, path: string, body?: unknown, authorized = true): Promise<T> {
    const headers: Record<string, string> = {};
    if (authorized) {
      if (!this.token) throw new ApiError(401, 'no_token', 'Not logged in: log in on the options page');
      headers['Authorization'] = `Bearer ${this.token}`;
    }
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(this.apiBase + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new ApiError(0, 'unreachable', `${this.apiBase} is unreachable (${error instanceof Error ? error.message : String(error)})`);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ApiError(response.status, error?.code ?? `http_${response.status}`, error?.message ?? `${method} ${path}: HTTP ${response.status}`);
    }
    return parsed as T;
  }
}

export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof ApiError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: 'error', message: error.message };
  return { code: 'error', message: String(error) };
}
