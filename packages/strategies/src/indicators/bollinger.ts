import { RollingSum } from "./rolling-sum.ts";

/**
 * Bollinger Bands: `middle = SMA(period)`, `upper/lower = middle ± multiplier * stddev`, with the
 * population standard deviation (divide by `period`, as in Bollinger's definition and TA-Lib) of the
 * same window, including the current value.
 *
 * Numerics: the mean comes from a compensated (Neumaier) running sum ({@link RollingSum}, shared with
 * the SMA); the sum of squared deviations
 * `m2` is updated with the exact sliding identity
 * `m2 += (x_new - x_old) * (x_new - mean_new + x_old - mean_old)` (no `Σx² - (Σx)²/n` cancellation),
 * clamped at 0, and recomputed from the window by a two-pass sum every `4 * period` updates so rounding
 * cannot accumulate. Amortised O(1) per update, allocation-free. Fields are NaN until ready.
 *
 * @example
 * ```ts
 * const bb = new Bollinger(20, 2);
 * for (const close of closes) bb.update(close);
 * if (close < bb.lower) { ... } // below the lower band
 * ```
 */
export class Bollinger {
  readonly period: number;
  readonly multiplier: number;
  middle = Number.NaN;
  upper = Number.NaN;
  lower = Number.NaN;
  /** Population standard deviation of the window. */
  stddev = Number.NaN;
  private readonly window: RollingSum;
  private mean = 0;
  private m2 = 0;
  private sinceResync = 0;

  constructor(period: number, multiplier = 2) {
    if (!Number.isInteger(period) || period < 1) {
      throw new RangeError(`Bollinger period must be an integer >= 1, got ${period}`);
    }
    if (!Number.isFinite(multiplier) || multiplier < 0) {
      throw new RangeError(`Bollinger multiplier must be a finite number >= 0, got ${multiplier}`);
    }
    this.period = period;
    this.multiplier = multiplier;
    this.window = new RollingSum(period);
  }

  /** True once `period` values have been seen. */
  get ready(): boolean {
    return this.window.full;
  }

  /** Pushes `x` and returns the middle band (NaN until ready). */
  update(x: number): number {
    const period = this.period;
    const window = this.window;
    const meanOld = this.mean;
    const filling = !window.full;
    const total = window.push(x);
    let meanNew: number;
    if (filling) {
      meanNew = total / window.count;
      this.m2 += (x - meanOld) * (x - meanNew);
    } else {
      const old = window.dropped;
      meanNew = total / period;
      this.m2 += (x - old) * (x - meanNew + old - meanOld);
      if (++this.sinceResync >= 4 * period) this.resync(meanNew);
    }
    this.mean = meanNew;
    if (this.m2 < 0) this.m2 = 0;
    if (!window.full) return this.middle;
    const sd = Math.sqrt(this.m2 / period);
    this.middle = meanNew;
    this.stddev = sd;
    this.upper = meanNew + this.multiplier * sd;
    this.lower = meanNew - this.multiplier * sd;
    return meanNew;
  }

  /** Exact two-pass recomputation of the squared deviations of the full window. */
  private resync(mean: number): void {
    const buf = this.window.values;
    let m2 = 0;
    for (let i = 0; i < buf.length; i++) {
      const d = (buf[i] as number) - mean;
      m2 += d * d;
    }
    this.m2 = m2;
    this.sinceResync = 0;
  }

  /** Forgets every value. */
  reset(): void {
    this.window.reset();
    this.mean = 0;
    this.m2 = 0;
    this.sinceResync = 0;
    this.middle = Number.NaN;
    this.upper = Number.NaN;
    this.lower = Number.NaN;
    this.stddev = Number.NaN;
  }
}
