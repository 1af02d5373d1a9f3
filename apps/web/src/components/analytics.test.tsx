import { describe, expect, it } from "vitest";
import { histogram, monthlyReturns, worstDrawdowns } from "./analytics.ts";

const day = (iso: string) => Date.parse(iso) / 1000;

describe("monthlyReturns", () => {
  it("chains each month on the last equity of the month before", () => {
    const x = [day("2025-01-01"), day("2025-01-31"), day("2025-02-15"), day("2025-02-28")];
    const r = monthlyReturns(x, [100, 110, 99, 121]);
    expect(r.map((m) => [m.year, m.month, Math.round(m.value * 1000) / 1000])).toEqual([
      [2025, 0, 0.1],
      [2025, 1, 0.1],
    ]);
  });
});

describe("histogram", () => {
  it("counts every value once and puts zero on an edge", () => {
    const values = [-0.03, -0.01, 0.005, 0.02, 0.04];
    const bins = histogram(values, 7);
    expect(bins.reduce((s, b) => s + b.count, 0)).toBe(values.length);
    expect(bins.some((b) => Math.abs(b.from) < 1e-12)).toBe(true);
  });
});

describe("worstDrawdowns", () => {
  it("finds the deepest episodes, the open one without a recovery", () => {
    const x = [1, 2, 3, 4, 5, 6, 7];
    const d = worstDrawdowns(x, [100, 90, 100, 110, 80, 95, 100], 2);
    expect(d.map((e) => [e.peak, e.trough, e.recovered, Math.round(e.depth * 1000) / 1000])).toEqual([
      [4, 5, undefined, 0.273],
      [1, 2, 3, 0.1],
    ]);
  });
});
