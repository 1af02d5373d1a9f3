import { describe, expect, it } from "vitest";
import { planSweepSteps, shardSteps } from "./plan.ts";

describe("planSweepSteps", () => {
  it("cuts the combinations into even steps of at most the bar-runs given, one combination at least", () => {
    expect(planSweepSteps(100, 100_000, 20_000_000)).toEqual([[0, 100]]);
    expect(planSweepSteps(5, 10, 20)).toEqual([
      [0, 2],
      [2, 4],
      [4, 5],
    ]);
    expect(planSweepSteps(3, 1_000, 10)).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    const big = planSweepSteps(2_000, 1_000_000, 20_000_000);
    expect(big).toHaveLength(100);
    expect(big.flatMap(([from, to]) => Array.from({ length: to - from }, (_, k) => from + k))).toEqual(
      Array.from({ length: 2_000 }, (_, k) => k),
    );
  });

  it("groups steps into shards", () => {
    const steps = planSweepSteps(5, 10, 10);
    expect(shardSteps(steps, 2).map((s) => s.length)).toEqual([2, 2, 1]);
  });
});
