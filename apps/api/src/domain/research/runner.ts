/**
 * How a sweep runs its combinations: each one exactly as the native runtime runs a backtest alone
 * (`definition.create(parameters)` then `runBacktest` with the sweep's execution config), with
 * savings that cannot change a result:
 *
 * - **Shared indicators.** The strategy takes its indicators from an `IndicatorMemo` over the bars
 *   (and the engine's venue mask): each distinct indicator (`sma:20`) is computed once and replayed,
 *   bit for bit, to every combination that uses it. A 10 × 10 SMA crossover grid computes 20 moving
 *   averages, not 200. Strategies that build their own indicators simply do not share them.
 * - **One equity buffer and trade log.** Ranking needs the metrics, not the curve or the trades: runs
 *   that keep neither write them into the previous run's memory instead of allocating fresh memory
 *   each (fresh memory page-faults, and in the Worker it brings garbage collections forward: the
 *   trade log's reuse took a 100-run sweep from about 500 to 455 ms, bench/sweep).
 * - **Bars checked once.** The engine's check of the bars (`validateBars`) runs once per set of bars,
 *   not once per combination (it was a sixth of a 100-run sweep's time).
 *
 * Pure (no I/O), so a unit test can hold it against the engine run alone.
 */
import {
  type ExecutionConfig,
  resolveExecutionConfig,
  runBacktest,
  validateBars,
  venueMask,
} from "@quantago/engine";
import { type BarColumns, IndicatorMemo, type StrategyDefinition } from "@quantago/strategies";
import { createBuiltin } from "../strategies/runtimes/index.ts";
import type { RunCombination } from "./evaluate.ts";

export interface SweepRunnerOptions {
  /** The sweep's base parameters, each combination laid over them. */
  base: Record<string, unknown>;
  config: ExecutionConfig;
  /**
   * True when callers never keep a run's `equity` or `tradePnl` past the next run (ranking,
   * choosing): they then live in memory the next run over the same bars overwrites.
   */
  reuseEquity: boolean;
}

/** The memo and buffer of the bars last run over (a batch, or one window's in-sample part). */
interface Shared {
  close: Float64Array;
  memo: IndicatorMemo;
  equity: Float64Array | null;
  /** The last run's trade log memory, for the next run (with `reuseEquity` only). */
  trades: ArrayBuffer | null;
  /** The bars checked once (`validateBars`) for every run over them. */
  validated: { bars: BarColumns; timeframeMs: number };
}

/**
 * A {@link RunCombination} for a built-in strategy that shares indicators (and, with `reuseEquity`,
 * the equity buffer and trade log memory) across calls over the same bars. Results equal
 * `nativeRuntime`'s for the same parameters and config, bit for bit (tested).
 */
export function sweepRunner(definition: StrategyDefinition, options: SweepRunnerOptions): RunCombination {
  let shared: Shared | null = null;
  const sharedFor = (bars: BarColumns): Shared => {
    if (shared?.close !== bars.close) {
      // The engine shows the strategy only the bars its venue mask keeps; so must the memo.
      const cfg = resolveExecutionConfig(options.config, bars.time);
      const mask = venueMask(bars.time, cfg.exchange, cfg.timeframeMs);
      shared = {
        close: bars.close,
        memo: new IndicatorMemo(bars, mask),
        equity: null,
        trades: null,
        validated: { bars, timeframeMs: validateBars(bars) },
      };
    }
    return shared;
  };
  return async (bars, combination) => {
    const here = sharedFor(bars);
    const strategy = createBuiltin(
      definition,
      { ...options.base, ...combination },
      { indicators: here.memo },
    );
    if (options.reuseEquity) here.equity ??= new Float64Array(bars.time.length);
    const result = runBacktest(bars, strategy, options.config, {
      validated: here.validated,
      ...(here.equity
        ? { buffers: { equity: here.equity, ...(here.trades ? { trades: here.trades } : {}) } }
        : {}),
    });
    const trades = result.tradeColumns;
    if (options.reuseEquity) here.trades = trades.pnl.buffer as ArrayBuffer;
    return { metrics: result.metrics, equity: result.equity, tradePnl: trades.pnl.subarray(0, trades.count) };
  };
}
