// Carries out an `httpRequest` effect with fetch. Whatever happens, the answer is a status and a
// body for the engine's `httpResult`: status 0 when there was no response (network error, abort,
// timeout, a fetch that threw). The engine has its own request timeout; aborting here as well
// frees the connection instead of leaving it to the runtime.
import type { HttpRequestEffect } from './types.js';

export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

export interface HttpAnswer {
  status: number;
  body: string;
}

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
      return { status: response.status, body: await response.text() };
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
