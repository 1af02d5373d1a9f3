/**
 * Relative Strength Index with Wilder's smoothing.
 *
 * With `d_t = x_t - x_{t-1}`: the first average gain/loss is the simple mean of the first `period`
 * changes, then `avg_t = (avg_{t-1} * (period - 1) + change_t) / period`. RSI is
 * `100 - 100 / (1 + avgGain / avgLoss)`; it is 100 when there are gains and no losses and 50 when
 * the window is perfectly flat (no gains, no losses). `value` is NaN for the first `period` updates
 * (it needs `period + 1` values). O(1), allocation-free.
 *
 * @example
 * ```ts
 * const rsi = new Rsi(14);
 * for (const close of closes) rsi.update(close);
 * if (rsi.value < 30) { ... } // oversold
 * ```
 */
export class Rsi {
  readonly period: number;
  /** Current RSI in [0, 100], NaN until ready. */
  value = Number.NaN;
  /** Wilder-smoothed average gain (NaN until ready). */
  avgGain = Number.NaN;
  /** Wilder-smoothed average loss, as a positive number (NaN until ready). */
  avgLoss = Number.NaN;
  private count = 0;
  private prev = Number.NaN;
  private gainSum = 0;
  private lossSum = 0;

  constructor(period: number) {
    if (!Number.isInteger(period) || period < 1)
      throw new RangeError(`Rsi period must be an integer >= 1, got ${period}`);
    this.period = period;
  }

  /** True once `period + 1` values have been seen. */
  get ready(): boolean {
    return this.count > this.period;
  }

  /** Pushes `x` and returns the new RSI (NaN until ready). */
  update(x: number): number {
    const count = this.count;
    const prev = this.prev;
    this.prev = x;
    if (count === 0) {
      this.count = 1;
      return this.value;
    }
    const d = x - prev;
    // max(d, 0) and max(-d, 0), exact and branch-free.
    const gain = (d + Math.abs(d)) * 0.5;
    const loss = (Math.abs(d) - d) * 0.5;
    const period = this.period;
    if (count <= period) {
      this.count = count + 1;
      this.gainSum += gain;
      this.lossSum += loss;
      if (count < period) return this.value;
      this.avgGain = this.gainSum / period;
      this.avgLoss = this.lossSum / period;
    } else {
      this.avgGain = (this.avgGain * (period - 1) + gain) / period;
      this.avgLoss = (this.avgLoss * (period - 1) + loss) / period;
    }
    const g = this.avgGain;
    const l = this.avgLoss;
    this.value = l === 0 ? (g === 0 ? 50 : 100) : 100 - 100 / (1 + g / l);
    return this.value;
  }

  /** Forgets every value. */
  reset(): void {
    this.count = 0;
    this.prev = Number.NaN;
    this.gainSum = 0;
    this.lossSum = 0;
    this.avgGain = Number.NaN;
    this.avgLoss = Number.NaN;
    this.value = Number.NaN;
  }
}
