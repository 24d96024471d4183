// The extension's views (popup, debug page, tabs) connected to the worker over chrome.runtime
// ports. Each gets a snapshot once the worker's start has read the local copy (at once in a running
// worker; so a popup that starts the worker paints the stored chat first, never an empty one), then
// every change broadcast after it. The
// number of open views decides whether the engine counts as visible (keepalive pings, brisk
// polling).
import { PORT_NAME, type Request, type Snapshot, type ToView, type ToWorker } from '../shared/protocol.js';

export interface ViewHubEvents {
  /** Resolves once the first start read the settings and the local copy: snapshots wait for it. */
  ready: Promise<void>;
  snapshot(): Snapshot;
  request(port: chrome.runtime.Port, id: number, request: Request): void;
  countChanged(count: number): void;
}

export class ViewHub {
  private readonly ports = new Set<chrome.runtime.Port>();
  /** Connected before the start was done: they get their snapshot, and broadcasts, after it. */
  private readonly waiting = new Set<chrome.runtime.Port>();

  constructor(private readonly events: ViewHubEvents) {}

  get count(): number {
    return this.viewCount();
  }

  attach(port: chrome.runtime.Port): void {
    if (port.name !== PORT_NAME) return;
    port.onMessage.addListener((message: ToWorker) => {
      if (message?.type === 'request' && typeof message.id === 'number' && message.request) {
        this.events.request(port, message.id, message.request);
      }
    });
    let gone = false;
    port.onDisconnect.addListener(() => {
      gone = true;
      this.ports.delete(port);
      this.waiting.delete(port);
      this.events.countChanged(this.viewCount());
    });
    this.waiting.add(port);
    this.events.countChanged(this.viewCount());
    void this.events.ready.then(() => {
      this.waiting.delete(port);
      if (gone) return;
      // In the same task as joining the broadcasts: the diffs that follow apply to this snapshot.
      this.ports.add(port);
      this.post(port, { type: 'snapshot', ...this.events.snapshot() });
      performance.mark('pushsync:snapshot-posted');
    });
  }

  /** Views connected, whether or not their snapshot was posted yet. */
  private viewCount(): number {
    return this.ports.size + this.waiting.size;
  }

  broadcast(message: ToView): void {
    for (const port of this.ports) this.post(port, message);
  }

  post(port: chrome.runtime.Port, message: ToView): void {
    try {
      port.postMessage(message);
    } catch {
      // The view went away between its disconnect and our notice of it.
      this.ports.delete(port);
    }
  }
}
