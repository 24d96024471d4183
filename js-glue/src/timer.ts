// The one timer a host keeps for the engine: armed for `nextDeadline()` after every call, and
// feeding a tick when it fires. The engine ignores early ticks, so a timer that fires a little
// early only costs one more round.

/** setTimeout's largest delay; longer ones fire at once in every runtime. */
const MAX_DELAY = 2 ** 31 - 1;

export class DeadlineTimer {
  private handle: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly fire: () => void) {}

  /** `deadline` and `now` on the engine's clock; a negative deadline means no timer is wanted. */
  arm(deadline: number, now: number): void {
    this.clear();
    if (deadline < 0) return;
    const delay = Math.min(MAX_DELAY, Math.max(0, Math.ceil(deadline - now)));
    this.handle = setTimeout(() => {
      this.handle = undefined;
      this.fire();
    }, delay);
  }

  clear(): void {
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.handle = undefined;
  }
}
