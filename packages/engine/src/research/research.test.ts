import { describe, expect, it } from "vitest";
import {
  axisValues,
  distribution,
  expandGrid,
  gridSize,
  monteCarlo,
  percentileSorted,
  SweepSpecError,
  sampleGrid,
  stitchEquity,
  summarisePath,
  walkForwardWindows,
} from "./index.ts";

describe("sweep grid", () => {
  it("walks a range inclusively without float drift and keeps choices in order", () => {
    expect(axisValues("fast", { min: 5, max: 20, step: 5 })).toEqual([5, 10, 15, 20]);
    expect(axisValues("x", { min: 0.1, max: 0.5, step: 0.1 })).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(axisValues("x", { min: 1, max: 10, step: 4 })).toEqual([1, 5, 9]);
    expect(axisValues("c", { values: ["a", "b", "a"] })).toEqual(["a", "b"]);
  });

  it("refuses empty or malformed axes", () => {
    expect(() => axisValues("x", { values: [] })).toThrow(SweepSpecError);
    expect(() => axisValues("x", { min: 1, max: 5, step: 0 })).toThrow(/step/);
    expect(() => axisValues("x", { min: 5, max: 1, step: 1 })).toThrow(/max/);
    expect(() => axisValues("x", { min: 0, max: 1e9, step: 1 })).toThrow(/at most/);
  });

  it("expands every combination once, the last parameter fastest", () => {
    const axes = { fast: [5, 10], slow: [20, 30, 40] };
    const grid = expandGrid(axes);
    expect(gridSize(axes)).toBe(6);
    expect(grid).toEqual([
      { fast: 5, slow: 20 },
      { fast: 5, slow: 30 },
      { fast: 5, slow: 40 },
      { fast: 10, slow: 20 },
      { fast: 10, slow: 30 },
      { fast: 10, slow: 40 },
    ]);
  });

  it("samples distinct grid points, reproducibly by seed", () => {
    const axes = { a: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], b: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] };
    const one = sampleGrid(axes, 20, 42);
    expect(one).toEqual(sampleGrid(axes, 20, 42));
    expect(one).not.toEqual(sampleGrid(axes, 20, 43));
    expect(new Set(one.map((c) => `${c.a}/${c.b}`)).size).toBe(20);
    expect(sampleGrid(axes, 500, 1)).toHaveLength(100);
  });
});

describe("percentiles", () => {
  it("interpolates linearly between closest ranks (NumPy's default)", () => {
    const sorted = [1, 2, 3, 4, 5];
    expect(percentileSorted(sorted, 0)).toBe(1);
    expect(percentileSorted(sorted, 50)).toBe(3);
    expect(percentileSorted(sorted, 25)).toBe(2);
    expect(percentileSorted([10, 20], 75)).toBe(17.5);
    const d = distribution([5, 1, 4, 2, 3]);
    expect(d).toMatchObject({ p50: 3, min: 1, max: 5, mean: 3 });
  });
});

describe("monte carlo", () => {
  const profits = [100, -50, 30, -80, 120, -20, 60, -90, 10, 40];

  it("is reproducible for a seed and differs across seeds", () => {
    const opts = { method: "bootstrap" as const, runs: 200, seed: 7, initialBalance: 1000, ruinEquity: 900 };
    expect(monteCarlo(profits, opts)).toEqual(monteCarlo(profits, opts));
    expect(monteCarlo(profits, opts).finalEquity).not.toEqual(
      monteCarlo(profits, { ...opts, seed: 8 }).finalEquity,
    );
  });

  it("shuffling keeps the final equity and only changes the path", () => {
    const r = monteCarlo(profits, {
      method: "shuffle",
      runs: 100,
      seed: 1,
      initialBalance: 1000,
      ruinEquity: 0,
    });
    const total = 1000 + profits.reduce((a, b) => a + b, 0);
    expect(r.finalEquity.min).toBeCloseTo(total, 9);
    expect(r.finalEquity.max).toBeCloseTo(total, 9);
    expect(r.maxDrawdown.max).toBeGreaterThan(r.maxDrawdown.min);
    expect(r.fan[0]).toMatchObject({ tradeIndex: 0, p5: 1000, p95: 1000 });
    expect(r.fan.at(-1)?.tradeIndex).toBe(profits.length);
  });

  it("percentiles and ruin match a plain computation over the same paths", () => {
    const opts = { method: "bootstrap" as const, runs: 301, seed: 99, initialBalance: 1000, ruinEquity: 950 };
    const r = monteCarlo(profits, opts);
    const finals = [...r.samples.finalEquity].sort((a, b) => a - b);
    // Plain nearest-rank on an odd count: the 50th percentile is the middle element.
    expect(r.finalEquity.p50).toBe(finals[150]);
    expect(r.finalEquity.p25).toBe(finals[75]);
    expect(r.finalEquity.p75).toBe(finals[225]);
    expect(r.finalEquity.p5).toBe(finals[15]);
    expect(r.finalEquity.p95).toBe(finals[285]);
    expect(r.probabilityOfRuin).toBeGreaterThan(0);
    expect(r.probabilityOfRuin).toBeLessThan(1);
  });

  it("summarises a path's drawdown and time under water", () => {
    const s = summarisePath([100, -50, -50, 10, 200], 1000, 990);
    expect(s.finalEquity).toBe(1210);
    expect(s.maxDrawdown).toBeCloseTo(100 / 1100, 12);
    expect(s.longestDrawdownTrades).toBe(3);
    expect(s.ruined).toBe(false);
    expect(summarisePath([-100], 1000, 900).ruined).toBe(true);
  });
});

describe("walk-forward windows", () => {
  it("tiles the range: OOS parts follow their IS part and never overlap", () => {
    for (const mode of ["rolling", "anchored"] as const) {
      const w = walkForwardWindows({ bars: 1000, windows: 4, inSampleRatio: 0.75, mode });
      expect(w).toHaveLength(4);
      expect(w.at(-1)?.outOfSample.end).toBe(1000);
      for (const [k, win] of w.entries()) {
        expect(win.inSample.end).toBe(win.outOfSample.start);
        if (k > 0) expect(win.outOfSample.start).toBe(w[k - 1]?.outOfSample.end);
        if (mode === "anchored") expect(win.inSample.start).toBe(0);
      }
    }
    const rolling = walkForwardWindows({ bars: 1000, windows: 4, inSampleRatio: 0.75, mode: "rolling" });
    const lengths = rolling.map((x) => x.inSample.end - x.inSample.start);
    expect(new Set(lengths).size).toBe(1);
  });

  it("refuses plans that leave a part empty", () => {
    expect(() => walkForwardWindows({ bars: 3, windows: 5, inSampleRatio: 0.5, mode: "rolling" })).toThrow(
      RangeError,
    );
    expect(() => walkForwardWindows({ bars: 100, windows: 2, inSampleRatio: 1, mode: "rolling" })).toThrow(
      RangeError,
    );
  });

  it("stitches segments by compounding", () => {
    expect([
      ...stitchEquity(
        [
          [110, 120],
          [100, 90],
        ],
        100,
      ),
    ]).toEqual([110, 120, 120, 108]);
  });
});
