import { generateSmaxBars, type Metrics, runBacktest } from "@quantago/engine";
import { walkForwardWindows } from "@quantago/engine/research";
import { sliceBars, smaCrossover } from "@quantago/strategies";
import { describe, expect, it } from "vitest";
import { chooseBest, type RunCombination, runWindow } from "./evaluate.ts";

const bars = generateSmaxBars(3_000);
const combos = [
  { fast: 5, slow: 20 },
  { fast: 10, slow: 40 },
  { fast: 20, slow: 80 },
];
const engineRun: RunCombination = async (b, combination) => {
  const result = runBacktest(b, smaCrossover.create(combination), { initialBalance: 10_000 });
  return { metrics: result.metrics, equity: result.equity, tradePnl: result.tradeColumns.pnl };
};

describe("walk-forward by construction", () => {
  it("the optimisation never sees an out-of-sample bar, and the test sees only its own part", async () => {
    const windows = walkForwardWindows({
      bars: bars.time.length,
      windows: 4,
      inSampleRatio: 0.7,
      mode: "rolling",
    });
    for (const window of windows) {
      const oosStart = bars.time[window.outOfSample.start] as number;
      const isStart = bars.time[window.inSample.start] as number;
      let optimising = true;
      let runs = 0;
      // A runner that fails the moment it is handed a bar outside the part it is allowed to see.
      const guarded: RunCombination = async (b, combination) => {
        runs += 1;
        const first = b.time[0] as number;
        const last = b.time[b.time.length - 1] as number;
        if (optimising && (last >= oosStart || first < isStart))
          throw new Error("in-sample run saw a bar outside its window");
        if (!optimising && first < oosStart) throw new Error("out-of-sample run saw an in-sample bar");
        return engineRun(b, combination);
      };
      const outcome = await runWindow(bars, window, combos, guarded, "totalReturn", async () => {
        if (runs === combos.length) optimising = false;
      });
      expect(runs).toBe(combos.length + 1);
      expect(combos).toContainEqual(outcome.chosen.combination);
    }
  });

  it("a runner that peeks past its window would be caught", async () => {
    const [window] = walkForwardWindows({
      bars: bars.time.length,
      windows: 2,
      inSampleRatio: 0.7,
      mode: "rolling",
    });
    if (!window) throw new Error("no window");
    const oosStart = bars.time[window.outOfSample.start] as number;
    const leaky: RunCombination = async (_b, combination) => {
      const seen = sliceBars(bars, 0, window.outOfSample.end); // what a leaky implementation would pass
      if ((seen.time[seen.time.length - 1] as number) >= oosStart) throw new Error("saw the future");
      return engineRun(seen, combination);
    };
    await expect(runWindow(bars, window, combos, leaky, "totalReturn")).rejects.toThrow("saw the future");
  });

  it("chooses the best combination by the metric, ties keeping the first", async () => {
    const fake = (values: number[]): RunCombination => {
      let k = 0;
      return async () => ({
        metrics: { totalReturn: values[k++], maxDrawdown: values[k - 1] } as unknown as Metrics,
        equity: new Float64Array(),
        tradePnl: [],
      });
    };
    expect((await chooseBest(bars, combos, fake([0.1, 0.3, 0.3]), "totalReturn")).index).toBe(1);
    expect((await chooseBest(bars, combos, fake([0.1, 0.3, 0.05]), "maxDrawdown")).index).toBe(2);
  });
});
