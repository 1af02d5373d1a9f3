import type { ActionCode, BarStrategy } from "@quantago/strategies";
import { adaptCandleStrategy, BUY, SELL } from "@quantago/strategies";
import { describe, expect, it } from "vitest";
import { runBacktest } from "./backtest.ts";
import { EngineConfigError, type ExecutionConfig } from "./config.ts";
import { DecisionError } from "./simulation.ts";
import { barsOf, DAY, flatBars, HOUR, signals, T0 } from "./test-helpers.ts";

// Five bars with distinct prices: open 10, 12, 14, 16, 18; close = open + 1; high = close; low = open.
const STAIRS = barsOf([
  [10, 11, 10, 11],
  [12, 13, 12, 13],
  [14, 15, 14, 15],
  [16, 17, 16, 17],
  [18, 19, 18, 19],
]);

/** Long-only round trips unless a test asks otherwise (the engine's default is long_short). */
const BASE: ExecutionConfig = {
  initialBalance: 1000,
  sizing: "fixed_units",
  units: 1,
  direction: "long_only",
};

function run(
  config: ExecutionConfig,
  at: Record<number, ActionCode>,
  bars = STAIRS,
  sizes?: Record<number, number>,
) {
  return runBacktest(
    bars,
    signals(bars.time.length, at, sizes),
    { ...BASE, ...config },
    { recordPosition: true },
  );
}

/** The recorded position column as a plain array. */
function positions(r: { position: Float64Array | null }): number[] {
  expect(r.position).not.toBeNull();
  return Array.from(r.position ?? []);
}

describe("fills", () => {
  it("next_open fills at the next bar's open", () => {
    const r = run({ fill: "next_open" }, { 0: BUY, 2: SELL });
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0]).toMatchObject({
      side: "long",
      size: 1,
      entryIndex: 1,
      entrySignalIndex: 0,
      entryTime: T0 + 60_000,
      entryPrice: 12,
      exitIndex: 3,
      exitSignalIndex: 2,
      exitPrice: 16,
      pnl: 4,
      grossPnl: 4,
      fees: 0,
      barsHeld: 2,
      reason: "signal",
    });
    expect(Array.from(r.equity)).toEqual([1000, 1001, 1003, 1004, 1004]);
    expect(positions(r)).toEqual([0, 1, 1, 0, 0]);
  });

  it("signal_close fills at the signal bar's close", () => {
    const r = run({ fill: "signal_close" }, { 0: BUY, 2: SELL });
    expect(r.trades[0]).toMatchObject({
      entryIndex: 0,
      entrySignalIndex: 0,
      entryPrice: 11,
      exitIndex: 2,
      exitPrice: 15,
    });
    expect(Array.from(r.equity)).toEqual([1000, 1002, 1004, 1004, 1004]);
  });

  it("never fills a next_open order decided on the last bar", () => {
    const r = run({ fill: "next_open" }, { 4: BUY });
    expect(r.trades).toHaveLength(0);
    expect(r.openPosition).toBeNull();
    expect(r.metrics.finalEquity).toBe(1000);
    // signal_close fills it, and end-of-data closes it at the same close.
    const c = run({ fill: "signal_close" }, { 4: BUY });
    expect(c.trades).toMatchObject([{ entryIndex: 4, exitIndex: 4, reason: "end_of_data", pnl: 0 }]);
  });

  it("ignores a BUY while long and a SELL while flat in long_only", () => {
    const r = run({ direction: "long_only" }, { 0: BUY, 1: BUY, 2: SELL, 3: SELL });
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0]).toMatchObject({ entryIndex: 1, exitIndex: 3 });
  });
});

describe("fees and slippage", () => {
  it("charges feePct of notional plus feeFixed on every fill", () => {
    const r = run({ feePct: 0.1, feeFixed: 1 }, { 0: BUY, 2: SELL });
    const t = r.trades[0];
    expect(t?.entryFee).toBeCloseTo(1.012, 12);
    expect(t?.exitFee).toBeCloseTo(1.016, 12);
    expect(t?.fees).toBeCloseTo(2.028, 12);
    expect(t?.grossPnl).toBe(4);
    expect(t?.pnl).toBeCloseTo(1.972, 12);
    expect(r.equity[1]).toBeCloseTo(1000 - 12 - 1.012 + 13, 12);
    expect(r.metrics.feesPaid).toBeCloseTo(2.028, 12);
    expect(r.metrics.finalEquity).toBeCloseTo(1001.972, 10);
  });

  it("applies slippage against the trader on every fill", () => {
    const long = run({ slippageBps: 100 }, { 0: BUY, 2: SELL });
    expect(long.trades[0]?.entryPrice).toBeCloseTo(12.12, 12);
    expect(long.trades[0]?.exitPrice).toBeCloseTo(15.84, 12);
    expect(long.trades[0]?.pnl).toBeCloseTo(3.72, 12);
    const short = run({ slippageBps: 100, direction: "long_short" }, { 0: SELL, 2: BUY });
    expect(short.trades[0]).toMatchObject({ side: "short" });
    expect(short.trades[0]?.entryPrice).toBeCloseTo(11.88, 12);
    expect(short.trades[0]?.exitPrice).toBeCloseTo(16.16, 12);
    expect(short.trades[0]?.pnl).toBeCloseTo(-4.28, 12);
  });
});

