import { describe, expect, it } from "vitest";
import {
  hasNul,
  isRepresentableTime,
  nulFreeStringSchema,
  REPRESENTABLE_TIME,
  representableInstantSchema,
  representableTimeSchema,
} from "./index.ts";

describe("representable times", () => {
  it("spans Monday 1970-01-05 (inclusive) to 2100-01-01 (exclusive)", () => {
    expect(new Date(REPRESENTABLE_TIME.fromMs).toISOString()).toBe("1970-01-05T00:00:00.000Z");
    expect(new Date(REPRESENTABLE_TIME.fromMs).getUTCDay()).toBe(1);
    expect(new Date(REPRESENTABLE_TIME.toMs).toISOString()).toBe("2100-01-01T00:00:00.000Z");
  });

  it("refuses times no layer can hold, and fractions of a millisecond", () => {
    for (const ms of [9_000_000_000_000_000, -62_167_219_200_000, 0])
      expect(isRepresentableTime(ms), String(ms)).toBe(false);
    expect(isRepresentableTime(REPRESENTABLE_TIME.toMs)).toBe(false);
    expect(isRepresentableTime(REPRESENTABLE_TIME.toMs - 1)).toBe(true);
    expect(isRepresentableTime(REPRESENTABLE_TIME.fromMs)).toBe(true);
    expect(isRepresentableTime(REPRESENTABLE_TIME.fromMs - 1)).toBe(false);
    expect(isRepresentableTime(Date.UTC(2024, 0, 1) + 0.5)).toBe(false);
    expect(isRepresentableTime(Number.NaN)).toBe(false);
    expect(representableTimeSchema.safeParse(REPRESENTABLE_TIME.toMs).success).toBe(true);
    expect(representableTimeSchema.safeParse(REPRESENTABLE_TIME.toMs + 1).success).toBe(false);
  });

  it("reads dates as instants only inside the range", () => {
    expect(representableInstantSchema.parse("2024-01-01")).toBe(Date.UTC(2024, 0, 1));
    expect(representableInstantSchema.parse("2100-01-01")).toBe(REPRESENTABLE_TIME.toMs);
    for (const text of ["0000-01-01", "1969-12-31", "9999-12-31T00:00:00Z", "2100-01-01T00:00:00.001Z"]) {
      const result = representableInstantSchema.safeParse(text);
      expect(result.success, text).toBe(false);
      expect(result.error?.issues[0]?.message, text).toMatch(
        /^time must be between 1970-01-05T00:00:00.000Z/,
      );
    }
  });
});

describe("NUL characters", () => {
  it("are refused by nulFreeStringSchema and nothing else", () => {
    expect(hasNul("a\u0000b")).toBe(true);
    expect(hasNul("a\\u0000b")).toBe(false);
    expect(nulFreeStringSchema.safeParse("ok \u00e9\n").success).toBe(true);
    expect(nulFreeStringSchema.safeParse("\u0000").error?.issues[0]?.message).toMatch(/NUL/);
  });
});
