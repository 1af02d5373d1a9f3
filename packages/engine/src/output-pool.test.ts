import { smaCrossover } from "@quantago/strategies";
import { describe, expect, it } from "vitest";
import { runBacktest } from "./backtest.ts";
import type { ExecutionConfig } from "./config.ts";
import { generateSmaxBars } from "./fixtures/smax.ts";
import { OutputPool } from "./output-pool.ts";

const bits = (a: Float64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe("OutputPool", () => {
  it("hands a given-back array to the next taker, as a view when it is larger", () => {
    const pool = new OutputPool();
    const a = pool.take(1000);
    expect(a.length).toBe(1000);
    pool.give(a);
    expect(pool.bytes).toBe(8000);
    const same = pool.take(1000);
    expect(same).toBe(a);
    expect(pool.bytes).toBe(0);
    pool.give(same);
    const view = pool.take(600);
    expect(view.length).toBe(600);
    expect(view.buffer).toBe(a.buffer);
    // Nothing kept now: a second taker gets fresh memory, never an array in use.
    expect(pool.take(600).buffer).not.toBe(a.buffer);
    // The view goes back as the whole array.
    pool.give(view);
    expect(pool.take(1000).buffer).toBe(a.buffer);
  });

  it("takes the smallest kept array that fits, keeps an array once, and drops the oldest beyond its bound", () => {
    const pool = new OutputPool(8 * 3000);
    const big = new Float64Array(2000);
    const small = new Float64Array(1000);
    pool.give(big);
    pool.give(small);
    pool.give(small);
    expect(pool.bytes).toBe(8 * 3000);
    expect(pool.take(900).buffer).toBe(small.buffer);
    expect(pool.take(900).buffer).toBe(big.buffer);
    expect(pool.take(900).buffer).not.toBe(big.buffer);

    pool.give(big);
    pool.give(small);
    pool.give(new Float64Array(500)); // over the bound: the oldest (big) goes
    expect(pool.bytes).toBe(8 * 1500);
    expect(pool.take(1500).buffer).not.toBe(big.buffer);
    // An array larger than the whole bound is not kept at all.
    pool.give(new Float64Array(4000));
    expect(pool.bytes).toBe(8 * 1500);
  });

  it("never lets what a reused array held show in a result", () => {
    const bars = generateSmaxBars(20_000);
    // A venue filter, so some bars are only marked, and an open position marked at the end.
    const configs: ExecutionConfig[] = [
      { initialBalance: 100_000, sizing: "fixed_units", units: 1, endOfData: "mark" },
      { initialBalance: 100_000, exchange: "london", timeframe: "1m", direction: "long_short" },
    ];
    for (const config of configs) {
      const fresh = runBacktest(bars, smaCrossover.create({ fast: 5, slow: 20 }), config);
      if (config.exchange === "london") expect(fresh.evaluatedBars).toBeLessThan(bars.time.length / 2);
      const pool = new OutputPool();
      const dirty = pool.take(bars.time.length);
      dirty.fill(Number.NaN);
      pool.give(dirty);
      const equity = pool.take(bars.time.length);
      expect(equity).toBe(dirty);
      const reused = runBacktest(bars, smaCrossover.create({ fast: 5, slow: 20 }), config, {
        buffers: { equity },
      });
      expect(reused.equity).toBe(dirty);
      expect(bits(reused.equity)).toEqual(bits(fresh.equity));
      expect(reused.metrics).toEqual(fresh.metrics);
      expect(reused.tradeColumns.count).toBe(fresh.tradeColumns.count);
      expect(fresh.tradeColumns.count).toBeGreaterThan(10);
    }
  });
});
