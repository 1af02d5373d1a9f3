import { describe, expect, it } from "vitest";
import { sweepSearch } from "./router.tsx";

describe("sweepSearch", () => {
  it("keeps a heatmap view from a link: axes, aggregate and held values", () => {
    expect(sweepSearch({ x: "slow", y: "fast", agg: "mean", fixed: { signal: 9, mode: "long" } })).toEqual({
      x: "slow",
      y: "fast",
      agg: "mean",
      fixed: { signal: 9, mode: "long" },
    });
    // A hand-written link may carry the held values as JSON text.
    expect(sweepSearch({ fixed: '{"signal":9}' }).fixed).toEqual({ signal: 9 });
  });

  it("drops what it cannot use instead of failing the page", () => {
    expect(sweepSearch({ x: " ", agg: "median", fixed: "{not json" })).toEqual({
      x: undefined,
      y: undefined,
      agg: undefined,
      fixed: undefined,
    });
    expect(sweepSearch({ fixed: [1, 2] }).fixed).toBeUndefined();
    expect(sweepSearch({ fixed: { signal: { nested: 1 }, fast: 5 } }).fixed).toEqual({ fast: 5 });
    expect(sweepSearch({ fixed: { signal: null } }).fixed).toBeUndefined();
  });
});
