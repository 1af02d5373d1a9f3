/**
 * The engine drivers: {@link runBacktest} (sync, the fast path), {@link runBacktestAsync} (for
 * strategies that answer asynchronously) and {@link computeSignals} (the decision loop alone, to
 * precompute a decision column).
 *
 * @module
 */

import type {
  AsyncBarStrategy,
  BarColumns,
  BarStrategy,
  DecisionSlot,
  PortfolioView,
} from "@quantago/strategies";
import { createDecisionSlot } from "@quantago/strategies";
import {
  type ExecutionConfig,
  type ResolvedExecutionConfig,
  resolveWithInferredTimeframe,
} from "./config.ts";
import { computeMetrics } from "./metrics.ts";
import { Simulation, validateBars } from "./simulation.ts";
import type { BacktestResult, SignalNote, Trade } from "./types.ts";
import { venueMask } from "./venue.ts";

/**
 * Decisions computed ahead of the run, one per bar: `actions[i]` is 0 HOLD, 1 BUY or 2 SELL decided
 * at the close of bar `i`; `sizes[i]` (optional) the units for that decision, NaN for the engine's
 * sizing rule. Only valid for strategies that do not depend on the portfolio; this is how a sandboxed
 * runtime (e.g. WASM, processing bars in batches) hands decisions to the engine. Entries at bars the
 * venue filter skips are ignored.
 */
export interface SignalColumns {
  readonly actions: Uint8Array;
  readonly sizes?: Float64Array | null;
}

/** Anything the sync engine can take decisions from. */
export type DecisionSource = BarStrategy | SignalColumns;

/** Anything the async engine can take decisions from. */
export type AsyncDecisionSource = AsyncBarStrategy | BarStrategy | SignalColumns;

/** Output options of a run (they never change the results). */
export interface RunOptions {
  /**
   * Also record the signed position after every bar (`result.position`). Default false (null):
   * it costs one more array as long as the bars, and the trades already describe it.
   */
  readonly recordPosition?: boolean;
  /**
   * Preallocated output columns to write into (length = number of bars), e.g. reused across many
   * runs over the same bars to avoid allocating (and page-faulting) fresh memory each time. The
   * result's `equity` / `position` are then these same arrays.
   */
  readonly buffers?: {
    readonly equity?: Float64Array;
    readonly position?: Float64Array;
    /**
     * Memory for the trade log to start in: `result.tradeColumns.pnl.buffer` of an earlier run,
     * whose trade columns must not be read afterwards (this run's trades overwrite them).
     */
    readonly trades?: ArrayBuffer;
  };
  /**
   * What {@link validateBars} returned for these same bars (the same object), so a caller running
   * many backtests over one set of bars (a parameter sweep) checks them once rather than per run.
   * Ignored for any other bars object. The caller vouches that the columns did not change since.
   */
  readonly validated?: { readonly bars: BarColumns; readonly timeframeMs: number };
}

function isColumns(source: AsyncDecisionSource): source is SignalColumns {
  return (source as SignalColumns).actions instanceof Uint8Array;
}

function prepare(
  bars: BarColumns,
  source: AsyncDecisionSource,
  config: ExecutionConfig | undefined,
  options: RunOptions | undefined,
) {
  const validated = options?.validated;
  const inferredMs = validated?.bars === bars ? validated.timeframeMs : validateBars(bars);
  const cfg = resolveWithInferredTimeframe(config ?? {}, inferredMs);
  const n = bars.time.length;
  if (isColumns(source)) {
    if (source.actions.length !== n) {
      throw new RangeError(`actions has ${source.actions.length} values for ${n} bars`);
    }
    if (source.sizes != null && source.sizes.length !== n) {
      throw new RangeError(`sizes has ${source.sizes.length} values for ${n} bars`);
    }
  } else {
    source.reset?.();
  }
  const equity = options?.buffers?.equity ?? new Float64Array(n);
  const position =
    options?.recordPosition === true ? (options.buffers?.position ?? new Float64Array(n)) : null;
  if (equity.length !== n || (position !== null && position.length !== n)) {
    throw new RangeError(`output buffers must have exactly ${n} values`);
  }
  const mask = venueMask(bars.time, cfg.exchange, cfg.timeframeMs);
  return {
    cfg,
    n,
    mask,
    sim: new Simulation(bars, cfg, equity, position, options?.buffers?.trades),
    slot: createDecisionSlot(),
  };
}

