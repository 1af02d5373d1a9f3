import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { civilFromDays, DAY_MS, daysFromCivil, formatIsoUtc, weekdayFromDays } from "./time.ts";

// The tests may use Date as an oracle; the library itself does not.
describe("calendar arithmetic", () => {
  it("round-trips and agrees with Date for years 1900–2200", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: daysFromCivil(1900, 1, 1), max: daysFromCivil(2200, 12, 31) }),
        (days) => {
          const d = new Date(days * DAY_MS);
          const c = civilFromDays(days);
          expect(c).toEqual({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
          expect(daysFromCivil(c.year, c.month, c.day)).toBe(days);
          expect(weekdayFromDays(days)).toBe(d.getUTCDay());
        },
      ),
    );
  });

  it("formats ISO strings like Date.prototype.toISOString", () => {
    fc.assert(
      fc.property(fc.integer({ min: -2_000_000_000_000, max: 4_000_000_000_000 }), (ms) => {
        expect(formatIsoUtc(ms)).toBe(new Date(ms).toISOString());
      }),
    );
    expect(formatIsoUtc(1_577_836_800_000)).toBe("2020-01-01T00:00:00.000Z");
    expect(daysFromCivil(2020, 1, 1)).toBe(18262);
  });
});
