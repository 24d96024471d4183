// A view's line to the service worker: a chrome.runtime port that is opened again whenever it
// closes (Chrome stopped the worker; connecting wakes it up), and requests answered by id. A
// request in flight when the port closes fails with code "disconnected": the caller may repeat it
// once `ready()` resolves (sends are idempotent on their clientMessageId).
import { PORT_NAME, type Request, type ToView, type ToWorker } from '../shared/protocol.js';

export class RequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: RequestError): void;
}

const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 2_000;

export class WorkerPort {
  private port: chrome.runtime.Port | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private retryMs = FIRST_RETRY_MS;
  private waiters: Array<() => void> = [];

  /** `onMessage` sees everything but replies; a `snapshot` always comes first after a (re)connect. */
  constructor(
    private readonly onMessage: (message: ToView) => void,
    private readonly onLink: (linked: boolean) => void = () => {},
  ) {}

  connect(): void {
    const port = chrome.runtime.connect({ name: PORT_NAME });
    this.port = port;
    port.onMessage.addListener((message: ToView) => {
      if (message.type === 'reply') {
        const pending = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.ok) pending?.resolve(message.result);
        else pending?.reject(new RequestError(message.error.code, message.error.message));
        return;
      }
      if (message.type === 'snapshot') {
        this.retryMs = FIRST_RETRY_MS;
        this.onLink(true);
        this.onMessage(message);
        const waiters = this.waiters;
        this.waiters = [];
        for (const wake of waiters) wake();
        return;
      }
      this.onMessage(message);
    });
    port.onDisconnect.addListener(() => {
      void chrome.runtime.lastError; // read, so Chrome does not log it as unchecked
      if (this.port === port) this.port = undefined;
      for (const pending of this.pending.values()) pending.reject(new RequestError('disconnected', 'the service worker restarted'));
      this.pending.clear();
      this.onLink(false);
      setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
    });
  }

  /** Resolves at the next snapshot: the worker is there (again). */
  ready(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  request<T>(request: Request): Promise<T> {
    const port = this.port;
    if (!port) return Promise.reject(new RequestError('disconnected', 'not connected to the service worker'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      try {
        port.postMessage({ type: 'request', id, request } satisfies ToWorker);
      } catch {
        this.pending.delete(id);
        reject(new RequestError('disconnected', 'the service worker went away'));
      }
    });
  }
}
