import { describe, expect, it } from "vitest";
import {
  bucketStart,
  canAggregate,
  compareTimeframes,
  finestTimeframe,
  isTimeframe,
  TIMEFRAME_MS,
  TIMEFRAMES,
  timeframeMs,
  timeframeSchema,
} from "./timeframes.ts";

const iso = (ms: number) => new Date(ms).toISOString();

describe("timeframes", () => {
  it("lists the published timeframes finest first with their durations", () => {
    expect(TIMEFRAMES).toEqual(["1m", "5m", "15m", "30m", "1h", "4h", "1d", "1w"]);
    expect(timeframeMs("1m")).toBe(60_000);
    expect(timeframeMs("4h")).toBe(14_400_000);
    expect(timeframeMs("1w")).toBe(604_800_000);
    const sorted = [...TIMEFRAMES].sort(compareTimeframes);
    expect(sorted).toEqual([...TIMEFRAMES]);
    for (let i = 1; i < TIMEFRAMES.length; i++) {
      const [a, b] = [TIMEFRAMES[i - 1], TIMEFRAMES[i]];
      if (a && b) expect(TIMEFRAME_MS[a]).toBeLessThan(TIMEFRAME_MS[b]);
    }
  });

  it("validates with zod and a type guard", () => {
    expect(timeframeSchema.parse("1h")).toBe("1h");
    for (const bad of ["2h", "1H", "1M", "", " 1m", 60]) {
      expect(timeframeSchema.safeParse(bad).success).toBe(false);
      expect(isTimeframe(bad)).toBe(false);
    }
  });

  it("finds the finest timeframe and ignores unknown ones", () => {
    expect(finestTimeframe(["1d", "5m", "1w"])).toBe("5m");
    expect(finestTimeframe(["2h", "1d"])).toBe("1d");
    expect(finestTimeframe([])).toBeNull();
  });

  it("allows aggregation only to equal or coarser timeframes", () => {
    for (const base of TIMEFRAMES) {
      for (const target of TIMEFRAMES) {
        expect(canAggregate(base, target)).toBe(TIMEFRAME_MS[target] >= TIMEFRAME_MS[base]);
      }
    }
  });

  it("buckets in UTC, weeks starting Monday", () => {
    const t = Date.parse("2024-01-03T10:17:42.123Z"); // a Wednesday
    expect(iso(bucketStart(t, "1m"))).toBe("2024-01-03T10:17:00.000Z");
    expect(iso(bucketStart(t, "5m"))).toBe("2024-01-03T10:15:00.000Z");
    expect(iso(bucketStart(t, "15m"))).toBe("2024-01-03T10:15:00.000Z");
    expect(iso(bucketStart(t, "30m"))).toBe("2024-01-03T10:00:00.000Z");
    expect(iso(bucketStart(t, "1h"))).toBe("2024-01-03T10:00:00.000Z");
    expect(iso(bucketStart(t, "4h"))).toBe("2024-01-03T08:00:00.000Z");
    expect(iso(bucketStart(t, "1d"))).toBe("2024-01-03T00:00:00.000Z");
    expect(iso(bucketStart(t, "1w"))).toBe("2024-01-01T00:00:00.000Z");
    // Sunday night belongs to the week that started six days earlier; Monday 00:00 starts a new one.
    expect(iso(bucketStart(Date.parse("2024-01-07T23:59:59.999Z"), "1w"))).toBe("2024-01-01T00:00:00.000Z");
    expect(iso(bucketStart(Date.parse("2024-01-08T00:00:00.000Z"), "1w"))).toBe("2024-01-08T00:00:00.000Z");
    // Before the epoch (a Thursday) too.
    expect(iso(bucketStart(Date.parse("1969-12-31T12:00:00Z"), "1w"))).toBe("1969-12-29T00:00:00.000Z");
    expect(iso(bucketStart(Date.parse("1969-12-31T12:34:00Z"), "4h"))).toBe("1969-12-31T12:00:00.000Z");
  });

  it("puts every week bucket on a Monday over several years", () => {
    for (
      let t = Date.parse("2019-12-25T00:00:00Z");
      t < Date.parse("2025-01-10T00:00:00Z");
      t += 37 * 3_600_000
    ) {
      const start = bucketStart(t, "1w");
      expect(new Date(start).getUTCDay()).toBe(1);
      expect(t - start).toBeGreaterThanOrEqual(0);
      expect(t - start).toBeLessThan(TIMEFRAME_MS["1w"]);
    }
  });
});
