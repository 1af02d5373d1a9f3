import { describe, expect, it } from "vitest";
import { BAR_ROW_BYTES, decodeBarsRowBinary, RowBinaryBarDecoder } from "./rowbinary.ts";

/** Encodes rows the way ClickHouse's RowBinary does for six Float64 columns (little-endian). */
function encode(rows: number[][]): Uint8Array {
  const bytes = new Uint8Array(rows.length * BAR_ROW_BYTES);
  const view = new DataView(bytes.buffer);
  rows.forEach((row, i) => {
    row.forEach((value, k) => {
      view.setFloat64(i * BAR_ROW_BYTES + k * 8, value, true);
    });
  });
  return bytes;
}

const ROWS = [
  [1_704_067_200_000, 42_000.5, 42_010.25, 41_990.125, 42_005.75, 12.345678901234567],
  [1_704_067_260_000, 0.1, 0.30000000000000004, -0, 5e-324, Number.MAX_VALUE],
  [1_704_067_320_000, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1, 2],
];

function columnsOf(bars: ReturnType<typeof decodeBarsRowBinary>): number[][] {
  return Array.from({ length: bars.count }, (_, i) =>
    [bars.time, bars.open, bars.high, bars.low, bars.close, bars.volume].map((c) => c[i] ?? Number.NaN),
  );
}

function expectSameBits(actual: number[][], expected: number[][]) {
  expect(actual.length).toBe(expected.length);
  const differing = actual.flatMap((row, i) =>
    row.filter((v, k) => !Object.is(v, expected[i]?.[k])).map(() => i),
  );
  expect(differing).toEqual([]);
}

describe("RowBinary bar decoding", () => {
  it("decodes six Float64 columns per row, bit for bit", () => {
    const bars = decodeBarsRowBinary([encode(ROWS)]);
    expect(bars.count).toBe(3);
    expectSameBits(columnsOf(bars), ROWS);
  });

  it("handles a row split at every possible byte, and one-byte chunks", () => {
    const bytes = encode(ROWS);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const bars = decodeBarsRowBinary([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expectSameBits(columnsOf(bars), ROWS);
    }
    const single = decodeBarsRowBinary(Array.from(bytes, (b) => Uint8Array.of(b)));
    expectSameBits(columnsOf(single), ROWS);
  });

  it("reads chunks that are views at odd offsets into larger buffers", () => {
    const bytes = encode(ROWS);
    const padded = new Uint8Array(bytes.length + 7);
    padded.set(bytes, 3);
    const bars = decodeBarsRowBinary([padded.subarray(3, 3 + 50), padded.subarray(3 + 50, 3 + bytes.length)]);
    expectSameBits(columnsOf(bars), ROWS);
  });

  it("grows past its initial capacity and returns exact-length columns", () => {
    const rows = Array.from({ length: 5_000 }, (_, i) => [i * 60_000, i, i + 1, i - 1, i + 0.5, i * 0.001]);
    const decoder = new RowBinaryBarDecoder(16);
    const bytes = encode(rows);
    for (let at = 0; at < bytes.length; at += 1_000) decoder.push(bytes.subarray(at, at + 1_000));
    expect(decoder.rows).toBe(5_000);
    const bars = decoder.finish();
    expect(bars.count).toBe(5_000);
    expect(bars.close.length).toBe(5_000);
    expect(bars.close.buffer.byteLength).toBe(5_000 * 8);
    expectSameBits(columnsOf(bars), rows);
    expect(new RowBinaryBarDecoder(16).finish(0).count).toBe(0);
  });

  it("caps the result at maxRows", () => {
    const decoder = new RowBinaryBarDecoder();
    decoder.push(encode(ROWS));
    const bars = decoder.finish(2);
    expect(bars.count).toBe(2);
    expect(bars.time.length).toBe(2);
  });

  it("rejects a stream that ends inside a row", () => {
    const bytes = encode(ROWS);
    expect(() => decodeBarsRowBinary([bytes.subarray(0, bytes.length - 1)])).toThrow(/inside a row/);
    expect(decodeBarsRowBinary([]).count).toBe(0);
  });
});
