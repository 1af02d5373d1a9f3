import { describe, expect, it } from "vitest";
import {
  adaptAsyncCandleStrategy,
  adaptCandleStrategy,
  type CandleStrategyInput,
  parseCandleDecision,
  preflightCandleStrategy,
  StrategyOutputError,
} from "./adapter.ts";
import type { PortfolioView } from "./contract.ts";
import { BUY, createDecisionSlot, HOLD, SELL } from "./contract.ts";
import { flatPortfolio, randomBars } from "./test-helpers.ts";

const bars = randomBars(20, 3);

describe("parseCandleDecision", () => {
  const slot = createDecisionSlot();

  it("accepts actions in any letter case and treats a missing action as HOLD", () => {
    expect(parseCandleDecision({ action: "buy" }, 0, slot)).toBe(BUY);
    expect(parseCandleDecision({ action: "Sell" }, 0, slot)).toBe(SELL);
    expect(parseCandleDecision({ action: " HOLD " }, 0, slot)).toBe(HOLD);
    expect(parseCandleDecision({}, 0, slot)).toBe(HOLD);
    expect(parseCandleDecision({ action: null }, 0, slot)).toBe(HOLD);
  });

  it("reads size, reason and metadata", () => {
    expect(parseCandleDecision({ action: "BUY", size: 2.5, reason: "x", metadata: { k: 1 } }, 0, slot)).toBe(
      BUY,
    );
    expect(slot).toEqual({ size: 2.5, reason: "x", metadata: { k: 1 } });
    parseCandleDecision({ action: "BUY", reason: 5, metadata: [1] }, 0, slot);
    expect(slot.size).toBeNaN();
    expect(slot.reason).toBeNull();
    expect(slot.metadata).toBeNull();
    parseCandleDecision({ action: "BUY", size: 0 }, 0, slot);
    expect(slot.size).toBe(0);
  });

  it("throws a clear error on invalid output", () => {
    expect(() => parseCandleDecision({ action: "long" }, 7, slot)).toThrow(
      'Invalid strategy output at candle 7: action must be BUY, SELL or HOLD, got "long"',
    );
    expect(() => parseCandleDecision({ action: 1 }, 7, slot)).toThrow(/action must be a string/);
    expect(() => parseCandleDecision({ action: "buy", size: -1 }, 7, slot)).toThrow(
      /size must be a finite number >= 0/,
    );
    expect(() => parseCandleDecision({ action: "buy", size: "2" }, 7, slot)).toThrow(/size must be/);
    expect(() => parseCandleDecision({ action: "buy", size: Number.POSITIVE_INFINITY }, 7, slot)).toThrow(
      /size/,
    );
    expect(() => parseCandleDecision(null, 7, slot)).toThrow(StrategyOutputError);
    expect(() => parseCandleDecision("BUY", 7, slot)).toThrow(/expected an object/);
    expect(() => parseCandleDecision([], 7, slot)).toThrow(/expected an object/);
  });
});

