import { describe, expect, it } from "vitest";
import { emaCrossover, smaCrossover, trendFollowingStrategy } from "../builtin/index.ts";
import type { BarColumns, BarStrategy } from "../contract.ts";
import { createDecisionSlot } from "../contract.ts";
import { flatPortfolio, randomBars } from "../test-helpers.ts";
import { IndicatorMemo } from "./memo.ts";
import { Sma } from "./sma.ts";

/** The decisions of a strategy over the bars the mask shows (0 where it hides one). */
function decisions(strategy: BarStrategy, bars: BarColumns, mask: Uint8Array | null): Uint8Array {
  strategy.reset?.();
  const slot = createDecisionSlot();
  const portfolio = flatPortfolio();
  const out = new Uint8Array(bars.close.length);
  for (let i = 0; i < out.length; i++) {
    if (mask === null || mask[i] !== 0) out[i] = strategy.onBar(i, bars, portfolio, slot);
  }
  return out;
}

describe("IndicatorMemo", () => {
  const bars = randomBars(5_000, 11);
  const mask = Uint8Array.from(bars.close, (_, i) => (i % 7 < 5 ? 1 : 0));

  it("gives every moving-average crossover the decisions of fresh indicators, run after run", () => {
    for (const m of [null, mask]) {
      const memo = new IndicatorMemo(bars, m);
      for (const definition of [smaCrossover, emaCrossover, trendFollowingStrategy]) {
        for (const [fast, slow] of [
          [3, 10],
          [5, 10],
          [3, 40],
          [5, 40],
        ] as const) {
          const fresh = decisions(definition.create({ fast, slow }), bars, m);
          const shared = definition.create({ fast, slow }, { indicators: memo });
          expect(decisions(shared, bars, m)).toEqual(fresh);
          expect(decisions(shared, bars, m)).toEqual(fresh); // reset replays from the start
        }
      }
      // sma 3/5/10/40 and ema 3/5/10/40: each computed once.
      expect(memo.size).toBe(8);
    }
  });

  it("refuses to replay values it was not computed from", () => {
    const memo = new IndicatorMemo(bars, null);
    const sma = memo.ofClose("sma:3", () => new Sma(3));
    sma.update(bars.close[0] as number);
    expect(() => sma.update(bars.close[2] as number)).toThrow(/memoised indicator sma:3/);
    const short = memo.ofClose("sma:3", () => new Sma(3));
    for (const c of bars.close) short.update(c);
    expect(() => short.update(1)).toThrow(RangeError);
  });
});
