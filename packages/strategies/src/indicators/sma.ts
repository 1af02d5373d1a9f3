import { RollingSum } from "./rolling-sum.ts";

/**
 * Simple moving average over the last `period` values, including the current one.
 *
 * O(1) per update and allocation-free, over a {@link RollingSum} (the window and its compensated
 * sum, shared with the Bollinger bands).
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
  private readonly window: RollingSum;

  constructor(period: number) {
    if (!Number.isInteger(period) || period < 1)
      throw new RangeError(`Sma period must be an integer >= 1, got ${period}`);
    this.period = period;
    this.window = new RollingSum(period);
  }

  /** True once `period` values have been seen. */
  get ready(): boolean {
    return this.window.full;
  }

  /** Pushes `x` and returns the new average (NaN until ready). */
  update(x: number): number {
    const total = this.window.push(x);
    if (!this.window.full) return this.value;
    this.value = total / this.period;
    return this.value;
  }

  /** Forgets every value. */
  reset(): void {
    this.window.reset();
    this.value = Number.NaN;
  }
}
