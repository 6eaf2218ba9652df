/**
 * X-Ray's reservoir: at most `perSecond` decisions per wall-clock second, counted in the
 * current epoch second as the X-Ray SDKs count it. Reads `Date.now()` so the clock follows
 * whatever the process (or a test's simulated clock) says.
 */
export class Reservoir {
  private second = -1;
  private used = 0;

  constructor(readonly perSecond: number) {}

  /** Takes one slot of the current second; false once the second's slots are used. */
  take(now: number = Date.now()): boolean {
    if (this.perSecond <= 0) return false;
    const second = Math.floor(now / 1000);
    if (second !== this.second) {
      this.second = second;
      this.used = 0;
    }
    if (this.used >= this.perSecond) return false;
    this.used += 1;
    return true;
  }
}
