/**
 * The fast-path strategy contract shared by `@quantago/strategies` (producers of decisions) and
 * `@quantago/engine` (the consumer).
 *
 * Bars travel as typed-array columns and decisions as small integer codes, so a strategy can be fed
 * a million bars without allocating a single object per bar. The per-candle JSON contract of the
 * published API (docs/compatibility.md#strategy-contract) is supported on top of this through {@link adaptCandleStrategy}.
 *
 * @module
 */

/** Do nothing. */
export const HOLD = 0;
/** Go long: open a long position (or, in `long_short`, reverse a short into a long). */
export const BUY = 1;
/** Go short / exit: close a long (in `long_only`) or open / reverse into a short (in `long_short`). */
export const SELL = 2;

/** Decision code returned by a strategy for one bar: 0 HOLD, 1 BUY, 2 SELL. */
export type ActionCode = 0 | 1 | 2;

/**
 * OHLCV bars as parallel columns. All columns have the same length; `time` is the bar's open time
 * in Unix milliseconds (UTC), strictly increasing.
 *
 * @example
 * ```ts
 * const bars: BarColumns = {
 *   time: Float64Array.of(0, 60_000),
 *   open: Float64Array.of(100, 101),
 *   high: Float64Array.of(102, 103),
 *   low: Float64Array.of(99, 100),
 *   close: Float64Array.of(101, 102),
 *   volume: Float64Array.of(10, 12),
 * };
 * ```
 */
export interface BarColumns {
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/** Bars `[start, end)` as views over the same buffers (no copy). */
export function sliceBars(bars: BarColumns, start: number, end: number): BarColumns {
  return {
    time: bars.time.subarray(start, end),
    open: bars.open.subarray(start, end),
    high: bars.high.subarray(start, end),
    low: bars.low.subarray(start, end),
    close: bars.close.subarray(start, end),
    volume: bars.volume.subarray(start, end),
  };
}

/**
 * Bars `[start, end)` copied into buffers of their own: what is sent over RPC, which serialises a
 * view's whole underlying buffer, not just the view.
 */
export function copyBars(bars: BarColumns, start: number, end: number): BarColumns {
  return {
    time: bars.time.slice(start, end),
    open: bars.open.slice(start, end),
    high: bars.high.slice(start, end),
    low: bars.low.slice(start, end),
    close: bars.close.slice(start, end),
    volume: bars.volume.slice(start, end),
  };
}

/**
 * Read-only view of the simulated account at the moment a strategy decides (the close of the bar),
 * after every fill and exit of that bar. The engine passes the same mutable object on every call:
 * read what you need, never keep a reference to it across calls expecting it to stay unchanged.
 */
export interface PortfolioView {
  /** Cash balance (currency). Short sale proceeds are included. */
  readonly cash: number;
  /** `cash + position * close` at the current bar's close. */
  readonly equity: number;
  /** Signed position in units: > 0 long, < 0 short, 0 flat. */
  readonly position: number;
  /** Fill price of the open position (slippage included); NaN when flat. */
  readonly entryPrice: number;
  /** Bar time (Unix ms) of the entry fill; NaN when flat. */
  readonly entryTime: number;
  /** Bar index of the entry fill; -1 when flat. */
  readonly entryIndex: number;
  /** Bar time (Unix ms) of the most recent entry fill of the run; NaN before the first entry. */
  readonly lastEntryTime: number;
}

/**
 * Preallocated output slot for the optional parts of a decision. The engine clears it (size NaN,
 * reason and metadata null) before every `onBar` call; a strategy that wants to set a size writes it
 * here instead of allocating a result object.
 */
export interface DecisionSlot {
  /** Units for the opening leg of a BUY/SELL; NaN lets the engine's sizing rule decide. */
  size: number;
  /** Optional human-readable reason (slow path only; attached to the resulting trade). */
  reason: string | null;
  /** Optional signal metadata (slow path only; attached to the resulting trade). */
  metadata: Record<string, unknown> | null;
}

/** Creates an empty {@link DecisionSlot}. */
export function createDecisionSlot(): DecisionSlot {
  return { size: Number.NaN, reason: null, metadata: null };
}

/**
 * A strategy on the fast path: called once per evaluated bar, in ascending order, at that bar's
 * close. It must only read bars `<= i` (reading ahead is a look-ahead bug the engine cannot detect).
 *
 * @example
 * ```ts
 * const strategy = smaCrossover.create({ fast: 10, slow: 30 });
 * const slot = createDecisionSlot();
 * for (let i = 0; i < bars.close.length; i++) {
 *   const action = strategy.onBar(i, bars, portfolio, slot); // 0 | 1 | 2
 * }
 * ```
 */
export interface BarStrategy {
  readonly slug: string;
  /** Bars that must have been seen before the first non-HOLD decision is possible. */
  readonly minCandles: number;
  /** Bars of history the strategy looks at (informational for the fast path). */
  readonly lookbackCandles: number;
  /**
   * False when decisions depend only on the bars (not on the portfolio), so the decisions can be
   * precomputed as a column (for instance in batches by a sandboxed WASM runtime).
   */
  readonly usesPortfolio: boolean;
  /** Decide at the close of bar `i`. */
  onBar(i: number, bars: BarColumns, portfolio: PortfolioView, out: DecisionSlot): ActionCode;
  /** Forget all state so the instance can run again from bar 0. The engine calls it before a run. */
  reset?(): void;
}

/** Like {@link BarStrategy} but may answer asynchronously (remote runtimes). */
export interface AsyncBarStrategy {
  readonly slug: string;
  readonly minCandles: number;
  readonly lookbackCandles: number;
  readonly usesPortfolio: boolean;
  onBar(
    i: number,
    bars: BarColumns,
    portfolio: PortfolioView,
    out: DecisionSlot,
  ): ActionCode | Promise<ActionCode>;
  reset?(): void;
}
