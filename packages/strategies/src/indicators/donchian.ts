/**
 * Donchian channel: highest high and lowest low of the last `period` bars, including the current one;
 * `middle` is their average.
 *
 * Rolling max/min with monotonic deques kept in preallocated typed arrays (ring buffers of bar
 * sequence numbers), so each update is amortised O(1) and allocation-free. Fields are NaN until
 * `period` bars have been seen.
 *
 * @example
 * ```ts
 * const dc = new Donchian(20);
 * const prevUpper = dc.upper; // channel of the previous 20 bars
 * dc.update(high, low);
 * if (close > prevUpper) { ... } // breakout above the prior channel
 * ```
 */
export class Donchian {
  readonly period: number;
  upper = Number.NaN;
  lower = Number.NaN;
  middle = Number.NaN;
  private readonly highs: Float64Array;
  private readonly lows: Float64Array;
  // Deques of sequence numbers, as rings of capacity `period`.
  private readonly maxQ: Float64Array;
  private readonly minQ: Float64Array;
  private maxHead = 0;
  private maxLen = 0;
  private minHead = 0;
  private minLen = 0;
  private seq = 0;

  constructor(period: number) {
    if (!Number.isInteger(period) || period < 1) {
      throw new RangeError(`Donchian period must be an integer >= 1, got ${period}`);
    }
    this.period = period;
    this.highs = new Float64Array(period);
    this.lows = new Float64Array(period);
    this.maxQ = new Float64Array(period);
    this.minQ = new Float64Array(period);
  }

  /** True once `period` bars have been seen. */
  get ready(): boolean {
    return this.seq >= this.period;
  }

  /** Pushes one bar and returns the upper band (NaN until ready). */
  update(high: number, low: number): number {
    const p = this.period;
    const t = this.seq++;
    const slot = t % p;
    const highs = this.highs;
    const lows = this.lows;
    highs[slot] = high;
    lows[slot] = low;
    const oldest = t - p + 1;

    const maxQ = this.maxQ;
    let head = this.maxHead;
    let len = this.maxLen;
    if (len > 0 && (maxQ[head] as number) < oldest) {
      head = head + 1 === p ? 0 : head + 1;
      len--;
    }
    while (len > 0) {
      const back = (head + len - 1) % p;
      if ((highs[(maxQ[back] as number) % p] as number) > high) break;
      len--;
    }
    maxQ[(head + len) % p] = t;
    len++;
    this.maxHead = head;
    this.maxLen = len;
    const maxSeq = maxQ[head] as number;

    const minQ = this.minQ;
    head = this.minHead;
    len = this.minLen;
    if (len > 0 && (minQ[head] as number) < oldest) {
      head = head + 1 === p ? 0 : head + 1;
      len--;
    }
    while (len > 0) {
      const back = (head + len - 1) % p;
      if ((lows[(minQ[back] as number) % p] as number) < low) break;
      len--;
    }
    minQ[(head + len) % p] = t;
    len++;
    this.minHead = head;
    this.minLen = len;
    const minSeq = minQ[head] as number;

    if (t + 1 < p) return this.upper;
    this.upper = highs[maxSeq % p] as number;
    this.lower = lows[minSeq % p] as number;
    this.middle = (this.upper + this.lower) / 2;
    return this.upper;
  }

  /** Forgets every bar. */
  reset(): void {
    this.maxHead = 0;
    this.maxLen = 0;
    this.minHead = 0;
    this.minLen = 0;
    this.seq = 0;
    this.upper = Number.NaN;
    this.lower = Number.NaN;
    this.middle = Number.NaN;
  }
}
