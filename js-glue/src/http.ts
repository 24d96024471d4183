// Carries out an `httpRequest` effect with fetch. Whatever happens, the answer is a status and a
// body for the engine's `httpResult`: status 0 when there was no response (network error, abort,
// timeout, a fetch that threw). The engine has its own request timeout; aborting here as well
// frees the connection instead of leaving it to the runtime.
import type { HttpRequestEffect } from './types.js';

export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

export interface HttpAnswer {
  status: number;
  body: string;
  /** The answer's Retry-After in ms from now (a 429 or 503 says when to ask again). */
  retryAfterMs?: number;
}

/**
 * Reads a Retry-After header: delay-seconds or an HTTP-date (RFC 9110 §10.2.3). Undefined when
 * absent or unreadable; a date in the past is 0.
 */
export function parseRetryAfter(header: string | null, nowMs: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  let ms: number;
  if (/^\d+$/.test(text)) {
    ms = Number(text) * 1000;
  } else {
    // An HTTP-date names its day and month; Date.parse alone would take "-5" for a year.
    const at = /[A-Za-z]/.test(text) ? Date.parse(text) : Number.NaN;
    if (Number.isNaN(at)) return undefined;
    ms = Math.max(0, at - nowMs);
  }
  // A day at most: the engine obeys 10 minutes at most, and the number must stay an exact integer.
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

const MAX_RETRY_AFTER_MS = 86_400_000;

export class HttpRunner {
  private readonly inFlight = new Set<AbortController>();

  constructor(
    private readonly fetchFn: FetchFunction,
    private readonly timeoutMs: number,
  ) {}

  async run(request: HttpRequestEffect): Promise<HttpAnswer> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const response = await this.fetchFn(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.method === 'GET' || request.method === 'HEAD' ? undefined : request.body,
        signal: controller.signal,
      });
      const body = await response.text();
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      return retryAfterMs === undefined ? { status: response.status, body } : { status: response.status, body, retryAfterMs };
    } catch {
      return { status: 0, body: '' };
    } finally {
      clearTimeout(timeout);
      this.inFlight.delete(controller);
    }
  }

  /** Aborts everything in flight (the host is going away). */
  abortAll(): void {
    for (const controller of this.inFlight) controller.abort();
    this.inFlight.clear();
  }
}