describe("take-profit and stop-loss", () => {
  // Entry at bar 1's open (100), then one test bar.
  const withBar = (bar: readonly [number, number, number, number]) =>
    barsOf([[100, 100, 100, 100], [100, 100.5, 99.5, 100], bar, [100, 100, 100, 100]]);

  it("exits at the take-profit level", () => {
    const r = run({ takeProfitPct: 5 }, { 0: BUY }, withBar([101, 106, 100.5, 104]));
    expect(r.trades[0]).toMatchObject({
      exitIndex: 2,
      exitPrice: 105,
      reason: "take_profit",
      exitSignalIndex: -1,
    });
  });

  it("exits at the stop-loss level", () => {
    const r = run({ stopLossPct: 2 }, { 0: BUY }, withBar([100, 100.5, 97, 99]));
    expect(r.trades[0]).toMatchObject({ exitIndex: 2, exitPrice: 98, reason: "stop_loss" });
  });

  it("assumes the stop-loss was hit first when one bar touches both", () => {
    const r = run({ takeProfitPct: 5, stopLossPct: 2 }, { 0: BUY }, withBar([100, 106, 97, 101]));
    expect(r.trades[0]).toMatchObject({ exitIndex: 2, exitPrice: 98, reason: "stop_loss" });
  });

  it("fills at the open when the bar gaps through a level", () => {
    const down = run({ takeProfitPct: 5, stopLossPct: 2 }, { 0: BUY }, withBar([95, 96, 94, 95.5]));
    expect(down.trades[0]).toMatchObject({ exitIndex: 2, exitPrice: 95, reason: "stop_loss" });
    const up = run({ takeProfitPct: 5, stopLossPct: 2 }, { 0: BUY }, withBar([110, 111, 97, 109]));
    expect(up.trades[0]).toMatchObject({ exitIndex: 2, exitPrice: 110, reason: "take_profit" });
  });

  it("mirrors the levels for a short", () => {
    const cfg: ExecutionConfig = { direction: "long_short", takeProfitPct: 5, stopLossPct: 2 };
    expect(run(cfg, { 0: SELL }, withBar([100, 103, 99, 101])).trades[0]).toMatchObject({
      side: "short",
      exitPrice: 102,
      reason: "stop_loss",
    });
    expect(run(cfg, { 0: SELL }, withBar([100, 100.5, 94, 96])).trades[0]).toMatchObject({
      exitPrice: 95,
      reason: "take_profit",
    });
    expect(run(cfg, { 0: SELL }, withBar([104, 105, 103, 104])).trades[0]).toMatchObject({
      exitPrice: 104,
      reason: "stop_loss",
    });
  });

  it("applies slippage to TP/SL fills", () => {
    const r = run({ stopLossPct: 2, slippageBps: 10 }, { 0: BUY }, withBar([100, 100.5, 90, 99]));
    const entry = 100 * 1.001;
    expect(r.trades[0]?.entryPrice).toBeCloseTo(entry, 12);
    expect(r.trades[0]?.exitPrice).toBeCloseTo(entry * 0.98 * 0.999, 12);
  });

  it("checks the entry bar's range for next_open entries but not for signal_close entries", () => {
    const bars = barsOf([
      [100, 100, 100, 100],
      [100, 100.5, 97, 100],
      [100, 100.5, 99.5, 100],
    ]);
    const nextOpen = run({ stopLossPct: 2 }, { 0: BUY }, bars);
    expect(nextOpen.trades[0]).toMatchObject({
      entryIndex: 1,
      exitIndex: 1,
      exitPrice: 98,
      reason: "stop_loss",
    });
    const atClose = run({ stopLossPct: 2, fill: "signal_close" }, { 1: BUY }, bars);
    expect(atClose.trades[0]).toMatchObject({ entryIndex: 1, exitIndex: 2, reason: "end_of_data" });
  });
});

