import { Sma } from "./sma.ts";

/**
 * Rolling volume-weighted average price over the last `period` bars (current included), with the
 * typical price `(high + low + close) / 3`: `Σ tp·v / Σ v`. When the window has no volume at all
 * the value is the current close.
 *
 * O(1) per update and allocation-free: three compensated rolling sums ({@link Sma}) of `tp·v`, `v`
 * and of "this bar had volume" (0/1, exact), the last telling a zero-volume window apart from
 * rounding residue. `value` is NaN until `period` bars have been seen.
 *
 * @example
 * ```ts
 * const vwap = new RollingVwap(20);
 * vwap.update(high, low, close, volume);
 * if (close > vwap.value) { ... } // trading above the volume-weighted average
 * ```
 */
export class RollingVwap {
  readonly period: number;
  /** Current VWAP, NaN until ready. */
  value = Number.NaN;
  private readonly pv: Sma;
  private readonly vol: Sma;
  private readonly traded: Sma;

  constructor(period: number) {
    if (!Number.isInteger(period) || period < 1)
      throw new RangeError(`RollingVwap period must be an integer >= 1, got ${period}`);
    this.period = period;
    this.pv = new Sma(period);
    this.vol = new Sma(period);
    this.traded = new Sma(period);
  }

  /** True once `period` bars have been seen. */
  get ready(): boolean {
    return this.vol.ready;
  }

  /** Pushes one bar and returns the new VWAP (NaN until ready). */
  update(high: number, low: number, close: number, volume: number): number {
    const pv = this.pv.update(((high + low + close) / 3) * volume);
    const v = this.vol.update(volume);
    const traded = this.traded.update(volume !== 0 ? 1 : 0);
    if (!this.vol.ready) return this.value;
    this.value = traded === 0 ? close : pv / v;
    return this.value;
  }

  /** Forgets every bar. */
  reset(): void {
    this.pv.reset();
    this.vol.reset();
    this.traded.reset();
    this.value = Number.NaN;
  }
}
