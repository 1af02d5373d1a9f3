import { describe, expect, it } from "vitest";
import { detailWindow, firstViewTimeframe, mergeColumns, overviewTimeframe } from "./candle-window.ts";
import type { Columns } from "./columns.ts";

const HOUR = 3_600_000;
const DAY = 86_400_000;
const YEAR_FROM = Date.UTC(2025, 0, 1);
const YEAR_TO = Date.UTC(2026, 0, 1);

function bars(from: number, step: number, n: number, tag: number): Columns {
  const time = Float64Array.from({ length: n }, (_, i) => from + i * step);
  const fill = () => new Float64Array(n).fill(tag);
  return { time, open: fill(), high: fill(), low: fill(), close: fill(), volume: fill() };
}

describe("overviewTimeframe", () => {
  it("reads a short range at the asked timeframe and a year of 1m as hourly rollups", () => {
    expect(overviewTimeframe("1m", YEAR_FROM, YEAR_FROM + 7 * DAY)).toBe("1m");
    expect(overviewTimeframe("1m", YEAR_FROM, YEAR_TO)).toBe("1h");
    expect(overviewTimeframe("1h", YEAR_FROM, YEAR_TO)).toBe("1h");
    // Ten years of 1m: 87,600 hours is too many, 21,900 4h too, 3,650 days fit.
    expect(overviewTimeframe("1m", YEAR_FROM, YEAR_FROM + 3650 * DAY)).toBe("1d");
    // The range is unknown while the catalog loads: nothing to pick an overview for.
    expect(overviewTimeframe("1m", Date.parse(""), Date.parse(""))).toBe("1m");
  });
});

describe("firstViewTimeframe", () => {
  it("draws a long overview first at a rollup of at most 3,000 bars, a short one as it is", () => {
    // A year: the overview is 8,760 hourly bars (1m) or the 1h bars themselves; 2,190 4h bars come first.
    expect(firstViewTimeframe("1m", YEAR_FROM, YEAR_TO)).toBe("4h");
    expect(firstViewTimeframe("1h", YEAR_FROM, YEAR_TO)).toBe("4h");
    // A month of 1h (720 bars) is drawn as it is; ten days of 1m (14,400) first as 240 hourly bars.
    expect(firstViewTimeframe("1h", YEAR_FROM, YEAR_FROM + 30 * DAY)).toBe("1h");
    expect(firstViewTimeframe("1m", YEAR_FROM, YEAR_FROM + 10 * DAY)).toBe("1h");
    expect(overviewTimeframe("1m", YEAR_FROM, YEAR_FROM + 10 * DAY)).toBe("1m");
    // Never finer than the overview: ten years of 1m is 3,650 daily bars, so weeks come first.
    expect(firstViewTimeframe("1m", YEAR_FROM, YEAR_FROM + 3650 * DAY)).toBe("1w");
    expect(firstViewTimeframe("1m", Date.parse(""), Date.parse(""))).toBe("1m");
  });
});

describe("detailWindow", () => {
  it("is undefined while the view holds more bars than the detail bound", () => {
    expect(detailWindow("1m", { from: YEAR_FROM, to: YEAR_FROM + 30 * DAY }, YEAR_FROM, YEAR_TO)).toBe(
      undefined,
    );
  });

  it("is the view plus its width either side, in whole days, inside the range", () => {
    const view = { from: YEAR_FROM + 10 * DAY + 5 * HOUR, to: YEAR_FROM + 11 * DAY + 5 * HOUR };
    expect(detailWindow("1m", view, YEAR_FROM, YEAR_TO)).toEqual({
      from: YEAR_FROM + 9 * DAY,
      to: YEAR_FROM + 13 * DAY,
    });
    const atStart = { from: YEAR_FROM, to: YEAR_FROM + DAY };
    expect(detailWindow("1m", atStart, YEAR_FROM, YEAR_TO)?.from).toBe(YEAR_FROM);
  });
});

describe("mergeColumns", () => {
  it("puts the detail in place of the overview buckets it covers, in time order", () => {
    const overview = bars(YEAR_FROM, HOUR, 48, 1);
    const detail = bars(YEAR_FROM + 10 * HOUR, 60_000, 120, 2); // 10:00 to 11:59
    const merged = mergeColumns(overview, "1h", detail);
    expect(merged.time.length).toBe(10 + 120 + 36);
    expect(Array.from(merged.close.subarray(8, 12))).toEqual([1, 1, 2, 2]);
    expect(merged.time[10 + 120]).toBe(YEAR_FROM + 12 * HOUR);
    for (let i = 1; i < merged.time.length; i++)
      expect(merged.time[i] as number).toBeGreaterThan(merged.time[i - 1] as number);
  });

  it("is the overview when the detail is empty", () => {
    const overview = bars(YEAR_FROM, HOUR, 4, 1);
    expect(mergeColumns(overview, "1h", bars(YEAR_FROM, 60_000, 0, 2))).toBe(overview);
  });
});
