/**
 * Performance metrics of a run. Every value is a finite number or `null`; `null` means "undefined
 * for this run" (never NaN or ±Infinity in the output). Returns are fractions (0.05 = 5 %).
 *
 * @module
 */

import { YEAR_MS } from "./config.ts";

/**
 * Metrics of one run.
 *
 * Definitions (`E_j` the equity curve, one value per bar, `E_{-1}` the initial balance):
 * - `totalReturn`: `E_last / initial - 1` (0 with no bars).
 * - `cagr`: `(E_last / initial)^(1 / years) - 1` with `years = (time_last - time_first + timeframe) /
 *   365.25 days`; -1 when the final equity is <= 0; null with no bars, unknown timeframe or a
 *   non-finite result (very short spans).
 * - Per-bar returns `r_j = E_j / E_{j-1} - 1` for every bar (0 when `E_{j-1} <= 0`).
 * - `volatility`: sample standard deviation of `r` × √periodsPerYear; null with fewer than 2 bars or
 *   no periodsPerYear; 0 for a flat curve.
 * - `sharpe`: mean(r) / std(r) × √periodsPerYear (risk-free rate 0); null when std is 0 (flat curve).
 * - `sortino`: mean(r) / downside deviation × √periodsPerYear, downside deviation
 *   `sqrt(Σ min(r_j, 0)² / N)`; null when there is no negative return.
 * - `maxDrawdown`: largest `(peak - E_j) / peak` with the running peak starting at the initial
 *   balance; 0 when equity never falls below a previous peak. `maxDrawdownPeakIndex` /
 *   `maxDrawdownTroughIndex` locate it (null when 0).
 * - `maxDrawdownDurationBars` / `Ms`: longest time under water, from the bar that set the peak (bar 0
 *   for the initial balance) to the first bar back at or above it, or to the last bar if never
 *   recovered; 0 when never under water.
 * - `calmar`: cagr / maxDrawdown; null when either is null or the drawdown is 0.
 * - Trades (closed trades only, net of fees): `winRate` = winners (pnl > 0) / trades;
 *   `profitFactor` = gross profit / |gross loss|, null when there is no losing trade (0/0 or x/0);
 *   `expectancy` = mean pnl per trade; `averageWin` / `averageLoss` mean pnl of winners / losers
 *   (losers negative); `bestTrade` / `worstTrade` the largest / smallest pnl. All null with no trades
 *   (or no winners / losers for the averages).
 * - `exposure`: fraction of bars with a position open at the bar close (before an end-of-data close);
 *   null with no bars.
 * - `feesPaid`: all fees of all fills, including those of a position still open.
 * - `buyAndHoldReturn`: `close_last / open_first - 1` for the same bars, no fees; null with no bars.
 * - `byDirection`: the trade statistics of all closed trades, of the long ones and of the short ones
 *   ({@link TradeStats}); null when the input has no `tradeSize`. Long + short = all, for counts and sums.
 */
export interface Metrics {
  readonly initialBalance: number;
  readonly finalEquity: number;
  readonly netProfit: number;
  readonly totalReturn: number;
  readonly cagr: number | null;
  readonly volatility: number | null;
  readonly sharpe: number | null;
  readonly sortino: number | null;
  readonly calmar: number | null;
  readonly maxDrawdown: number;
  readonly maxDrawdownPeakIndex: number | null;
  readonly maxDrawdownTroughIndex: number | null;
  readonly maxDrawdownDurationBars: number;
  readonly maxDrawdownDurationMs: number;
  readonly numberOfTrades: number;
  readonly winningTrades: number;
  readonly losingTrades: number;
  readonly winRate: number | null;
  readonly grossProfit: number;
  readonly grossLoss: number;
  readonly profitFactor: number | null;
  readonly expectancy: number | null;
  readonly averageWin: number | null;
  readonly averageLoss: number | null;
  readonly bestTrade: number | null;
  readonly worstTrade: number | null;
  readonly exposure: number | null;
  readonly feesPaid: number;
  readonly buyAndHoldReturn: number | null;
  readonly bars: number;
  readonly periodsPerYear: number | null;
  readonly byDirection: DirectionMetrics | null;
}

/**
 * Statistics of a set of closed trades (net of fees), with the definitions of {@link Metrics}:
 * `netProfit` is the sum of their pnl (closed trades only, unlike `Metrics.netProfit`, which is the
 * equity's change), `expectancy` the average trade.
 */