function finish(bars: BarColumns, cfg: ResolvedExecutionConfig, sim: Simulation): BacktestResult {
  const openPosition = sim.finish();
  const log = sim.log;
  const tradeColumns = log.columns();
  const metrics = computeMetrics({
    time: bars.time,
    open: bars.open,
    close: bars.close,
    equity: sim.equityCol,
    tradePnl: tradeColumns.pnl,
    tradeSize: tradeColumns.size,
    initialBalance: cfg.initialBalance,
    barsInMarket: sim.barsInMarket,
    feesPaid: sim.feesPaid,
    timeframeMs: cfg.timeframeMs,
    periodsPerYear: cfg.periodsPerYear,
  });
  let trades: Trade[] | null = null;
  return {
    config: cfg,
    // Built on first access: the columns are what the run produces; objects are for consumers.
    get trades(): Trade[] {
      trades ??= log.toTrades(bars.time);
      return trades;
    },
    tradeColumns,
    notes: log.notes(),
    openPosition,
    equity: sim.equityCol,
    position: sim.positionCol,
    finalCash: sim.cash,
    evaluatedBars: sim.evaluatedBars,
    blockedEntries: sim.blockedEntries,
    metrics,
  };
}

// The drivers below are the hot loops. They keep per-bar work to a few loads and one store: the
// open is only visited when it has work, a HOLD skips the decision entirely, and the evaluated-bar
// count is kept in a local (a field increment per bar is a load and a store through the object).
// Each returns right after its loop: V8 compiles these loops on-stack (the function runs once per
// backtest) and reuses that code for later runs, so any code after the loop that had not run yet
// when it was compiled (such as storing the count) would deoptimize every later run.

function runColumns(
  bars: BarColumns,
  source: SignalColumns,
  sim: Simulation,
  mask: Uint8Array | null,
): number {
  const n = bars.time.length;
  const actions = source.actions;
  const sizes = source.sizes ?? null;
  let evaluated = 0;
  for (let j = 0; j < n; j++) {
    if (mask === null || mask[j] !== 0) {
      evaluated++;
      if (sim.openHasWork) sim.atOpen(j);
      const action = actions[j] as number;
      if (action !== 0) sim.decide(j, action, sizes === null ? Number.NaN : (sizes[j] as number), null);
    }
    sim.mark(j);
  }
  return evaluated;
}

function runStrategy(
  bars: BarColumns,
  strategy: BarStrategy,
  sim: Simulation,
  mask: Uint8Array | null,
  slot: DecisionSlot,
): number {
  const n = bars.time.length;
  let evaluated = 0;
  for (let j = 0; j < n; j++) {
    if (mask === null || mask[j] !== 0) {
      evaluated++;
      sim.beforeDecision(j, slot);
      sim.afterDecision(j, strategy.onBar(j, bars, sim, slot), slot);
    }
    sim.mark(j);
  }
  return evaluated;
}

/** What a portfolio-independent strategy is shown: a flat, empty account (as by {@link computeSignals}). */
function flatPortfolio(): PortfolioView {
  return {
    cash: 0,
    equity: 0,
    position: 0,
    entryPrice: Number.NaN,
    entryTime: Number.NaN,
    entryIndex: -1,
    lastEntryTime: Number.NaN,
  };
}

/** Bars per block of {@link runStrategyInBlocks}: the block's decisions stay in the L1/L2 cache. */
const DECISION_BLOCK = 2048;

/** One block's decisions in {@link runStrategyInBlocks}, indexed by bar - block start. */
interface DecisionBuffers {
  readonly actions: Float64Array;
  readonly sizes: Float64Array;
  /** Notes are rare (slow-path strategies only): created on the first one, then cleared per block. */
  notes: (SignalNote | null)[] | null;
}

