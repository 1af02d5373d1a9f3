/**
 * Simple moving average over the last `period` values, including the current one.
 *
 * O(1) per update and allocation-free: the window lives in a preallocated ring buffer and the
 * running sum is compensated (Neumaier), so a million updates drift by no more than a few ulps from
 * a correctly rounded recomputation.
 *
 * `value` is NaN until `period` values have been seen.
 *
 * @example
 * ```ts
 * const sma = new Sma(3);
 * sma.update(1); sma.update(2); // NaN, NaN
 * sma.update(3); // 2
 * sma.update(4); // 3
 * ```
 */
export class Sma {
  readonly period: number;
  /** Current average, NaN until ready. */
  value = Number.NaN;
  private readonly buf: Float64Array;
  private idx = 0;
  private count = 0;
  private sum = 0;
  private comp = 0;

  constructor(period: number) {
    if (!Number.isInteger(period) || period < 1)
      throw new RangeError(`Sma period must be an integer >= 1, got ${period}`);
    this.period = period;
    this.buf = new Float64Array(period);
  }

  /** True once `period` values have been seen. */
  get ready(): boolean {
    return this.count >= this.period;
  }

  /** Pushes `x` and returns the new average (NaN until ready). */
  update(x: number): number {
    const period = this.period;
    const idx = this.idx;
    const old = this.buf[idx] as number;
    this.buf[idx] = x;
    this.idx = idx + 1 === period ? 0 : idx + 1;
    // Neumaier compensated add of x (and subtraction of the value leaving the window).
    let s = this.sum;
    let c = this.comp;
    let t = s + x;
    c += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
    s = t;
    if (this.count < period) {
      this.count++;
      if (this.count < period) {
        this.sum = s;
        this.comp = c;
        return this.value;
      }
    } else {
      const y = -old;
      t = s + y;
      c += Math.abs(s) >= Math.abs(y) ? s - t + y : y - t + s;
      s = t;
    }
    this.sum = s;
    this.comp = c;
    this.value = (s + c) / period;
    return this.value;
  }

  /** Forgets every value. */
  reset(): void {
    this.buf.fill(0);
    this.idx = 0;
    this.count = 0;
    this.sum = 0;
    this.comp = 0;
    this.value = Number.NaN;
  }
}
