/**
 * Monte Carlo robustness of a trade sequence: replay the closed trades' profits in another order
 * (`shuffle`: a permutation, so the final equity never changes and only the path does) or drawn with
 * replacement (`bootstrap`: same count, so the final equity varies too), from the same initial
 * balance, with a seeded generator. Pure and reproducible: same input and seed, same result.
 *
 * @module
 */

import { SplitMix64 } from "../fixtures/smax.ts";
import { type Distribution, distribution, percentileSorted, type REPORTED_PERCENTILES } from "./stats.ts";

export type ResampleMethod = "shuffle" | "bootstrap";

export interface MonteCarloOptions {
  readonly method: ResampleMethod;
  readonly runs: number;
  readonly seed: number;
  readonly initialBalance: number;
  /** A path is ruined when its equity ever falls to or below this. */
  readonly ruinEquity: number;
  /** Points of the fan chart along the trade axis (default 50, at most the trade count + 1). */
  readonly fanPoints?: number;
}

/** One simulated path's summary. */
export interface PathSummary {
  readonly finalEquity: number;
  /** Largest fall from a running peak, as a fraction of the peak (0.2 = 20 %). */
  readonly maxDrawdown: number;
  /** Most consecutive trades spent below a previous peak. */
  readonly longestDrawdownTrades: number;
  readonly ruined: boolean;
}

export interface MonteCarloResult {
  readonly runs: number;
  readonly trades: number;
  readonly finalEquity: Distribution;
  readonly maxDrawdown: Distribution;
  readonly longestDrawdownTrades: Distribution;
  /** Share of paths whose equity fell to or below `ruinEquity`. */
  readonly probabilityOfRuin: number;
  /** Equity percentiles after `tradeIndex` trades (0 = the initial balance), for a fan chart. */
  readonly fan: ReadonlyArray<
    { tradeIndex: number } & Record<`p${(typeof REPORTED_PERCENTILES)[number]}`, number>
  >;
  /** Every path's final equity, max drawdown and longest drawdown, for histograms. */
  readonly samples: {
    readonly finalEquity: number[];
    readonly maxDrawdown: number[];
    readonly longestDrawdownTrades: number[];
  };
}

/** Walks one path of profits from `initial`: its summary, and its equity at each fan index. */
export function summarisePath(
  profits: ArrayLike<number>,
  initial: number,
  ruinEquity: number,
  fanIndices: readonly number[] = [],
  fanOut?: Float64Array,
): PathSummary {
  let equity = initial;
  let peak = initial;
  let maxDrawdown = 0;
  let under = 0;
  let longest = 0;
  let ruined = equity <= ruinEquity;
  let f = 0;
  if (fanOut && fanIndices[0] === 0) fanOut[f++] = equity;
  for (let i = 0; i < profits.length; i++) {
    equity += profits[i] as number;
    if (equity <= ruinEquity) ruined = true;
    if (equity >= peak) {
      peak = equity;
      under = 0;
    } else {
      under += 1;
      if (under > longest) longest = under;
      const dd = peak > 0 ? (peak - equity) / peak : 0;
      if (dd > maxDrawdown) maxDrawdown = dd;
    }
    if (fanOut && fanIndices[f] === i + 1) fanOut[f++] = equity;
  }
  return { finalEquity: equity, maxDrawdown, longestDrawdownTrades: longest, ruined };
}

/** Evenly spaced trade indices from 0 to `trades`, at most `points` of them. */
function fanIndicesFor(trades: number, points: number): number[] {
  const n = Math.max(2, Math.min(points, trades + 1));
  const out = new Set<number>();
  for (let k = 0; k < n; k++) out.add(Math.round((k * trades) / (n - 1)));
  return [...out].sort((a, b) => a - b);
}

/** Runs the simulation; throws RangeError for runs < 1 or a non-finite balance. */
export function monteCarlo(profits: ArrayLike<number>, options: MonteCarloOptions): MonteCarloResult {
  const { runs, method, initialBalance, ruinEquity } = options;
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`runs must be an integer >= 1, got ${runs}`);
  if (!Number.isFinite(initialBalance)) throw new RangeError("initialBalance must be finite");
  const n = profits.length;
  const rng = new SplitMix64(options.seed);
  const fanIndices = fanIndicesFor(n, options.fanPoints ?? 50);
  const fanColumns = fanIndices.map(() => new Float64Array(runs));
  const fanRow = new Float64Array(fanIndices.length);
  const path = Float64Array.from(profits as ArrayLike<number>);
  const finals: number[] = [];
  const drawdowns: number[] = [];
  const longest: number[] = [];
  let ruined = 0;
  for (let r = 0; r < runs; r++) {
    if (method === "shuffle") {
      // Fisher-Yates over the previous permutation: each run is a fresh uniform permutation.
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(rng.next() * (i + 1));
        const t = path[i] as number;
        path[i] = path[j] as number;
        path[j] = t;
      }
    } else {
      for (let i = 0; i < n; i++) path[i] = profits[Math.floor(rng.next() * n)] as number;
    }
    const s = summarisePath(path, initialBalance, ruinEquity, fanIndices, fanRow);
    finals.push(s.finalEquity);
    drawdowns.push(s.maxDrawdown);
    longest.push(s.longestDrawdownTrades);
    if (s.ruined) ruined += 1;
    for (let k = 0; k < fanIndices.length; k++) (fanColumns[k] as Float64Array)[r] = fanRow[k] as number;
  }
  const fan = fanIndices.map((tradeIndex, k) => {
    const sorted = (fanColumns[k] as Float64Array).sort();
    return {
      tradeIndex,
      p5: percentileSorted(sorted, 5),
      p25: percentileSorted(sorted, 25),
      p50: percentileSorted(sorted, 50),
      p75: percentileSorted(sorted, 75),
      p95: percentileSorted(sorted, 95),
    };
  });
  return {
    runs,
    trades: n,
    finalEquity: distribution(finals),
    maxDrawdown: distribution(drawdowns),
    longestDrawdownTrades: distribution(longest),
    probabilityOfRuin: ruined / runs,
    fan,
    samples: { finalEquity: finals, maxDrawdown: drawdowns, longestDrawdownTrades: longest },
  };
}
