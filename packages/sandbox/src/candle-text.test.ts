import { generateSmaxBars } from "@quantago/engine/fixtures/smax";
import { formatIsoUtc } from "@quantago/strategies";
import { rng } from "@quantago/strategies/testing";
import { describe, expect, it } from "vitest";
import { candleTextWasm } from "../build/candle-text-module.ts";
import { CandlePrinter, MAX_PRINTED_BARS } from "./candle-text.ts";

const printer = new CandlePrinter(new WebAssembly.Module(candleTextWasm()));

/** The first number the printer prints differently from JSON.stringify, or null. */
function firstMismatch(
  values: Iterable<number>,
): { value: number; printed: string; expected: string } | null {
  for (const value of values) {
    const printed = printer.number(value);
    const expected = JSON.stringify(value);
    if (printed !== expected) return { value, printed, expected };
  }
  return null;
}

describe("the candle printer's numbers", () => {
  it("prints edge values as JSON.stringify does", () => {
    const edges = [
      0,
      -0,
      1,
      -1,
      0.1,
      0.2,
      0.30000000000000004,
      1 / 3,
      2 / 3,
      5e-324,
      -5e-324,
      2.2250738585072014e-308,
      2.225073858507201e-308,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      Number.MAX_SAFE_INTEGER,
      2 ** 53 + 2,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      1e21,
      1e20,
      999999999999999900000,
      1e-6,
      1e-7,
      1.5e-7,
      0.000001234,
      123456789.12345679,
      168.1604076350229,
      4.35,
      100,
      192,
      1e22,
      1e23,
    ];
    expect(firstMismatch(edges)).toBeNull();
  });

  it("prints every power of two and ten, and their neighbours, as JSON.stringify does", () => {
    const values: number[] = [];
    const f = new Float64Array(1);
    const bits = new BigUint64Array(f.buffer);
    for (let e = -1074; e <= 1023; e++) values.push(2 ** e);
    for (let e = -323; e <= 308; e++) {
      f[0] = Number(`1e${e}`);
      const at = bits[0] as bigint;
      for (const b of [at - 1n, at, at + 1n]) {
        bits[0] = b;
        values.push(f[0] as number, -(f[0] as number));
      }
    }
    expect(firstMismatch(values)).toBeNull();
  });

  it("prints random doubles of every magnitude, and short decimals, as JSON.stringify does", () => {
    const rand = rng(17);
    const f = new Float64Array(1);
    const words = new Uint32Array(f.buffer);
    function* values(): Generator<number> {
      for (let i = 0; i < 300_000; i++) {
        // Any bit pattern: every exponent, subnormals, NaNs and infinities included.
        words[0] = Math.floor(rand() * 2 ** 32);
        words[1] = Math.floor(rand() * 2 ** 32);
        yield f[0] as number;
        // Prices and sizes as exchanges quote them: a few decimals, where ties and trailing zeros are.
        const decimals = Math.floor(rand() * 9);
        yield Math.round(rand() * 10 ** (1 + rand() * 10)) / 10 ** decimals;
        yield Math.floor(rand() * 2 ** 53);
      }
    }
    expect(firstMismatch(values())).toBeNull();
  });
});

describe("the candle printer's batches", () => {
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

  it("prints a batch as JSON.stringify of its candle objects", () => {
    const bars = generateSmaxBars(MAX_PRINTED_BARS + 100);
    const from = 100;
    const to = from + MAX_PRINTED_BARS;
    const length = printer.print(bars, from, to);
    const objects = [];
    for (let i = from; i < to; i++) {
      objects.push({
        time: formatIsoUtc(bars.time[i] as number),
        open: bars.open[i],
        high: bars.high[i],
        low: bars.low[i],
        close: bars.close[i],
        volume: bars.volume[i],
      });
    }
    const text = JSON.stringify(objects);
    expect(decode(printer.text.subarray(0, length))).toBe(text);
    // ends[k + 1] is the byte after candle k's closing brace.
    const ends = Array.from(printer.ends.subarray(0, MAX_PRINTED_BARS + 1));
    expect(ends[0]).toBe(0);
    for (let k = 0; k < MAX_PRINTED_BARS; k++) {
      expect(decode(printer.text.subarray((ends[k] as number) + 1, ends[k + 1]))).toBe(
        JSON.stringify(objects[k]),
      );
    }
  });

  it("prints times across years 0 to 9999 as formatIsoUtc does", () => {
    const rand = rng(5);
    const n = MAX_PRINTED_BARS;
    const from = -62_167_219_200_000;
    const span = 253_402_300_800_000 - from;
    // Day boundaries, leap days and the ends of the range, then random whole milliseconds.
    const times = [
      from,
      from + 59 * 86_400_000,
      from + 60 * 86_400_000 - 1,
      0,
      -1,
      951_782_400_000,
      253_402_300_799_999,
    ];
    while (times.length < n) times.push(from + Math.floor(rand() * span));
    const bars = { ...generateSmaxBars(n), time: Float64Array.from(times) };
    const length = printer.print(bars, 0, n);
    const text = decode(printer.text.subarray(0, length));
    const printedTimes = (JSON.parse(text) as Array<{ time: string }>).map((c) => c.time);
    expect(printedTimes).toEqual(times.map((t) => formatIsoUtc(t)));
  });

  it("prints a full batch of the longest numbers JSON.stringify makes", () => {
    const n = MAX_PRINTED_BARS;
    const longest = Float64Array.from({ length: n }, () => -0.0000012345678901234567);
    const bars = {
      ...generateSmaxBars(n),
      open: longest,
      high: longest,
      low: longest,
      close: longest,
      volume: longest,
    };
    const length = printer.print(bars, 0, n);
    expect(length).toBeGreaterThan(100_000);
    const parsed = JSON.parse(decode(printer.text.subarray(0, length))) as Array<{ close: number }>;
    expect(parsed).toHaveLength(n);
    expect(parsed.every((c) => c.close === -0.0000012345678901234567)).toBe(true);
  });

  it("declines a batch with a time outside years 0–9999, not whole, or not a number, and refuses a bad size", () => {
    const bars = generateSmaxBars(10);
    for (const t of [253_402_300_800_000, -62_167_219_200_001, 1_700_000_000_000.5, Number.NaN]) {
      const time = bars.time.slice();
      time[3] = t;
      expect(printer.print({ ...bars, time }, 0, 10)).toBe(-1);
    }
    expect(printer.print(bars, 0, 10)).toBeGreaterThan(0);
    expect(() => printer.print(bars, 0, 0)).toThrow(RangeError);
    expect(() => printer.print(generateSmaxBars(600), 0, MAX_PRINTED_BARS + 1)).toThrow(RangeError);
  });
});
