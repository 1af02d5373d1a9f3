import { describe, expect, it } from "vitest";
import { runBacktest } from "./backtest.ts";
import { YEAR_MS } from "./config.ts";
import { computeMetrics, type MetricsInput } from "./metrics.ts";
import { barsOf, DAY, flatBars, signals } from "./test-helpers.ts";

function input(equity: number[], over: Partial<MetricsInput> = {}): MetricsInput {
  const n = equity.length;
  return {
    time: Float64Array.from({ length: n }, (_, i) => i * DAY),
    open: new Float64Array(n).fill(10),
    close: new Float64Array(n).fill(10),
    equity: Float64Array.from(equity),
    tradePnl: [],
    initialBalance: 100,
    barsInMarket: 0,
    feesPaid: 0,
    timeframeMs: DAY,
    periodsPerYear: 365,
    ...over,
  };
}

describe("metrics edge cases", () => {
  it("no bars: only definable values, no NaN", () => {
    const m = computeMetrics(input([]));
    expect(m).toMatchObject({
      finalEquity: 100,
      totalReturn: 0,
      cagr: null,
      volatility: null,
      sharpe: null,
      sortino: null,
      calmar: null,
      maxDrawdown: 0,
      numberOfTrades: 0,
      winRate: null,
      profitFactor: null,
      expectancy: null,
      exposure: null,
      buyAndHoldReturn: null,
    });
  });

  it("no trades and a flat curve", () => {
    const m = computeMetrics(input([100, 100, 100, 100]));
    expect(m).toMatchObject({
      totalReturn: 0,
      cagr: 0,
      volatility: 0,
      sharpe: null,
      sortino: null,
      calmar: null,
      maxDrawdown: 0,
      maxDrawdownPeakIndex: null,
      maxDrawdownDurationBars: 0,
      maxDrawdownDurationMs: 0,
      numberOfTrades: 0,
      winRate: null,
      profitFactor: null,
      expectancy: null,
      averageWin: null,
      averageLoss: null,
      bestTrade: null,
      worstTrade: null,
      exposure: 0,
      buyAndHoldReturn: 0,
    });
  });

  it("no losing trades: profit factor and average loss are null", () => {
    const m = computeMetrics(input([100, 103], { tradePnl: [1, 2] }));
    expect(m).toMatchObject({
      winRate: 1,
      profitFactor: null,
      expectancy: 1.5,
      averageWin: 1.5,
      averageLoss: null,
      bestTrade: 2,
      worstTrade: 1,
      grossProfit: 3,
      grossLoss: 0,
    });
    // A rising curve has no downside: Sortino is null, Sharpe defined... but with one return std is undefined.
    expect(m.sortino).toBeNull();
  });

  it("trade statistics", () => {
    const m = computeMetrics(input([100, 101], { tradePnl: [3, -1, 0, -2] }));
    expect(m).toMatchObject({
      numberOfTrades: 4,
      winningTrades: 1,
      losingTrades: 2,
      winRate: 0.25,
      grossProfit: 3,
      grossLoss: 3,
      profitFactor: 1,
      expectancy: 0,
      averageWin: 3,
      averageLoss: -1.5,
      bestTrade: 3,
      worstTrade: -2,
    });
  });

  it("max drawdown depth, location and longest duration", () => {
    const m = computeMetrics(input([100, 110, 99, 105, 111, 90]));
    expect(m.maxDrawdown).toBeCloseTo(21 / 111, 15);
    expect(m.maxDrawdownPeakIndex).toBe(4);
    expect(m.maxDrawdownTroughIndex).toBe(5);
    // Under water from bar 1 (peak 110) to bar 4 (recovered): 3 bars, 3 days.
    expect(m.maxDrawdownDurationBars).toBe(3);
    expect(m.maxDrawdownDurationMs).toBe(3 * DAY);
    // The initial balance counts as the first peak; an unrecovered drawdown runs to the last bar.
    const down = computeMetrics(input([95, 97, 96]));
    expect(down.maxDrawdown).toBeCloseTo(0.05, 15);
    expect(down.maxDrawdownPeakIndex).toBe(0);
    expect(down.maxDrawdownDurationBars).toBe(2);
    expect(down.calmar).not.toBeNull();
  });

  it("returns, volatility, Sharpe, Sortino, CAGR and Calmar by their formulas", () => {
    const eq = [101, 99, 102, 104];
    const r = [0.01, 99 / 101 - 1, 102 / 99 - 1, 104 / 102 - 1];
    const mean = r.reduce((a, b) => a + b) / 4;
    const sd = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / 3);
    const dd = Math.sqrt((99 / 101 - 1) ** 2 / 4);
    const m = computeMetrics(input(eq, { periodsPerYear: 252 }));
    expect(m.volatility).toBeCloseTo(sd * Math.sqrt(252), 12);
    expect(m.sharpe).toBeCloseTo((mean / sd) * Math.sqrt(252), 10);
    expect(m.sortino).toBeCloseTo((mean / dd) * Math.sqrt(252), 10);
    const years = (4 * DAY) / YEAR_MS;
    expect(m.cagr).toBeCloseTo(1.04 ** (1 / years) - 1, 8);
    expect(m.calmar).toBeCloseTo((m.cagr as number) / (2 / 101), 8);
    expect(m.totalReturn).toBeCloseTo(0.04, 14);
  });

  it("CAGR over exactly one year, total loss, and unknown timeframe", () => {
    const n = 365;
    const eq = Array.from({ length: n }, (_, i) => 100 + (i === n - 1 ? 10 : 0));
    const oneYear = computeMetrics(
      input(eq, {
        timeframeMs: YEAR_MS / n,
        time: Float64Array.from({ length: n }, (_, i) => (i * YEAR_MS) / n),
      }),
    );
    expect(oneYear.cagr).toBeCloseTo(0.1, 12);
    expect(computeMetrics(input([50, -1])).cagr).toBe(-1);
    expect(computeMetrics(input([100, 110], { timeframeMs: 0, periodsPerYear: null }))).toMatchObject({
      cagr: null,
      volatility: null,
      sharpe: null,
      sortino: null,
    });
  });

  it("buy-and-hold and exposure come from a real run", () => {
    const bars = barsOf([
      [10, 11, 10, 11],
      [12, 13, 12, 13],
      [14, 15, 14, 15],
      [16, 17, 16, 17],
    ]);
    const r = runBacktest(bars, signals(4, { 0: 1, 2: 2 }), {
      sizing: "fixed_units",
      direction: "long_only",
    });
    expect(r.metrics.buyAndHoldReturn).toBeCloseTo(17 / 10 - 1, 15);
    expect(r.metrics.exposure).toBe(0.5);
    expect(r.metrics.numberOfTrades).toBe(1);
    expect(r.metrics.netProfit).toBe(4);
    const flat = runBacktest(flatBars([5, 5, 5]), signals(3, {}), {});
    expect(flat.metrics.exposure).toBe(0);
    expect(flat.metrics.sharpe).toBeNull();
    expect(flat.metrics.maxDrawdown).toBe(0);
  });
});