/**
 * The decision loop of one block `[start, end)` of {@link runStrategyInBlocks}, into `out`. Returns
 * the end of the decided bars: `end`, or the bar after the first invalid action code (the strategy is
 * not asked past the bar that fails). A function of its own so the strategy's code (its indicators'
 * updates included) gets the JIT's whole inlining budget: inside the driver, the simulation loop's
 * calls used it up and the indicators' window pushes stayed out-of-line calls.
 */
function decideBlock(
  bars: BarColumns,
  strategy: BarStrategy,
  portfolio: PortfolioView,
  slot: DecisionSlot,
  mask: Uint8Array | null,
  out: DecisionBuffers,
  start: number,
  end: number,
): number {
  const actions = out.actions;
  const sizes = out.sizes;
  for (let j = start; j < end; j++) {
    const k = j - start;
    if (mask !== null && mask[j] === 0) {
      actions[k] = 0;
      continue;
    }
    slot.size = Number.NaN;
    const action = strategy.onBar(j, bars, portfolio, slot);
    actions[k] = action;
    sizes[k] = slot.size;
    if (slot.reason !== null || slot.metadata !== null) {
      out.notes ??= new Array<SignalNote | null>(actions.length).fill(null);
      out.notes[k] = { reason: slot.reason, metadata: slot.metadata };
      slot.reason = null;
      slot.metadata = null;
    }
    if (action !== 0 && action !== 1 && action !== 2) return j + 1;
  }
  return end;
}

/**
 * {@link runStrategy} for a strategy that declares `usesPortfolio: false`: per block of bars, the
 * decision loop alone ({@link decideBlock}, showing a flat portfolio as {@link computeSignals} does),
 * then the simulation over that block's decisions. Two tight loops instead of one with both bodies:
 * the strategy's code gets the JIT's whole inlining budget, and the simulation loop is the column
 * driver's. The results are those of passing `computeSignals(strategy, bars)`, which the contract
 * makes equal to the interleaved run for such a strategy.
 */
function runStrategyInBlocks(
  bars: BarColumns,
  strategy: BarStrategy,
  sim: Simulation,
  mask: Uint8Array | null,
  slot: DecisionSlot,
): number {
  const n = bars.time.length;
  const portfolio = flatPortfolio();
  const size = Math.min(n, DECISION_BLOCK);
  const out: DecisionBuffers = {
    actions: new Float64Array(size),
    sizes: new Float64Array(size),
    notes: null,
  };
  const actions = out.actions;
  const sizes = out.sizes;
  let evaluated = 0;
  for (let start = 0; start < n; start += DECISION_BLOCK) {
    out.notes?.fill(null);
    const end = decideBlock(
      bars,
      strategy,
      portfolio,
      slot,
      mask,
      out,
      start,
      Math.min(n, start + DECISION_BLOCK),
    );
    const notes = out.notes;
    for (let j = start; j < end; j++) {
      const k = j - start;
      if (mask === null || mask[j] !== 0) {
        evaluated++;
        if (sim.openHasWork) sim.atOpen(j);
        const action = actions[k] as number;
        if (action !== 0)
          sim.decide(j, action, sizes[k] as number, notes === null ? null : (notes[k] ?? null));
      }
      sim.mark(j);
    }
  }
  return evaluated;
}

/**
 * Runs a backtest. Per evaluated bar `j`: (1) at the open, the order decided at the previous
 * evaluated bar fills (`next_open`), then take-profit / stop-loss / max-time exits are checked for
 * the open position; (2) at the close the strategy decides, seeing the portfolio after (1); with
 * `signal_close` the order fills right there; (3) the position is marked to the close. Bars outside
 * the venue session are only marked. After the last bar the open position is closed or kept
 * (`endOfData`), then metrics are computed.
 *
 * Deterministic: the same bars, source and config give bit-identical results. The strategy is
 * `reset()` first when it supports it. Throws `EngineConfigError` for invalid bars or config and
 * `DecisionError` for an invalid decision.
 *
 * @example
 * ```ts
 * const bars = generateSmaxBars(100_000);
 * const result = runBacktest(bars, smaCrossover.create({ fast: 10, slow: 30 }), {
 *   initialBalance: 100_000, sizing: "fixed_units", units: 1, feePct: 0.1, endOfData: "mark",
 * });
 * result.trades.length; // 1931
 * result.metrics.finalEquity; // 99584.78475866553
 * ```
 */