describe("shorting and reversal", () => {
  it("long_short: SELL opens a short, BUY while short closes it and opens a long at the same fill", () => {
    const r = run({ direction: "long_short", feePct: 1 }, { 0: SELL, 1: SELL, 2: BUY, 3: BUY });
    expect(r.trades).toHaveLength(2);
    const [short, long] = r.trades;
    expect(short).toMatchObject({
      side: "short",
      entryIndex: 1,
      entryPrice: 12,
      exitIndex: 3,
      exitPrice: 16,
      reason: "signal",
    });
    expect(short?.pnl).toBeCloseTo(-4 - 0.12 - 0.16, 12);
    expect(long).toMatchObject({
      side: "long",
      entryIndex: 3,
      entryPrice: 16,
      entrySignalIndex: 2,
      exitIndex: 4,
    });
    expect(long).toMatchObject({ exitPrice: 19, reason: "end_of_data" });
    expect(long?.pnl).toBeCloseTo(3 - 0.16 - 0.19, 12);
    expect(positions(r)).toEqual([0, -1, -1, 1, 0]);
    expect(r.metrics.finalEquity).toBeCloseTo(1000 - 4.28 + 2.65, 10);
    expect(r.metrics.feesPaid).toBeCloseTo(0.12 + 0.16 + 0.16 + 0.19, 12);
  });

  it("long_short: SELL while long reverses into a short", () => {
    const r = run({ direction: "long_short" }, { 0: BUY, 2: SELL });
    expect(r.trades.map((t) => [t.side, t.entryIndex, t.exitIndex])).toEqual([
      ["long", 1, 3],
      ["short", 3, 4],
    ]);
  });

  it("opens a short on a SELL from flat by default (long_short), as published", () => {
    const r = runBacktest(STAIRS, signals(STAIRS.time.length, { 0: SELL, 2: BUY }), {
      initialBalance: 1000,
      sizing: "fixed_units",
      units: 1,
    });
    expect(r.trades[0]).toMatchObject({
      side: "short",
      size: 1,
      entryIndex: 1,
      exitIndex: 3,
      reason: "signal",
    });
  });

  it("long_only never opens a short", () => {
    const r = run({ direction: "long_only" }, { 0: SELL, 2: BUY });
    expect(r.trades).toMatchObject([{ side: "long", entryIndex: 3, exitIndex: 4, reason: "end_of_data" }]);
    expect(positions(r)).toEqual([0, 0, 0, 1, 0]);
  });
});

describe("sizing", () => {
  it("fixed_units buys the configured units", () => {
    const r = run({ sizing: "fixed_units", units: 2.5 }, { 0: BUY, 2: SELL });
    expect(r.trades[0]).toMatchObject({ size: 2.5, pnl: 10 });
  });

  it("fraction_of_equity spends the fraction including fees", () => {
    const r = run({ sizing: "fraction_of_equity", fraction: 0.5, feePct: 1, feeFixed: 2 }, { 0: BUY });
    const units = (500 - 2) / (12 * 1.01);
    expect(r.trades[0]?.size).toBeCloseTo(units, 12);
    // Cash after the entry is exactly half the equity.
    expect((r.equity[1] as number) - units * 13).toBeCloseTo(500, 9);
  });

  it("risk_per_trade without a stop-loss risks the whole notional", () => {
    const r = run({ sizing: "risk_per_trade", riskPct: 2 }, { 0: BUY });
    expect(r.trades[0]?.size).toBeCloseTo(20 / 12, 12);
  });

  it("risk_per_trade with a stop-loss sizes so the stop loses riskPct of equity", () => {
    const r = run({ sizing: "risk_per_trade", riskPct: 2, stopLossPct: 5 }, { 0: BUY });
    expect(r.trades[0]?.size).toBeCloseTo(20 / (12 * 0.05), 9);
    // Hitting the stop exactly loses 2 % of the balance.
    const bars = barsOf([
      [100, 100, 100, 100],
      [100, 100, 100, 100],
      [100, 100, 90, 95],
    ]);
    const hit = run({ sizing: "risk_per_trade", riskPct: 2, stopLossPct: 5 }, { 0: BUY }, bars);
    expect(hit.trades[0]?.reason).toBe("stop_loss");
    expect(hit.trades[0]?.pnl).toBeCloseTo(-20, 9);
  });

  it("defaults to risk_per_trade with 2 %", () => {
    const r = runBacktest(STAIRS, signals(5, { 0: BUY }), { initialBalance: 1000 });
    expect(r.config.sizing).toBe("risk_per_trade");
    expect(r.config.riskPct).toBe(2);
    expect(r.trades[0]?.size).toBeCloseTo(20 / 12, 12);
  });

  it("a strategy-given size overrides the sizing rule; size 0 means no entry", () => {
    const r = run({ sizing: "fixed_units", units: 1 }, { 0: BUY, 2: SELL }, STAIRS, { 0: 3 });
    expect(r.trades[0]?.size).toBe(3);
    const none = run({}, { 0: BUY }, STAIRS, { 0: 0 });
    expect(none.trades).toHaveLength(0);
    const sized: BarStrategy = {
      slug: "sized",
      minCandles: 1,
      lookbackCandles: 1,
      usesPortfolio: true,
      onBar(i, _bars, portfolio, out) {
        if (i === 0) {
          out.size = 4;
          return BUY;
        }
        return portfolio.position > 0 && i === 2 ? SELL : 0;
      },
    };
    expect(runBacktest(STAIRS, sized, BASE).trades[0]).toMatchObject({ size: 4, exitIndex: 3 });
  });
});

