// The extension's views (popup, debug page, tabs) connected to the worker over chrome.runtime
// ports. Each gets a snapshot the moment it connects, then every change broadcast after it. The
// number of open views decides whether the engine counts as visible (keepalive pings, brisk
// polling).
import { PORT_NAME, type Request, type Snapshot, type ToView, type ToWorker } from '../shared/protocol.js';

export interface ViewHubEvents {
  snapshot(): Snapshot;
  request(port: chrome.runtime.Port, id: number, request: Request): void;
  countChanged(count: number): void;
}

export class ViewHub {
  private readonly ports = new Set<chrome.runtime.Port>();

  constructor(private readonly events: ViewHubEvents) {}

  get count(): number {
    return this.ports.size;
  }

  attach(port: chrome.runtime.Port): void {
    if (port.name !== PORT_NAME) return;
    this.ports.add(port);
    port.onMessage.addListener((message: ToWorker) => {
      if (message?.type === 'request' && typeof message.id === 'number' && message.request) {
        this.events.request(port, message.id, message.request);
      }
    });
    port.onDisconnect.addListener(() => {
      this.ports.delete(port);
      this.events.countChanged(this.ports.size);
    });
    // Synchronously, before any later broadcast: the diffs that follow apply to this snapshot.
    this.post(port, { type: 'snapshot', ...this.events.snapshot() });
    this.events.countChanged(this.ports.size);
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
