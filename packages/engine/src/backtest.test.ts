import {
  adaptAsyncCandleStrategy,
  adaptCandleStrategy,
  BUY,
  type CandleStrategyInput,
  SELL,
  smaCrossover,
} from "@quantago/strategies";
import { describe, expect, it } from "vitest";
import { computeSignals, runBacktest, runBacktestAsync } from "./backtest.ts";
import type { ExecutionConfig } from "./config.ts";
import { generateSmaxBars } from "./fixtures/smax.ts";
import { validateBars } from "./simulation.ts";
import { barsOf, signals } from "./test-helpers.ts";
import { BYTES_PER_TRADE as TRADE_LOG_BYTES_PER_TRADE } from "./trade-log.ts";
import { venueMask } from "./venue.ts";

const STAIRS = barsOf([
  [10, 11, 10, 11],
  [12, 13, 12, 13],
  [14, 15, 14, 15],
  [16, 17, 16, 17],
  [18, 19, 18, 19],
]);
/** Long-only round trips (the engine's default is long_short). */
const BASE: ExecutionConfig = {
  initialBalance: 1000,
  sizing: "fixed_units",
  units: 1,
  direction: "long_only",
};

/** A JSON-contract strategy: buy on the 2nd candle, sell on the 4th, with reasons and metadata. */
function scripted(input: CandleStrategyInput) {
  const i = input.context.index;
  if (i === 1) return { action: "buy", reason: "go", metadata: { k: 1 } };
  if (i === 3) return { action: "SELL", reason: "stop", metadata: { k: 2 } };
  return { action: "hold" };
}

describe("drivers", () => {
  it("runs a JSON-contract strategy through the adapter and keeps its reasons and metadata", () => {
    const r = runBacktest(STAIRS, adaptCandleStrategy(scripted), BASE);
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0]).toMatchObject({
      entryIndex: 2,
      exitIndex: 4,
      entrySignal: { reason: "go", metadata: { k: 1 } },
      exitSignal: { reason: "stop", metadata: { k: 2 } },
    });
  });

  it("shows the strategy the portfolio after the bar's fills", () => {
    const seen: (number | null)[] = [];
    const strategy = adaptCandleStrategy((input) => {
      seen.push(input.portfolio.openPosition?.size ?? null);
      return scripted(input);
    });
    runBacktest(STAIRS, strategy, BASE);
    expect(seen).toEqual([null, null, 1, 1, null]);
  });

  it("runBacktestAsync gives the same result for an async strategy", async () => {
    const sync = runBacktest(STAIRS, adaptCandleStrategy(scripted), BASE);
    const async = await runBacktestAsync(
      STAIRS,
      adaptAsyncCandleStrategy(async (input) => scripted(input)),
      BASE,
    );
    expect(async.trades).toEqual(sync.trades);
    expect(Array.from(async.equity)).toEqual(Array.from(sync.equity));
    const bars = generateSmaxBars(3000);
    const cols = computeSignals(smaCrossover.create(), bars);
    const viaAsync = await runBacktestAsync(bars, smaCrossover.create(), BASE);
    expect(viaAsync.trades).toEqual(runBacktest(bars, cols, BASE).trades);
  });

  it("rejects a strategy error at the bar it happens", async () => {
    const bad = adaptCandleStrategy((input) => (input.context.index === 2 ? { action: "moon" } : {}));
    expect(() => runBacktest(STAIRS, bad, BASE)).toThrow(/candle 2: action must be BUY, SELL or HOLD/);
    const badAsync = adaptAsyncCandleStrategy(async () => ({ size: "x" }));
    await expect(runBacktestAsync(STAIRS, badAsync, BASE)).rejects.toThrow(/size must be/);
  });

  it("computeSignals refuses portfolio-dependent strategies and honours a mask", () => {
    expect(() => computeSignals(adaptCandleStrategy(scripted), STAIRS)).toThrow(/depends on the portfolio/);
    const bars = generateSmaxBars(2000);
    const mask = venueMask(bars.time, "london", 60_000);
    const cols = computeSignals(smaCrossover.create({ fast: 2, slow: 4 }), bars, { mask, withSizes: true });
    expect(cols.sizes?.length).toBe(2000);
    for (let i = 0; i < 2000; i++) if (mask?.[i] === 0) expect(cols.actions[i]).toBe(0);
    expect(cols.actions.some((a) => a !== 0)).toBe(true);
  });

  it("writes into caller-provided buffers", () => {
    const equity = new Float64Array(5);
    const position = new Float64Array(5);
    const r = runBacktest(STAIRS, signals(5, { 0: BUY, 2: SELL }), BASE, {
      recordPosition: true,
      buffers: { equity, position },
    });
    expect(r.equity).toBe(equity);
    expect(r.position).toBe(position);
    expect(Array.from(equity)).toEqual([1000, 1001, 1003, 1004, 1004]);
    expect(Array.from(position)).toEqual([0, 1, 1, 0, 0]);
    expect(runBacktest(STAIRS, signals(5, {}), BASE).position).toBeNull();
    expect(() =>
      runBacktest(STAIRS, signals(5, {}), BASE, { buffers: { equity: new Float64Array(4) } }),
    ).toThrow(/output buffers must have exactly 5 values/);
  });

  it("starts its trade log in given memory, whatever it held, and grows out of it when full", () => {
    const bars = generateSmaxBars(5_000);
    const config: ExecutionConfig = { initialBalance: 100_000, endOfData: "mark" };
    const fresh = runBacktest(bars, smaCrossover.create({ fast: 3, slow: 8 }), config);
    expect(fresh.tradeColumns.count).toBeGreaterThan(100);
    // Too small for the first capacity; room for 90 trades (it starts there, then grows); room for all.
    for (const bytes of [64, 90 * TRADE_LOG_BYTES_PER_TRADE, 100_000]) {
      const memory = new ArrayBuffer(bytes);
      new Uint8Array(memory).fill(0xff); // NaN doubles and -1 everywhere
      const reused = runBacktest(bars, smaCrossover.create({ fast: 3, slow: 8 }), config, {
        buffers: { trades: memory },
      });
      expect(reused.tradeColumns.pnl.buffer === memory).toBe(bytes === 100_000);
      for (const [key, column] of Object.entries(fresh.tradeColumns)) {
        if (key === "count") continue;
        expect(
          Array.from(reused.tradeColumns[key as keyof typeof fresh.tradeColumns] as ArrayLike<number>),
          key,
        ).toEqual(Array.from(column as ArrayLike<number>));
      }
      expect(reused.metrics).toEqual(fresh.metrics);
    }
  });

  it("skips checking bars validated before, only for that same bars object", () => {
    const bars = generateSmaxBars(3000);
    const validated = { bars, timeframeMs: validateBars(bars) };
    const strategy = () => smaCrossover.create({ fast: 5, slow: 20 });
    const plain = runBacktest(bars, strategy(), BASE);
    const trusted = runBacktest(bars, strategy(), BASE, { validated });
    expect(trusted.metrics).toEqual(plain.metrics);
    expect(Array.from(trusted.equity)).toEqual(Array.from(plain.equity));
    // Other bars (a copy with a broken time column) are still checked.
    const broken = { ...bars, time: bars.time.slice() };
    broken.time[10] = broken.time[9] as number;
    expect(() => runBacktest(broken, strategy(), BASE, { validated })).toThrow(/strictly increasing/);
  });
});