describe("max trade time", () => {
  it("closes at the open of the first bar at least maxTradeHours after the entry", () => {
    const bars = barsOf(
      [
        [10, 11, 10, 11],
        [12, 13, 12, 13],
        [14, 15, 14, 15],
        [16, 17, 16, 17],
        [18, 19, 18, 19],
      ],
      HOUR,
    );
    for (const hours of [2, 1.5]) {
      const r = run({ maxTradeHours: hours }, { 0: BUY }, bars);
      expect(r.trades[0]).toMatchObject({ entryIndex: 1, exitIndex: 3, exitPrice: 16, reason: "max_time" });
    }
  });
});

describe("entry frequency", () => {
  const bars = flatBars(new Array<number>(30).fill(10), HOUR);
  const at = { 0: BUY, 1: SELL, 3: BUY, 5: SELL, 25: BUY, 27: SELL } as const;

  it("daily: skips entries less than one day after the previous entry", () => {
    const r = run({ entryFrequency: "daily" }, at, bars);
    expect(r.trades.map((t) => [t.entryIndex, t.exitIndex])).toEqual([
      [1, 2],
      [26, 28],
    ]);
    expect(r.blockedEntries).toBe(1);
    expect(r.config.entrySpacingMs).toBe(DAY);
  });

  it("scalping: no spacing", () => {
    const r = run({ entryFrequency: "scalping" }, at, bars);
    expect(r.trades).toHaveLength(3);
    expect(r.blockedEntries).toBe(0);
  });

  it("the closing leg of a reversal still happens when the new entry is blocked", () => {
    const r = run({ entryFrequency: "weekly", direction: "long_short" }, { 0: BUY, 2: SELL }, bars);
    expect(r.trades.map((t) => [t.side, t.entryIndex, t.exitIndex])).toEqual([["long", 1, 3]]);
    expect(r.blockedEntries).toBe(1);
    expect(positions(r)[3]).toBe(0);
  });
});

describe("venue hours", () => {
  // Hourly bars from Friday 2024-03-29 00:00 UTC to Tuesday 2024-04-02 23:00 UTC. London moves to
  // BST (UTC+1) on Sunday 2024-03-31 at 01:00 UTC.
  const start = Date.UTC(2024, 2, 29);
  const n = 5 * 24;
  const bars = flatBars(
    Array.from({ length: n }, (_, i) => 100 + i),
    HOUR,
    start,
  );
  const seen: number[] = [];
  const recorder = adaptCandleStrategy((input) => {
    seen.push(input.context.index);
    return input.context.index === 15 ? { action: "BUY" } : {};
  });

  it("evaluates only in-session bars across a DST change and fills at the next session's open", () => {
    seen.length = 0;
    const r = runBacktest(bars, recorder, { ...BASE, exchange: "london", endOfData: "mark" });
    const hoursUtc = (day: number, from: number, to: number) =>
      Array.from({ length: to - from }, (_, k) => day * 24 + from + k);
    // Friday (GMT): 08–16 UTC; Monday and Tuesday (BST): 07–15 UTC; weekend skipped.
    expect(seen).toEqual([...hoursUtc(0, 8, 16), ...hoursUtc(3, 7, 15), ...hoursUtc(4, 7, 15)]);
    expect(r.evaluatedBars).toBe(24);
    expect(r.config.timeframeMs).toBe(HOUR);
    // BUY at Friday 15:00 UTC (the session's last bar) fills at Monday 07:00 UTC (08:00 BST).
    expect(r.openPosition).toMatchObject({
      entryIndex: 3 * 24 + 7,
      entrySignalIndex: 15,
      entryPrice: 100 + 79,
    });
    // Skipped bars are still marked to market.
    expect(r.equity[n - 1]).toBe(1000 - 179 + (100 + n - 1));
  });

  it("new york sessions shift by one hour in UTC across the US DST change", () => {
    // 2024-03-10 is the second Sunday of March.
    const nyStart = Date.UTC(2024, 2, 8);
    const ny = flatBars(new Array<number>(5 * 24).fill(100), HOUR, nyStart);
    const r = runBacktest(ny, signals(ny.time.length, {}), { ...BASE, exchange: "nyse" });
    // Friday 8th: 09–16 EST = 14–21 UTC (7 bars); Monday 11th and Tuesday 12th: 09–16 EDT = 13–20 UTC.
    expect(r.evaluatedBars).toBe(21);
  });

  it("never filters daily bars, and crypto trades 24/7", () => {
    const daily = flatBars(new Array<number>(14).fill(100), DAY, Date.UTC(2024, 0, 6));
    expect(runBacktest(daily, signals(14, {}), { ...BASE, exchange: "nyse" }).evaluatedBars).toBe(14);
    expect(runBacktest(bars, signals(n, {}), { ...BASE, exchange: "crypto" }).evaluatedBars).toBe(n);
  });
});

