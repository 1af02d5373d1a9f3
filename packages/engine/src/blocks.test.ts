import type { ActionCode, BarColumns, BarStrategy, DecisionSlot, PortfolioView } from "@quantago/strategies";
import { describe, expect, it } from "vitest";
import { runBacktest } from "./backtest.ts";
import type { ExecutionConfig } from "./config.ts";
import { generateSmaxBars, SplitMix64 } from "./fixtures/smax.ts";
import { DecisionError } from "./simulation.ts";

/**
 * A bars-only strategy with everything a decision can carry: pseudo-random actions from the close,
 * a size on some decisions, a note on others. `usesPortfolio` is a parameter so the same decisions
 * can go through the interleaved driver (true) and the block driver (false).
 */
function noisy(usesPortfolio: boolean, seen: number[] = []): BarStrategy {
  return {
    slug: "noisy",
    minCandles: 1,
    lookbackCandles: 1,
    usesPortfolio,
    onBar(i: number, bars: BarColumns, _p: PortfolioView, out: DecisionSlot): ActionCode {
      seen.push(i);
      const u = ((bars.close[i] as number) * 1e6) % 1;
      const action = u < 0.03 ? 1 : u < 0.06 ? 2 : 0;
      if (action !== 0 && u * 1000 < 20) out.size = 1 + (i % 3);
      if (action !== 0 && i % 7 === 0) {
        out.reason = `r${i}`;
        out.metadata = { i };
      }
      return action;
    },
  };
}

describe("portfolio-independent strategies (block driver)", () => {
  // 5,000 bars: two full blocks of 2,048 and a partial one.
  const bars = generateSmaxBars(5000, 9);
  const configs: ExecutionConfig[] = [
    {},
    { fill: "signal_close", direction: "long_short" },
    { direction: "long_short", takeProfitPct: 0.05, stopLossPct: 0.05, endOfData: "close" },
    { exchange: "london", direction: "long_short" },
  ];
  for (const config of configs) {
    it(`gives the interleaved run's results, notes included (${JSON.stringify(config)})`, () => {
      const interleaved = runBacktest(bars, noisy(true), config, { recordPosition: true });
      const blocks = runBacktest(bars, noisy(false), config, { recordPosition: true });
      expect(interleaved.tradeColumns.count).toBeGreaterThan(20);
      expect(blocks.trades).toEqual(interleaved.trades);
      expect(blocks.notes).toEqual(interleaved.notes);
      expect(blocks.notes).not.toBeNull();
      expect(blocks.equity).toEqual(interleaved.equity);
      expect(blocks.position).toEqual(interleaved.position);
      expect(blocks.metrics).toEqual(interleaved.metrics);
      expect([blocks.evaluatedBars, blocks.finalCash]).toEqual([
        interleaved.evaluatedBars,
        interleaved.finalCash,
      ]);
    });
  }

  it("shows the strategy only the evaluated bars, in order", () => {
    const seen: number[] = [];
    runBacktest(bars, noisy(false, seen), { exchange: "newyork" });
    const expected: number[] = [];
    runBacktest(bars, noisy(true, expected), { exchange: "newyork" });
    expect(seen.length).toBeLessThan(5000);
    expect(seen).toEqual(expected);
  });

  it("stops at the first invalid action code, with the interleaved run's error", () => {
    const rng = new SplitMix64(3);
    const bad = 3000 + Math.floor(rng.next() * 100);
    const make = (usesPortfolio: boolean, seen: number[]): BarStrategy => ({
      ...noisy(usesPortfolio, seen),
      onBar(i) {
        seen.push(i);
        return (i === bad ? 7 : 0) as ActionCode;
      },
    });
    const seenBlocks: number[] = [];
    const seenInterleaved: number[] = [];
    const error = (usesPortfolio: boolean, seen: number[]) => {
      try {
        runBacktest(bars, make(usesPortfolio, seen), {});
      } catch (e) {
        return e;
      }
      return null;
    };
    const a = error(false, seenBlocks);
    const b = error(true, seenInterleaved);
    expect(a).toBeInstanceOf(DecisionError);
    expect((a as DecisionError).message).toBe((b as DecisionError).message);
    expect(seenBlocks.at(-1)).toBe(bad);
    expect(seenBlocks).toEqual(seenInterleaved);
  });

  it("rejects an invalid size the same way", () => {
    const make = (usesPortfolio: boolean): BarStrategy => ({
      ...noisy(usesPortfolio),
      onBar(i, _b, _p, out) {
        if (i === 2500) out.size = -1;
        return i === 2500 ? 1 : 0;
      },
    });
    expect(() => runBacktest(bars, make(false), {})).toThrow(
      new DecisionError(2500, "size must be a finite number >= 0 (units) or NaN (engine sizing), got -1"),
    );
    expect(() => runBacktest(bars, make(true), {})).toThrow(/bar 2500: size must be/);
  });
});