describe("adaptCandleStrategy", () => {
  it("builds the documented input objects", () => {
    const inputs: CandleStrategyInput[] = [];
    const strategy = adaptCandleStrategy(
      (input) => {
        inputs.push(input);
        return { action: "hold" };
      },
      {
        slug: "mine",
        minCandles: 3,
        lookbackCandles: 4,
        parameters: { fast: 3, timeframe: "1m" },
        timeframe: "1m",
        strategy: { name: "Mine", version: "1.2.0", runtime: "wasm", language: "rust" },
      },
    );
    expect(strategy.usesPortfolio).toBe(true);
    const p = flatPortfolio(500);
    const slot = createDecisionSlot();
    for (let i = 0; i < 6; i++) expect(strategy.onBar(i, bars, p, slot)).toBe(HOLD);
    // Not called before minCandles bars.
    expect(inputs.map((x) => x.context.index)).toEqual([2, 3, 4, 5]);
    const last = inputs[3] as CandleStrategyInput;
    expect(last.candle).toEqual({
      time: "2020-01-01T00:05:00.000Z",
      open: bars.open[5],
      high: bars.high[5],
      low: bars.low[5],
      close: bars.close[5],
      volume: bars.volume[5],
    });
    expect(last.history.map((c) => c.time)).toEqual([
      "2020-01-01T00:02:00.000Z",
      "2020-01-01T00:03:00.000Z",
      "2020-01-01T00:04:00.000Z",
      "2020-01-01T00:05:00.000Z",
    ]);
    expect(inputs[0]?.history).toHaveLength(3);
    expect(last.portfolio).toEqual({ cash: 500, equity: 500, openPosition: null, lastTradeAt: null });
    expect(last.parameters).toEqual({ fast: 3, timeframe: "1m" });
    expect(last.context).toEqual({
      index: 5,
      totalCandles: 20,
      timeframe: "1m",
      strategy: { name: "Mine", version: "1.2.0", runtime: "wasm", language: "rust" },
    });
  });

  it("shows an open position with unrealized pnl", () => {
    let seen: CandleStrategyInput | undefined;
    const strategy = adaptCandleStrategy((input) => {
      seen = input;
      return {};
    });
    const p: PortfolioView = {
      cash: 100,
      equity: 90,
      position: -2,
      entryPrice: 50,
      entryTime: 1_577_836_800_000,
      entryIndex: 0,
      lastEntryTime: 1_577_836_800_000,
    };
    strategy.onBar(0, bars, p, createDecisionSlot());
    expect(seen?.portfolio.openPosition).toEqual({
      type: "SELL",
      entryPrice: 50,
      entryTime: "2020-01-01T00:00:00.000Z",
      size: 2,
      unrealizedPnl: ((bars.close[0] as number) - 50) * -2,
    });
    expect(seen?.portfolio.lastTradeAt).toBe("2020-01-01T00:00:00.000Z");
  });

  it("passes size, reason and metadata through the slot", () => {
    const strategy = adaptCandleStrategy(() => ({
      action: "SELL",
      size: 3,
      reason: "why",
      metadata: { a: 1 },
    }));
    const slot = createDecisionSlot();
    expect(strategy.onBar(0, bars, flatPortfolio(), slot)).toBe(SELL);
    expect(slot).toEqual({ size: 3, reason: "why", metadata: { a: 1 } });
  });

  it("fails clearly on invalid output and on a promise", () => {
    const bad = adaptCandleStrategy(() => ({ action: "maybe" }));
    expect(() => bad.onBar(0, bars, flatPortfolio(), createDecisionSlot())).toThrow(StrategyOutputError);
    const asyncFn = adaptCandleStrategy(async () => ({ action: "BUY" }));
    expect(() => asyncFn.onBar(0, bars, flatPortfolio(), createDecisionSlot())).toThrow(
      /adaptAsyncCandleStrategy/,
    );
  });

  it("restarts its history on reset", () => {
    const lengths: number[] = [];
    const s = adaptCandleStrategy(
      (input) => {
        lengths.push(input.history.length);
        return {};
      },
      { lookbackCandles: 5 },
    );
    const p = flatPortfolio();
    const slot = createDecisionSlot();
    for (let i = 0; i < 3; i++) s.onBar(i, bars, p, slot);
    s.reset?.();
    s.onBar(0, bars, p, slot);
    expect(lengths).toEqual([1, 2, 3, 1]);
  });
});

describe("adaptAsyncCandleStrategy", () => {
  it("awaits asynchronous answers and validates them", async () => {
    const s = adaptAsyncCandleStrategy(async (input) => ({
      action: input.context.index === 1 ? "buy" : "hold",
    }));
    const p = flatPortfolio();
    const slot = createDecisionSlot();
    expect(await s.onBar(0, bars, p, slot)).toBe(HOLD);
    expect(await s.onBar(1, bars, p, slot)).toBe(BUY);
    const bad = adaptAsyncCandleStrategy(async () => ({ size: -1 }));
    await expect(bad.onBar(0, bars, p, slot)).rejects.toThrow(/size must be/);
  });
});

describe("preflightCandleStrategy", () => {
  it("calls the first min(10, n) candles and fails fast on an invalid answer", async () => {
    const seen: number[] = [];
    await preflightCandleStrategy(
      (input) => {
        seen.push(input.context.index);
        return { action: "buy" };
      },
      bars,
      { minCandles: 50 },
    );
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await expect(
      preflightCandleStrategy((input) => (input.context.index === 4 ? { action: "short" } : {}), bars),
    ).rejects.toThrow(/candle 4/);
    const few = randomBars(3);
    let calls = 0;
    await preflightCandleStrategy(() => {
      calls++;
      return {};
    }, few);
    expect(calls).toBe(3);
  });
});
