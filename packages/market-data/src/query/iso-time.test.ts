import { rng } from "@quantago/strategies/testing";
import { describe, expect, it } from "vitest";
import { IsoTimeFormatter } from "./iso-time.ts";

describe("IsoTimeFormatter", () => {
  it("equals toISOString on ascending times with minute steps, gaps and odd milliseconds", () => {
    const rand = rng(3);
    const iso = new IsoTimeFormatter();
    let t = Date.UTC(1969, 11, 31, 22, 0); // crosses the epoch, where day numbers turn negative
    const differing: number[] = [];
    for (let i = 0; i < 50_000; i++) {
      const r = rand();
      t +=
        r < 0.9
          ? 60_000
          : r < 0.95
            ? Math.floor(rand() * 3 * 86_400_000)
            : r < 0.97
              ? 400 * 86_400_000
              : 1 + Math.floor(rand() * 999);
      if (iso.format(t) !== new Date(t).toISOString()) differing.push(t);
    }
    expect(differing).toEqual([]);
  });

  it("handles extended years, fractional milliseconds and out-of-order times like toISOString", () => {
    const iso = new IsoTimeFormatter();
    const times = [
      -8.64e15, -62_198_755_200_000, -1, -0.5, 0, 1.5, 86_399_999, 86_400_000.999, 3_600_000, 0,
      253_402_300_799_999, 253_402_300_800_000, 8.64e15,
    ];
    expect(times.map((t) => iso.format(t))).toEqual(times.map((t) => new Date(t).toISOString()));
  });

  it("throws toISOString's RangeError for invalid times", () => {
    const iso = new IsoTimeFormatter();
    expect(() => iso.format(Number.NaN)).toThrow(RangeError);
    expect(() => iso.format(8.64e15 + 1)).toThrow(RangeError);
  });
});