describe("metrics by direction", () => {
  it("splits closed trades into long and short that add up to all", () => {
    const m = computeMetrics(
      input([100, 101], { tradePnl: [5, -2, 3, -4, 0], tradeSize: [1, 1, -2, -0.5, 3] }),
    );
    const split = m.byDirection;
    expect(split?.all.numberOfTrades).toBe(5);
    expect(split?.long).toMatchObject({
      numberOfTrades: 3,
      winningTrades: 1,
      losingTrades: 1,
      netProfit: 3,
      grossProfit: 5,
      grossLoss: 2,
      profitFactor: 2.5,
      expectancy: 1,
      bestTrade: 5,
      worstTrade: -2,
    });
    expect(split?.short).toMatchObject({ numberOfTrades: 2, netProfit: -1, averageWin: 3, averageLoss: -4 });
    expect(split?.all).toMatchObject({ netProfit: 2, winRate: 0.4, profitFactor: 8 / 6 });
    expect(m.profitFactor).toBe(split?.all.profitFactor);
  });

  it("a side without trades has zero counts and null ratios; no sizes, no split", () => {
    const m = computeMetrics(input([100], { tradePnl: [1], tradeSize: [2] }));
    expect(m.byDirection?.short).toMatchObject({ numberOfTrades: 0, winRate: null, expectancy: null });
    expect(computeMetrics(input([100], { tradePnl: [1] })).byDirection).toBeNull();
  });
});
