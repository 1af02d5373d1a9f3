import { type ExecutionConfig, generateSmaxBars, runBacktest } from "@quantago/engine";
import { emaCrossover, sliceBars, smaCrossover } from "@quantago/strategies";
import { describe, expect, it } from "vitest";
import { sweepRunner } from "./runner.ts";

const bars = generateSmaxBars(3_000);
const grid = [3, 8].flatMap((fast) => [10, 40].map((slow) => ({ fast, slow })));

describe("sweepRunner", () => {
  it("gives each combination exactly the result of that backtest alone, with and without a venue mask", async () => {
    for (const definition of [smaCrossover, emaCrossover]) {
      for (const exchange of ["crypto", "nyse"] as const) {
        const config: ExecutionConfig = {
          initialBalance: 10_000,
          exchange,
          feePct: 0.1,
          sizing: "fixed_units",
        };
        const run = sweepRunner(definition, { base: {}, config, reuseEquity: true });
        // Twice over the grid: the memo and the reused buffer carry nothing from one run to the next.
        for (const combination of [...grid, ...grid]) {
          const alone = runBacktest(bars, definition.create(combination), config);
          const shared = await run(bars, combination);
          expect(shared.metrics).toEqual(alone.metrics);
          expect(shared.equity).toEqual(alone.equity);
          expect(Array.from(shared.tradePnl)).toEqual(
            Array.from(alone.tradeColumns.pnl.subarray(0, alone.tradeColumns.count)),
          );
        }
      }
    }
  });

  it("shares nothing across different bars (a walk-forward's parts)", async () => {
    const config: ExecutionConfig = { initialBalance: 10_000 };
    const run = sweepRunner(smaCrossover, { base: { fast: 5 }, config, reuseEquity: false });
    const first = sliceBars(bars, 0, 1_500);
    const second = sliceBars(bars, 1_500, 3_000);
    const a = await run(first, { slow: 20 });
    const b = await run(second, { slow: 20 });
    expect(a.metrics).toEqual(runBacktest(first, smaCrossover.create({ fast: 5, slow: 20 }), config).metrics);
    expect(b.metrics).toEqual(
      runBacktest(second, smaCrossover.create({ fast: 5, slow: 20 }), config).metrics,
    );
    expect(a.equity).not.toBe(b.equity); // kept curves are never overwritten
  });
});
