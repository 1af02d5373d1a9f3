/**
 * Output columns kept for the next run: a long-lived worker that runs backtest after backtest hands
 * a run's equity array back once its results are stored, and the next run writes over it.
 *
 * Why: a run writes one equity value per bar, and into fresh memory every 4 KiB page is a page fault
 * on its first write. For a million bars that is about 2,000 faults; on the VMs we measured them on
 * (10–25 µs each) they cost as much as the engine's own work. Written-over memory costs nothing.
 *
 * The engine writes every value of its output columns, so what a taken array held before never shows
 * in a result (tested). The pool is a plain object the host owns (the Worker keeps one per isolate):
 * the engine itself keeps no state between calls.
 *
 * @module
 */

/** Default bound on what a pool keeps: two million-bar equity curves. */
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

export class OutputPool {
  /** Whole arrays (never views), oldest first. */
  private readonly free: Float64Array[] = [];
  private keptBytes = 0;
  private readonly maxBytes: number;

  constructor(maxBytes = DEFAULT_MAX_BYTES) {
    this.maxBytes = maxBytes;
  }

  /**
   * An array of exactly `length` values with unspecified contents: a kept one when one is large
   * enough (the smallest such, as a view of its first `length` values), otherwise a new one.
   */
  take(length: number): Float64Array {
    let best = -1;
    for (let k = 0; k < this.free.length; k++) {
      const size = (this.free[k] as Float64Array).length;
      if (size >= length && (best < 0 || size < (this.free[best] as Float64Array).length)) best = k;
    }
    if (best < 0) return new Float64Array(length);
    const [whole] = this.free.splice(best, 1) as [Float64Array];
    this.keptBytes -= whole.byteLength;
    return whole.length === length ? whole : whole.subarray(0, length);
  }

  /**
   * Hands back an array from {@link take} (or any array the caller owns). Nothing may read or write it
   * afterwards: the next run's results go into it. Kept while the pool is under its bound, the oldest
   * dropped first; an array handed back twice is kept once.
   */
  give(array: Float64Array): void {
    const buffer = array.buffer;
    if (array.byteOffset !== 0 || buffer.byteLength % 8 !== 0 || buffer.byteLength > this.maxBytes) return;
    if (this.free.some((kept) => kept.buffer === buffer)) return;
    const whole = array.byteLength === buffer.byteLength ? array : new Float64Array(buffer);
    this.free.push(whole);
    this.keptBytes += whole.byteLength;
    while (this.keptBytes > this.maxBytes) {
      const oldest = this.free.shift() as Float64Array;
      this.keptBytes -= oldest.byteLength;
    }
  }

  /** Bytes kept for reuse. */
  get bytes(): number {
    return this.keptBytes;
  }
}
