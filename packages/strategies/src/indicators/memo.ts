import type { BarColumns } from "../contract.ts";

/** An incremental indicator with one value per update (a moving average, say): NaN until ready. */
export interface ScalarIndicator {
  update(x: number): number;
  reset(): void;
}

/**
 * Where a built-in strategy gets its indicators fed with the close of each bar it is shown.
 * {@link FRESH_INDICATORS} (the default) builds each one; an {@link IndicatorMemo} serves the
 * memoised series of an equal indicator instead, so the runs of a parameter sweep over the same bars
 * compute each distinct indicator once (10 fast × 10 slow moving averages: 20 series, not 200).
 */
export interface IndicatorSource {
  /**
   * The indicator `make()` builds, fed one close per bar the strategy is shown. `key` names what
   * `make()` builds, kind and parameters (`"sma:20"`): equal keys must build equal indicators.
   */
  ofClose(key: string, make: () => ScalarIndicator): ScalarIndicator;
}

/** Builds every indicator afresh: what a single run uses. */
export const FRESH_INDICATORS: IndicatorSource = Object.freeze({
  ofClose: (_key: string, make: () => ScalarIndicator) => make(),
});

/**
 * The output of an indicator over the closes of the bars a run shows its strategy, computed once
 * per key and replayed to every strategy that asks for it. Bit-identical to the fresh indicator: the
 * series is that same indicator updated with those same closes, in order.
 *
 * `mask` must be the engine's venue mask for the run (`venueMask`, null when every bar is shown):
 * the strategy's indicators only see the bars it is shown. A replay checks each value it is fed
 * against the close it was computed from and throws on a difference, so a strategy feeding it
 * something else, or a run with another mask, fails loudly instead of reading wrong values.
 *
 * One memo serves any number of runs over the same bars, one after the other or interleaved; it
 * holds one Float64Array per key (8 bytes a shown bar).
 *
 * @example
 * ```ts
 * const memo = new IndicatorMemo(bars, null);
 * for (const p of grid) runBacktest(bars, smaCrossover.create(p, { indicators: memo }), config);
 * memo.size; // distinct moving averages computed
 * ```
 */
export class IndicatorMemo implements IndicatorSource {
  /** The closes of the shown bars, in order: what every memoised indicator was fed. */
  private readonly inputs: Float64Array;
  private readonly series = new Map<string, Float64Array>();

  constructor(bars: BarColumns, mask: Uint8Array | null) {
    if (mask === null) {
      this.inputs = bars.close;
    } else {
      if (mask.length !== bars.close.length)
        throw new RangeError(`mask has ${mask.length} values for ${bars.close.length} bars`);
      const shown: number[] = [];
      for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) shown.push(bars.close[i] as number);
      this.inputs = Float64Array.from(shown);
    }
  }

  /** Distinct indicators computed so far. */
  get size(): number {
    return this.series.size;
  }

  ofClose(key: string, make: () => ScalarIndicator): ScalarIndicator {
    let values = this.series.get(key);
    if (values === undefined) {
      const indicator = make();
      const inputs = this.inputs;
      values = new Float64Array(inputs.length);
      for (let k = 0; k < inputs.length; k++) values[k] = indicator.update(inputs[k] as number);
      this.series.set(key, values);
    }
    return new ReplayedIndicator(key, this.inputs, values);
  }
}

/** One strategy's cursor over a memoised series (see {@link IndicatorMemo}). */
class ReplayedIndicator implements ScalarIndicator {
  private readonly key: string;
  private readonly inputs: Float64Array;
  private readonly values: Float64Array;
  private next = 0;

  constructor(key: string, inputs: Float64Array, values: Float64Array) {
    this.key = key;
    this.inputs = inputs;
    this.values = values;
  }

  update(x: number): number {
    const k = this.next;
    // Past the end, inputs[k] is undefined and the test fails too.
    if (this.inputs[k] !== x) {
      throw new RangeError(
        `memoised indicator ${this.key} was fed ${x} at update ${k}, but computed from ${this.inputs[k]}`,
      );
    }
    this.next = k + 1;
    return this.values[k] as number;
  }

  reset(): void {
    this.next = 0;
  }
}
