// Typed events whose listeners cannot hurt the caller: a listener that throws is reported as an
// 'error' event and the others still run. A throwing 'error' listener is ignored (reporting it as
// another 'error' could loop forever).
import type { SyncEventName, SyncEvents } from './types.js';

export type Listener<E extends SyncEventName> = (value: SyncEvents[E]) => void;

export class Emitter {
  private readonly listeners = new Map<SyncEventName, Set<Listener<never>>>();

  on<E extends SyncEventName>(event: E, fn: Listener<E>): void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn as Listener<never>);
  }

  off<E extends SyncEventName>(event: E, fn: Listener<E>): void {
    this.listeners.get(event)?.delete(fn as Listener<never>);
  }

  clear(): void {
    this.listeners.clear();
  }

  emit<E extends SyncEventName>(event: E, value: SyncEvents[E]): void {
    const set = this.listeners.get(event);
    if (!set || set.size === 0) return;
    // One listener (the usual case): taken before the call, as the copy below would be, without
    // a copy per event (a listener it adds is not called for this event either way).
    if (set.size === 1) {
      this.call(event, set.values().next().value as Listener<E>, value);
      return;
    }
    // A copy: a listener may add or remove listeners while we iterate.
    for (const fn of [...set] as Listener<E>[]) this.call(event, fn, value);
  }

  private call<E extends SyncEventName>(event: E, fn: Listener<E>, value: SyncEvents[E]): void {
    try {
      fn(value);
    } catch (error) {
      if (event !== 'error') this.emit('error', { code: 'listener', message: `'${event}' listener threw: ${describe(error)}` });
    }
  }
}

export function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
