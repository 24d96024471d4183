// Whether the browser is online, for the engine (setOnline) and the outbox. The worker cannot rely
// on the `online`/`offline` events: Chromium does not deliver them to an extension's service worker
// (measured: navigator.onLine changes, no event fires), so a worker that started offline told its
// engine "offline" and never heard that the network came back (issue 10: the popup stayed empty
// after the network returned). The events are still listened to; besides, navigator.onLine is read
// every CHECK_OFFLINE_MS while offline (a timer does not keep the worker alive: Chrome may still
// stop it, and its next start reads navigator.onLine afresh) and whenever the worker has a reason
// to look (`check`: a view connects, the wake alarm).

/** How often navigator.onLine is read while offline: a second is soon enough to reconnect. */
const CHECK_OFFLINE_MS = 1000;

export class NetworkWatch {
  private online = navigator.onLine;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** `changed` is called with each change, never with the state the worker started in. */
  constructor(private readonly changed: (online: boolean) => void) {
    globalThis.addEventListener('online', () => this.check());
    globalThis.addEventListener('offline', () => this.check());
    this.arm();
  }

  /** Reads navigator.onLine now and reports a change. */
  check(): void {
    const online = navigator.onLine;
    if (online !== this.online) {
      this.online = online;
      this.changed(online);
    }
    this.arm();
  }

  private arm(): void {
    clearTimeout(this.timer);
    this.timer = this.online ? undefined : setTimeout(() => this.check(), CHECK_OFFLINE_MS);
  }
}

/** Starts watching: `changed(online)` on each change (background.ts hands it to the engine and the outbox). */
export function watchNetwork(changed: (online: boolean) => void): NetworkWatch {
  return new NetworkWatch(changed);
}
