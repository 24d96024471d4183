// One render per animation frame, however many changes arrive before it: a burst of diffs costs
// one DOM update. A page that is hidden (a background tab) gets no animation frames, so a timer
// stands in for the frame there, and a frame that does not come within FALLBACK_MS (the page went
// hidden meanwhile) is replaced by the timer too: the DOM is never left stale.
const FALLBACK_MS = 100;

export class FrameBatch {
  private frame = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly run: () => void) {}

  get pending(): boolean {
    return this.timer !== undefined;
  }

  /** Runs now, and not again at the frame already asked for (a first paint that should not wait a frame). */
  runNow(): void {
    cancelAnimationFrame(this.frame);
    clearTimeout(this.timer);
    this.frame = 0;
    this.timer = undefined;
    this.run();
  }

  schedule(): void {
    if (this.timer !== undefined) return;
    // Named, so that a profile (and bench/popup.mjs) can tell these frames from other callbacks.
    const drawFrameBatch = () => {
      if (this.timer === undefined) return;
      cancelAnimationFrame(this.frame);
      clearTimeout(this.timer);
      this.frame = 0;
      this.timer = undefined;
      this.run();
    };
    this.timer = setTimeout(drawFrameBatch, document.hidden ? 0 : FALLBACK_MS);
    if (!document.hidden) this.frame = requestAnimationFrame(drawFrameBatch);
  }
}
