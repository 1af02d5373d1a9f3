import { Ema } from "./ema.ts";

/**
 * MACD: `macd = EMA(fast) - EMA(slow)` of the input, `signal = EMA(signalPeriod)` of the MACD line
 * (seeded, like every {@link Ema}, with the simple average of its first values, and fed only once the
 * MACD line exists), `histogram = macd - signal`.
 *
 * `macd` is NaN for the first `slow - 1` updates; `signal` and `histogram` for the first
 * `slow + signalPeriod - 2`. O(1), allocation-free.
 *
 * @example
 * ```ts
 * const m = new Macd(12, 26, 9);
 * for (const close of closes) m.update(close);
 * if (m.macd > m.signal) { ... } // bullish
 * ```
 */
export class Macd {
  readonly fastPeriod: number;
  readonly slowPeriod: number;
  readonly signalPeriod: number;
  macd = Number.NaN;
  signal = Number.NaN;
  histogram = Number.NaN;
  private readonly fast: Ema;
  private readonly slow: Ema;
  private readonly sig: Ema;

  constructor(fastPeriod = 12, slowPeriod = 26, signalPeriod = 9) {
    this.fast = new Ema(fastPeriod);
    this.slow = new Ema(slowPeriod);
    this.sig = new Ema(signalPeriod);
    this.fastPeriod = fastPeriod;
    this.slowPeriod = slowPeriod;
    this.signalPeriod = signalPeriod;
  }

  /** True once the signal line exists. */
  get ready(): boolean {
    return this.sig.ready;
  }

  /** Pushes `x` and returns the MACD line (NaN until the slow EMA is ready). */
  update(x: number): number {
    const f = this.fast.update(x);
    const s = this.slow.update(x);
    if (!this.slow.ready || !this.fast.ready) return this.macd;
    const m = f - s;
    this.macd = m;
    const sg = this.sig.update(m);
    if (this.sig.ready) {
      this.signal = sg;
      this.histogram = m - sg;
    }
    return m;
  }

  /** Forgets every value. */
  reset(): void {
    this.fast.reset();
    this.slow.reset();
    this.sig.reset();
    this.macd = Number.NaN;
    this.signal = Number.NaN;
    this.histogram = Number.NaN;
  }
}
