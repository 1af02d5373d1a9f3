/**
 * Exponential moving average with smoothing `alpha = 2 / (period + 1)`.
 *
 * Seeded with the simple average of the first `period` values (the TA-Lib convention), so `value` is
 * NaN for the first `period - 1` updates and then `ema_t = ema_{t-1} + alpha * (x_t - ema_{t-1})`.
 * O(1), allocation-free.
 *
 * @example
 * ```ts
 * const ema = new Ema(3); // alpha = 0.5
 * ema.update(1); ema.update(2); // NaN, NaN
 * ema.update(3); // 2 (seed = mean of 1, 2, 3)
 * ema.update(6); // 4
 * ```
 */
export class Ema {
  readonly period: number;
  readonly alpha: number;
  /** Current EMA, NaN until ready. */
  value = Number.NaN;
  private count = 0;
  private seedSum = 0;

  constructor(period: number) {
    if (!Number.isInteger(period) || period < 1)
      throw new RangeError(`Ema period must be an integer >= 1, got ${period}`);
    this.period = period;
    this.alpha = 2 / (period + 1);
  }

  /** True once `period` values have been seen. */
  get ready(): boolean {
    return this.count >= this.period;
  }

  /** Pushes `x` and returns the new EMA (NaN until ready). */
  update(x: number): number {
    if (this.count >= this.period) {
      const prev = this.value;
      this.value = prev + this.alpha * (x - prev);
      return this.value;
    }
    this.count++;
    this.seedSum += x;
    if (this.count === this.period) this.value = this.seedSum / this.period;
    return this.value;
  }

  /** Forgets every value. */
  reset(): void {
    this.count = 0;
    this.seedSum = 0;
    this.value = Number.NaN;
  }
}
