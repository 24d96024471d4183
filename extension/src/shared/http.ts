// One JSON request to the app server, and the error it becomes when it fails: the transport under
// backend-routes.ts. It knows no route and no answer shape.

export class ApiError extends Error {
  constructor(
    /** The HTTP status; 0 when there was no usable answer (unreachable, timed out, not allowed, another shape). */
    readonly status: number,
    /** A stable code for programs (`no_token`, `unreachable`, `no_host_permission`, ...); the message is for people. */
    readonly code: string,
    message: string,
    /** The answer's Retry-After header as sent (429, 503), for a caller that retries; else null. */
    readonly retryAfter: string | null = null,
  ) {
    super(message);
  }
}

export interface JsonAnswer {
  status: number;
  ok: boolean;
  /** The parsed JSON body; undefined when it was empty or not JSON. */
  body: unknown;
  /** The Retry-After header, as sent; null without one. */
  retryAfter: string | null;
}

/** Each request gives up after this long (a turn of the scripted assistant takes a few steps). */
const TIMEOUT_MS = 60_000;

export async function requestJson(apiBase: string, method: string, path: string, { body, token }: { body?: unknown; token?: string | null } = {}): Promise<JsonAnswer> {
  const headers: Record<string, string> = {};
  if (token) headers['Authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(apiBase + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new ApiError(0, 'unreachable', `${apiBase} is unreachable (${error instanceof Error ? error.message : String(error)})`);
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, ok: response.ok, body: parsed, retryAfter: response.headers.get('Retry-After') };
}

export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof ApiError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: 'error', message: error.message };
  return { code: 'error', message: String(error) };
}
