import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dstInterval, isInVenueSession, utcOffsetMs, type VenueTimeZone, venueMask } from "./venue.ts";

const HOUR = 3_600_000;

/** Offset from the host's ICU data, used only as an oracle in tests. */
function intlOffset(zone: VenueTimeZone, ms: number): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(ms);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const local = Date.UTC(
    get("year"),
    get("month") - 1,
    get("day"),
    get("hour"),
    get("minute"),
    get("second"),
  );
  return local - Math.floor(ms / 1000) * 1000;
}

describe("time zones", () => {
  it("implements the documented DST transitions", () => {
    // EU: last Sunday of March / October at 01:00 UTC.
    expect(dstInterval("Europe/London", 2024)).toEqual([Date.UTC(2024, 2, 31, 1), Date.UTC(2024, 9, 27, 1)]);
    expect(dstInterval("Europe/London", 2021)).toEqual([Date.UTC(2021, 2, 28, 1), Date.UTC(2021, 9, 31, 1)]);
    // US since 2007: second Sunday of March 07:00 UTC / first Sunday of November 06:00 UTC.
    expect(dstInterval("America/New_York", 2024)).toEqual([
      Date.UTC(2024, 2, 10, 7),
      Date.UTC(2024, 10, 3, 6),
    ]);
    expect(dstInterval("America/New_York", 2020)).toEqual([
      Date.UTC(2020, 2, 8, 7),
      Date.UTC(2020, 10, 1, 6),
    ]);
    // US 1987–2006: first Sunday of April / last Sunday of October.
    expect(dstInterval("America/New_York", 2006)).toEqual([
      Date.UTC(2006, 3, 2, 7),
      Date.UTC(2006, 9, 29, 6),
    ]);
    expect(dstInterval("Asia/Tokyo", 2024)).toBeNull();
  });

  it("switches exactly at the transition instants", () => {
    const start = Date.UTC(2024, 2, 31, 1);
    expect(utcOffsetMs("Europe/London", start - 1)).toBe(0);
    expect(utcOffsetMs("Europe/London", start)).toBe(HOUR);
    const end = Date.UTC(2024, 10, 3, 6);
    expect(utcOffsetMs("America/New_York", end - 1)).toBe(-4 * HOUR);
    expect(utcOffsetMs("America/New_York", end)).toBe(-5 * HOUR);
    expect(utcOffsetMs("Asia/Tokyo", Date.UTC(2024, 6, 1))).toBe(9 * HOUR);
  });

  it("agrees with the IANA database for 1996–2037", () => {
    const zones: VenueTimeZone[] = ["Europe/London", "America/New_York", "Asia/Tokyo"];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: Date.UTC(1996, 0, 1), max: Date.UTC(2037, 11, 31) }),
        (zone, ms) => {
          expect(utcOffsetMs(zone, ms)).toBe(intlOffset(zone, ms));
        },
      ),
      { numRuns: 2000 },
    );
    // And around every transition of a few years, to the minute.
    for (const zone of zones) {
      for (let year = 2000; year <= 2030; year += 3) {
        const dst = dstInterval(zone, year);
        if (dst === null) continue;
        for (const t of dst) {
          for (const d of [-60_000, 0, 60_000])
            expect(utcOffsetMs(zone, t + d)).toBe(intlOffset(zone, t + d));
        }
      }
    }
  });
});

describe("venue sessions", () => {
  it("uses local hours [open, close) on weekdays", () => {
    // Tuesday 2024-04-02, BST: 08:00 local = 07:00 UTC.
    expect(isInVenueSession("london", Date.UTC(2024, 3, 2, 6, 59))).toBe(false);
    expect(isInVenueSession("london", Date.UTC(2024, 3, 2, 7, 0))).toBe(true);
    expect(isInVenueSession("london", Date.UTC(2024, 3, 2, 14, 59))).toBe(true);
    expect(isInVenueSession("london", Date.UTC(2024, 3, 2, 15, 0))).toBe(false);
    // Friday 2024-03-29, GMT: 08:00 local = 08:00 UTC.
    expect(isInVenueSession("london", Date.UTC(2024, 2, 29, 7, 30))).toBe(false);
    expect(isInVenueSession("london", Date.UTC(2024, 2, 29, 8, 0))).toBe(true);
    // Saturday.
    expect(isInVenueSession("london", Date.UTC(2024, 2, 30, 10))).toBe(false);
    // New York 08–17, NYSE/NASDAQ 09–16 (EDT in July: UTC-4).
    expect(isInVenueSession("newyork", Date.UTC(2024, 6, 1, 12))).toBe(true);
    expect(isInVenueSession("nyse", Date.UTC(2024, 6, 1, 12))).toBe(false);
    expect(isInVenueSession("nasdaq", Date.UTC(2024, 6, 1, 13))).toBe(true);
    expect(isInVenueSession("nasdaq", Date.UTC(2024, 6, 1, 20))).toBe(false);
    // Across the US change: Friday 2024-03-08 09:00 EST = 14:00 UTC, Monday 2024-03-11 09:00 EDT = 13:00 UTC.
    expect(isInVenueSession("nyse", Date.UTC(2024, 2, 8, 13))).toBe(false);
    expect(isInVenueSession("nyse", Date.UTC(2024, 2, 8, 14))).toBe(true);
    expect(isInVenueSession("nyse", Date.UTC(2024, 2, 11, 13))).toBe(true);
    expect(isInVenueSession("nyse", Date.UTC(2024, 2, 11, 20))).toBe(false);
    // Tokyo 09–18 JST = 00–09 UTC; Monday 2024-04-01.
    expect(isInVenueSession("tokyo", Date.UTC(2024, 3, 1, 0))).toBe(true);
    expect(isInVenueSession("tokyo", Date.UTC(2024, 3, 1, 9))).toBe(false);
    expect(isInVenueSession("crypto", Date.UTC(2024, 2, 30, 3))).toBe(true);
  });

  it("builds a mask only for intraday bars of session venues", () => {
    const time = Float64Array.from({ length: 48 }, (_, i) => Date.UTC(2024, 2, 11) + i * HOUR);
    const mask = venueMask(time, "nyse", HOUR);
    expect(Array.from(mask ?? []).flatMap((v, i) => (v ? [i] : []))).toEqual([
      13, 14, 15, 16, 17, 18, 19, 37, 38, 39, 40, 41, 42, 43,
    ]);
    expect(venueMask(time, "crypto", HOUR)).toBeNull();
    expect(venueMask(time, "nyse", 86_400_000)).toBeNull();
  });
});
