import { describe, expect, it } from "vitest";
import { bestIndex, normalisedCurves } from "./compare-math.ts";

describe("bestIndex", () => {
  it("marks the highest or the lowest, skips nulls, and never a tie", () => {
    expect(bestIndex([0.1, 0.3, null], "higher")).toBe(1);
    expect(bestIndex([0.2, 0.05, 0.1], "lower")).toBe(1);
    expect(bestIndex([0.3, 0.3], "higher")).toBeUndefined();
    expect(bestIndex([1, null], "higher")).toBeUndefined();
    expect(bestIndex([1, 2], "none")).toBeUndefined();
  });
});

describe("normalisedCurves", () => {
  it("starts every run at 0 % on a shared axis and carries the last value inside a run's range", () => {
    const t = (h: number) => `2025-01-01T${String(h).padStart(2, "0")}:00:00Z`;
    const { x, series } = normalisedCurves([
      [
        { time: t(0), equity: 1000 },
        { time: t(2), equity: 1100 },
      ],
      [
        { time: t(1), equity: 50 },
        { time: t(3), equity: 25 },
      ],
    ]);
    expect(x).toHaveLength(4);
    expect(series[0]?.map((v) => (v === null ? null : Math.round(v)))).toEqual([0, 0, 10, null]);
    expect(series[1]?.map((v) => (v === null ? null : Math.round(v)))).toEqual([null, 0, 0, -50]);
  });
});
