import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestClickHouse, type TestClickHouse } from "../../test-fixtures/clickhouse.ts";
import { writeSyntheticBars } from "../synthetic.ts";
import { bucketStart, type Timeframe } from "../timeframes.ts";
import { readBarsColumnar } from "./read.ts";
import { sliceBoundaries } from "./sliced.ts";

describe("sliced columnar reads", () => {
  let ch: TestClickHouse;
  const from = Date.UTC(2025, 0, 1, 3, 17); // deliberately not on any bucket boundary
  const count = 40_000;
  beforeAll(async () => {
    ch = await openTestClickHouse();
    await writeSyntheticBars(ch.client, {
      symbol: "SLICED-T",
      assetClass: "crypto",
      fromMs: Date.UTC(2025, 0, 1),
      count: count + 300,
      seed: 3,
      database: ch.database,
    });
  }, 120_000);
  afterAll(async () => {
    await ch?.close();
  });

  it("cuts only on bucket starts, in order, covering the range", () => {
    const to = from + 9_999 * 60_000 + 7;
    for (const tf of ["1m", "5m", "1h", "1d", "1w"] as Timeframe[]) {
      const cuts = sliceBoundaries(from, to, tf, 4, 1);
      expect(cuts[0]).toBe(from);
      expect(cuts.at(-1)).toBe(to);
      for (const cut of cuts.slice(1, -1)) expect(bucketStart(cut, tf)).toBe(cut);
      expect([...cuts].sort((a, b) => a - b)).toEqual(cuts);
      expect(new Set(cuts).size).toBe(cuts.length);
    }
    // Short ranges are not cut at all by default.
    expect(sliceBoundaries(from, to, "1m", 4)).toEqual([from, to]);
  });

  it.each(["1m", "5m", "1h", "4h", "1d"] as const)(
    "returns exactly the bars of one read at %s",
    async (timeframe) => {
      const query = { symbol: "SLICED-T", timeframe, from, to: from + count * 60_000, database: ch.database };
      const whole = await readBarsColumnar(ch.client, query);
      const sliced = await readBarsColumnar(ch.client, query, { slices: 4, minBucketsPerSlice: 2 });
      expect(whole.count).toBeGreaterThan(1);
      expect(sliced.count).toBe(whole.count);
      for (const column of ["time", "open", "high", "low", "close", "volume"] as const) {
        expect(sliced[column]).toEqual(whole[column].subarray(0, whole.count));
      }
    },
  );
});