describe("end of data", () => {
  it("close: closes the open position at the last close", () => {
    const r = run({ endOfData: "close", feePct: 1 }, { 1: BUY });
    expect(r.trades[0]).toMatchObject({
      entryIndex: 2,
      exitIndex: 4,
      exitPrice: 19,
      reason: "end_of_data",
      exitSignalIndex: -1,
    });
    expect(r.openPosition).toBeNull();
    expect(positions(r)[4]).toBe(0);
    expect(r.equity[4]).toBeCloseTo(r.finalCash, 12);
    expect(r.metrics.finalEquity).toBeCloseTo(1000 + 5 - 0.14 - 0.19, 10);
  });

  it("mark: leaves it open, valued at the last close", () => {
    const r = run({ endOfData: "mark", feePct: 1 }, { 1: BUY });
    expect(r.trades).toHaveLength(0);
    expect(r.openPosition).toMatchObject({
      side: "long",
      size: 1,
      entryIndex: 2,
      entryPrice: 14,
      markPrice: 19,
      unrealizedPnl: 5,
    });
    expect(positions(r)[4]).toBe(1);
    expect(r.metrics.finalEquity).toBeCloseTo(1000 + 5 - 0.14, 10);
    expect(r.metrics.numberOfTrades).toBe(0);
    expect(r.metrics.feesPaid).toBeCloseTo(0.14, 12);
  });
});

describe("input validation", () => {
  it("rejects invalid decisions with a clear error", () => {
    const bad = { actions: Uint8Array.of(0, 3, 0, 0, 0) };
    expect(() => runBacktest(STAIRS, bad, BASE)).toThrow(DecisionError);
    expect(() => runBacktest(STAIRS, bad, BASE)).toThrow(/bar 1: action code must be 0/);
    expect(() => run({}, { 0: BUY }, STAIRS, { 0: -1 })).toThrow(/size must be a finite number >= 0/);
    expect(() => runBacktest(STAIRS, { actions: new Uint8Array(4) }, BASE)).toThrow(
      /actions has 4 values for 5 bars/,
    );
  });

  it("rejects invalid bars and config", () => {
    const unsorted = barsOf(
      [
        [1, 1, 1, 1],
        [1, 1, 1, 1],
      ],
      -60_000,
    );
    expect(() => runBacktest(unsorted, signals(2, {}), BASE)).toThrow(/strictly increasing/);
    const nan = barsOf([[1, 1, 1, Number.NaN]]);
    expect(() => runBacktest(nan, signals(1, {}), BASE)).toThrow(/non-finite or non-positive price/);
    const short = { ...STAIRS, close: new Float64Array(3) };
    expect(() => runBacktest(short, signals(5, {}), BASE)).toThrow(EngineConfigError);
    expect(() => runBacktest(STAIRS, signals(5, {}), { feePct: -1, fill: "tomorrow" as never })).toThrow(
      /fill must be one of next_open, signal_close, got "tomorrow"; feePct must be >= 0, got -1/,
    );
  });

  it("handles zero bars", () => {
    const empty = barsOf([]);
    const r = runBacktest(empty, signals(0, {}), BASE);
    expect(r.trades).toEqual([]);
    expect(r.equity.length).toBe(0);
    expect(r.metrics.finalEquity).toBe(1000);
    expect(r.metrics.totalReturn).toBe(0);
  });
});