export interface TradeStats {
  readonly numberOfTrades: number;
  readonly winningTrades: number;
  readonly losingTrades: number;
  readonly winRate: number | null;
  readonly grossProfit: number;
  readonly grossLoss: number;
  readonly netProfit: number;
  readonly profitFactor: number | null;
  readonly expectancy: number | null;
  readonly averageWin: number | null;
  readonly averageLoss: number | null;
  readonly bestTrade: number | null;
  readonly worstTrade: number | null;
}

/** {@link TradeStats} of all closed trades and of each direction (the All / Long / Short split). */
export interface DirectionMetrics {
  readonly all: TradeStats;
  readonly long: TradeStats;
  readonly short: TradeStats;
}

/** Inputs of {@link computeMetrics}. */
export interface MetricsInput {
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly close: Float64Array;
  readonly equity: Float64Array;
  /** Net pnl of each closed trade (e.g. `result.tradeColumns.pnl`). */
  readonly tradePnl: ArrayLike<number>;
  /** Signed size of each closed trade (> 0 long, < 0 short; `result.tradeColumns.size`): enables `byDirection`. */
  readonly tradeSize?: ArrayLike<number>;
  readonly initialBalance: number;
  readonly barsInMarket: number;
  readonly feesPaid: number;
  readonly timeframeMs: number;
  readonly periodsPerYear: number | null;
}

