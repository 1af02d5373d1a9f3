/**
 * Scoring and choosing combinations over bars, and a walk-forward window's in-sample choice and
 * out-of-sample test. Runs go through a `run` callback (the native runtime in the workflow), so this
 * module stays pure and a test can hand it a runner that watches which bars it is given.
 */
import type { SweepMetric } from "@quantago/contracts";
import type { Metrics } from "@quantago/engine";
import type { Combination, WalkForwardWindow } from "@quantago/engine/research";
import { type BarColumns, sliceBars } from "@quantago/strategies";

/** What a sweep keeps of one run. */
export interface RunOutcome {
  metrics: Metrics;
  equity: Float64Array;
  /** Net pnl of each closed trade, in order. */
  tradePnl: ArrayLike<number>;
}

/** Runs one combination over the bars it is given, and only those. */
export type RunCombination = (bars: BarColumns, combination: Combination) => Promise<RunOutcome>;

/** The metric's value for ranking, or null when it is undefined for this run (ranked last). */
export function scoreOf(metrics: Metrics, metric: SweepMetric): number | null {
  const value = metrics[metric];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** True when a lower value of the metric is better. */
export function lowerIsBetter(metric: SweepMetric): boolean {
  return metric === "maxDrawdown";
}

/** True when score `a` beats `b` (null never beats anything; ties keep the earlier one). */
export function beats(a: number | null, b: number | null, metric: SweepMetric): boolean {
  if (a === null) return false;
  if (b === null) return true;
  return lowerIsBetter(metric) ? a < b : a > b;
}

export interface Chosen {
  index: number;
  combination: Combination;
  score: number | null;
  metrics: Metrics;
}

/**
 * Runs every combination over `bars` and returns the best by `metric` (the first on a tie).
 * `onEach` is awaited after each run (progress, cancellation).
 */
export async function chooseBest(
  bars: BarColumns,
  combinations: readonly Combination[],
  run: RunCombination,
  metric: SweepMetric,
  onEach?: () => Promise<void>,
): Promise<Chosen> {
  let best: Chosen | null = null;
  for (const [index, combination] of combinations.entries()) {
    const { metrics } = await run(bars, combination);
    const score = scoreOf(metrics, metric);
    if (best === null || beats(score, best.score, metric)) best = { index, combination, score, metrics };
    await onEach?.();
  }
  if (!best) throw new Error("chooseBest needs at least one combination");
  return best;
}

export interface WindowOutcome {
  chosen: Chosen;
  outOfSample: RunOutcome & { score: number | null };
}

/**
 * One walk-forward window: the sweep sees only the in-sample bars and picks the best combination,
 * which is then run on the out-of-sample bars alone (its indicators warm up inside that part, so no
 * in-sample bar leaks into the test either).
 */
export async function runWindow(
  bars: BarColumns,
  window: WalkForwardWindow,
  combinations: readonly Combination[],
  run: RunCombination,
  metric: SweepMetric,
  onEach?: () => Promise<void>,
): Promise<WindowOutcome> {
  const inSample = sliceBars(bars, window.inSample.start, window.inSample.end);
  const chosen = await chooseBest(inSample, combinations, run, metric, onEach);
  const oos = await run(
    sliceBars(bars, window.outOfSample.start, window.outOfSample.end),
    chosen.combination,
  );
  return { chosen, outOfSample: { ...oos, score: scoreOf(oos.metrics, metric) } };
}
