// The one timer a host keeps for the engine: told `nextDeadline()` after every call, feeding a
// tick when the deadline is reached, and only then.
//
// The deadline moves on almost every frame (a received frame pushes the activity timeout back),
// and clearing and setting a timeout per frame was a measured part of the public API's cost
// (docs/benchmarks.md, issue 12). So the timeout is set again only when the deadline comes
// earlier than the one it is set for. One that is set for an earlier instant than wanted fires,
// finds the deadline not reached, and is set for the deadline wanted then: a wake-up, never an
// early tick.

/** setTimeout's largest delay; longer ones fire at once in every runtime. */
const MAX_DELAY = 2 ** 31 - 1;

export class DeadlineTimer {
  private handle: ReturnType<typeof setTimeout> | undefined;
  /** The deadline the pending timeout is set for (engine clock); meaningful while `handle` is set. */
  private armedFor = 0;
  /** The engine's deadline as last told; negative: none. */
  private wanted = -1;

  /**
   * `fire` feeds the engine its tick; `clock` reads the engine's clock (the one `arm` is given
   * `now` on), asked only when a timeout expires.
   */
  constructor(
    private readonly fire: () => void,
    private readonly clock: () => number,
  ) {}

  /** `deadline` and `now` on the engine's clock; a negative deadline means no timer is wanted. */
  arm(deadline: number, now: number): void {
    this.wanted = deadline;
    if (deadline < 0) {
      // Nothing wanted: no timeout may keep the process alive.
      this.clear();
      return;
    }
    if (this.handle !== undefined && this.armedFor <= deadline) return; // it fires no later; see expire()
    this.set(deadline, now);
  }

  clear(): void {
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.handle = undefined;
  }

  private set(deadline: number, now: number): void {
    this.clear();
    this.armedFor = deadline;
    const delay = Math.min(MAX_DELAY, Math.max(0, Math.ceil(deadline - now)));
    this.handle = setTimeout(() => this.expire(), delay);
  }

  private expire(): void {
    this.handle = undefined;
    const deadline = this.wanted;
    if (deadline < 0) return;
    const now = this.clock();
    // A timeout may also fire a little before its delay on the engine's clock (Node counts from
    // the event loop's cached time): then it is set again for the rest.
    if (now >= deadline) this.fire();
    else this.set(deadline, now);
  }
}