function fin(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/**
 * The per-bar loop of {@link computeMetrics}: sums of the shifted returns, downside sum, drawdown
 * and the longest time under water so far. A function of its own that returns right after the loop:
 * V8 compiles the loop on-stack and reuses that code for later runs, and the code after the loop,
 * which has no type feedback yet when it is compiled, deoptimized most runs when it was the rest of
 * computeMetrics (now only the result object's creation is left, a few runs in forty).
 */
function curvePass(equity: Float64Array, time: Float64Array, initialBalance: number, shift: number) {
  const n = equity.length;
  let sum = 0;
  let sumSq = 0;
  let down = 0;
  let prev = initialBalance;
  let peak = initialBalance;
  let peakIdx = 0;
  let underwater = false;
  let maxDd = 0;
  let ddPeak = -1;
  let ddTrough = -1;
  let longestBars = 0;
  let longestMs = 0;
  for (let j = 0; j < n; j++) {
    const e = equity[j] as number;
    const r = prev > 0 ? e / prev - 1 : 0;
    prev = e;
    const d = r - shift;
    sum += d;
    sumSq += d * d;
    // min(r, 0) without a branch (r's sign is unpredictable and Math.min branches on ties).
    const neg = (r - Math.abs(r)) * 0.5;
    down += neg * neg;
    if (e >= peak) {
      if (underwater) {
        const bars = j - peakIdx;
        if (bars > longestBars) {
          longestBars = bars;
          longestMs = (time[j] as number) - (time[peakIdx] as number);
        }
        underwater = false;
      }
      peak = e;
      peakIdx = j;
    } else {
      underwater = true;
      // dd > maxDd without a division per bar (peak > 0).
      if (peak - e > maxDd * peak) {
        maxDd = (peak - e) / peak;
        ddPeak = peakIdx;
        ddTrough = j;
      }
    }
  }
  return { sum, sumSq, down, maxDd, ddPeak, ddTrough, peakIdx, underwater, longestBars, longestMs };
}

/**
 * Computes {@link Metrics} from an equity curve and closed trades (one pass over the curve).
 *
 * @example
 * ```ts
 * const m = computeMetrics({ time, open, close, equity, tradePnl, initialBalance: 10_000, barsInMarket: 0,
 *   feesPaid: 0, timeframeMs: 60_000, periodsPerYear: 525_960 });
 * m.sharpe; // null for a flat curve
 * ```
 */
export function computeMetrics(input: MetricsInput): Metrics {
  const { time, open, close, equity, tradePnl, initialBalance, periodsPerYear, timeframeMs } = input;
  const n = equity.length;
  const finalEquity = n > 0 ? (equity[n - 1] as number) : initialBalance;

  // One pass: returns (shifted sums for the variance, shift = first return), drawdown.
  const shift = n > 0 && initialBalance > 0 ? (equity[0] as number) / initialBalance - 1 : 0;
  const pass = curvePass(equity, time, initialBalance, shift);
  const { sum, sumSq, down, maxDd, ddPeak, ddTrough, peakIdx, underwater } = pass;
  let { longestBars, longestMs } = pass;
  if (underwater) {
    const bars = n - 1 - peakIdx;
    if (bars > longestBars) {
      longestBars = bars;
      longestMs = (time[n - 1] as number) - (time[peakIdx] as number);
    }
  }
  const mean = n > 0 ? shift + sum / n : 0;
  const variance = n >= 2 ? Math.max(0, (sumSq - (sum * sum) / n) / (n - 1)) : Number.NaN;
  const ann = periodsPerYear === null ? Number.NaN : Math.sqrt(periodsPerYear);
  const std = Math.sqrt(variance);
  const downside = n >= 1 ? Math.sqrt(down / n) : Number.NaN;
  const volatility = fin(std * ann);
  const sharpe = std > 0 ? fin((mean / std) * ann) : null;
  const sortino = downside > 0 ? fin((mean / downside) * ann) : null;

  let cagr: number | null = null;
  if (n > 0 && timeframeMs > 0) {
    const years = ((time[n - 1] as number) - (time[0] as number) + timeframeMs) / YEAR_MS;
    cagr = finalEquity <= 0 ? -1 : fin((finalEquity / initialBalance) ** (1 / years) - 1);
  }
  const calmar = cagr !== null && maxDd > 0 ? fin(cagr / maxDd) : null;

  const trades = tradeStats(tradePnl, 0);
  const { tradeSize } = input;
  const byDirection =
    tradeSize === undefined
      ? null
      : { all: trades, long: tradeStats(tradePnl, 1, tradeSize), short: tradeStats(tradePnl, -1, tradeSize) };

  return {
    initialBalance,
    finalEquity,
    netProfit: finalEquity - initialBalance,
    totalReturn: finalEquity / initialBalance - 1,
    cagr,
    volatility,
    sharpe,
    sortino,
    calmar,
    maxDrawdown: maxDd,
    maxDrawdownPeakIndex: maxDd > 0 ? ddPeak : null,
    maxDrawdownTroughIndex: maxDd > 0 ? ddTrough : null,
    maxDrawdownDurationBars: longestBars,
    maxDrawdownDurationMs: longestMs,
    numberOfTrades: trades.numberOfTrades,
    winningTrades: trades.winningTrades,
    losingTrades: trades.losingTrades,
    winRate: trades.winRate,
    grossProfit: trades.grossProfit,
    grossLoss: trades.grossLoss,
    profitFactor: trades.profitFactor,
    expectancy: trades.expectancy,
    averageWin: trades.averageWin,
    averageLoss: trades.averageLoss,
    bestTrade: trades.bestTrade,
    worstTrade: trades.worstTrade,
    exposure: n > 0 ? input.barsInMarket / n : null,
    feesPaid: input.feesPaid,
    buyAndHoldReturn: n > 0 ? fin((close[n - 1] as number) / (open[0] as number) - 1) : null,
    bars: n,
    periodsPerYear,
    byDirection,
  };
}

/**
 * {@link TradeStats} of the closed trades whose size has the sign `side` (1 long, -1 short), or of
 * every trade (`side` 0, `size` not needed).
 */
export function tradeStats(pnl: ArrayLike<number>, side: -1 | 0 | 1, size?: ArrayLike<number>): TradeStats {
  let nt = 0;
  let wins = 0;
  let losses = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  let net = 0;
  let best = Number.NEGATIVE_INFINITY;
  let worst = Number.POSITIVE_INFINITY;
  for (let k = 0; k < pnl.length; k++) {
    if (side !== 0 && Math.sign((size as ArrayLike<number>)[k] as number) !== side) continue;
    const p = pnl[k] as number;
    nt++;
    net += p;
    if (p > 0) {
      wins++;
      grossProfit += p;
    } else if (p < 0) {
      losses++;
      grossLoss -= p;
    }
    if (p > best) best = p;
    if (p < worst) worst = p;
  }
  return {
    numberOfTrades: nt,
    winningTrades: wins,
    losingTrades: losses,
    winRate: nt > 0 ? wins / nt : null,
    grossProfit,
    grossLoss,
    netProfit: net,
    profitFactor: grossLoss > 0 ? fin(grossProfit / grossLoss) : null,
    expectancy: nt > 0 ? fin(net / nt) : null,
    averageWin: wins > 0 ? grossProfit / wins : null,
    averageLoss: losses > 0 ? -grossLoss / losses : null,
    bestTrade: nt > 0 ? best : null,
    worstTrade: nt > 0 ? worst : null,
  };
}