export function runBacktest(
  bars: BarColumns,
  source: DecisionSource,
  config?: ExecutionConfig,
  options?: RunOptions,
): BacktestResult {
  const { cfg, mask, sim, slot } = prepare(bars, source, config, options);
  if (isColumns(source)) sim.evaluatedBars = runColumns(bars, source, sim, mask);
  else if (source.usesPortfolio) sim.evaluatedBars = runStrategy(bars, source, sim, mask, slot);
  else sim.evaluatedBars = runStrategyInBlocks(bars, source, sim, mask, slot);
  return finish(bars, cfg, sim);
}

/**
 * {@link runBacktest} for a strategy whose `onBar` may return a promise (remote runtimes). Same
 * semantics and results; bars are processed strictly one after the other.
 *
 * @example
 * ```ts
 * const strategy = adaptAsyncCandleStrategy(callRemote, { lookbackCandles: 50 });
 * const result = await runBacktestAsync(bars, strategy, { exchange: "nyse", timeframe: "1h" });
 * ```
 */
export async function runBacktestAsync(
  bars: BarColumns,
  source: AsyncDecisionSource,
  config?: ExecutionConfig,
  options?: RunOptions,
): Promise<BacktestResult> {
  const { cfg, n, mask, sim, slot } = prepare(bars, source, config, options);
  if (isColumns(source)) {
    sim.evaluatedBars = runColumns(bars, source, sim, mask);
    return finish(bars, cfg, sim);
  }
  let evaluated = 0;
  for (let j = 0; j < n; j++) {
    if (mask === null || mask[j] !== 0) {
      evaluated++;
      sim.beforeDecision(j, slot);
      const decided = source.onBar(j, bars, sim, slot);
      sim.afterDecision(j, typeof decided === "number" ? decided : await decided, slot);
    }
    sim.mark(j);
  }
  sim.evaluatedBars = evaluated;
  return finish(bars, cfg, sim);
}

/** Options of {@link computeSignals}. */
export interface ComputeSignalsOptions {
  /** Only bars with a non-zero mask value are shown to the strategy (see `venueMask`). */
  readonly mask?: Uint8Array | null;
  /** Also collect sizes (NaN where the strategy gave none). Default false. */
  readonly withSizes?: boolean;
}

/**
 * The decision loop alone: runs a portfolio-independent strategy over the bars and returns its
 * decisions as columns for {@link runBacktest}. The strategy sees a flat, empty portfolio. Throws
 * if the strategy declares `usesPortfolio`.
 *
 * @example
 * ```ts
 * const signals = computeSignals(smaCrossover.create(), bars);
 * runBacktest(bars, signals, config); // same result as passing the strategy itself
 * ```
 */
export function computeSignals(
  strategy: BarStrategy,
  bars: BarColumns,
  options: ComputeSignalsOptions = {},
): SignalColumns {
  if (strategy.usesPortfolio) {
    throw new TypeError(
      `Strategy ${strategy.slug} depends on the portfolio; its decisions cannot be precomputed`,
    );
  }
  strategy.reset?.();
  const n = bars.time.length;
  const actions = new Uint8Array(n);
  const sizes = options.withSizes === true ? new Float64Array(n).fill(Number.NaN) : null;
  const mask = options.mask ?? null;
  const portfolio = flatPortfolio();
  const slot = createDecisionSlot();
  for (let i = 0; i < n; i++) {
    if (mask !== null && mask[i] === 0) continue;
    slot.size = Number.NaN;
    const a = strategy.onBar(i, bars, portfolio, slot);
    actions[i] = a;
    if (sizes !== null) sizes[i] = slot.size;
  }
  return { actions, sizes };
}
