import { describe, expect, it } from "vitest";
import { joinBarColumns, parseBarColumns } from "./columns.ts";

/** RowBinary of one `Array(Float64)` row: LEB128 element count, then the values little-endian. */
function encode(values: number[]): Uint8Array {
  const head: number[] = [];
  let n = values.length;
  do {
    head.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  const out = new Uint8Array(head.length + values.length * 8);
  out.set(head, 0);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    view.setFloat64(head.length + i * 8, v, true);
  });
  return out;
}

/** `count` bars whose columns are time, open, high, low, close, volume, with edge values. */
function bars(count: number): number[][] {
  const special = [-0, 5e-324, Number.MAX_VALUE, Number.NaN, Number.POSITIVE_INFINITY, 0.1];
  return [
    Array.from({ length: count }, (_, i) => 1_704_067_200_000 + i * 60_000),
    Array.from({ length: count }, (_, i) => 100 + i / 7),
    Array.from({ length: count }, (_, i) => special[i % special.length] as number),
    Array.from({ length: count }, (_, i) => -i),
    Array.from({ length: count }, (_, i) => i * 1e21),
    Array.from({ length: count }, (_, i) => i / 3),
  ];
}

function expectColumns(actual: ReturnType<typeof joinBarColumns>, expected: number[][]) {
  const got = [actual.time, actual.open, actual.high, actual.low, actual.close, actual.volume];
  got.forEach((column, k) => {
    expect(column).toBeInstanceOf(Float64Array);
    expect(column.buffer.byteLength).toBe(actual.count * 8);
    const want = (expected[k] as number[]).slice(0, actual.count);
    // Object.is: bit-level equality, including -0 and NaN.
    expect(Array.from(column).every((v, i) => Object.is(v, want[i]))).toBe(true);
  });
}

describe("columnar response parsing", () => {
  it("reads the count and the six columns", () => {
    const columns = bars(23); // 138 values: a two-byte count
    const parsed = parseBarColumns(encode(columns.flat()));
    expect(parsed.count).toBe(23);
    expect(parsed.payload.length).toBe(23 * 48);
    expectColumns(joinBarColumns([parsed]), columns);
  });

  it("joins slices in order, keeping the first bars when asked, in exact-length buffers", () => {
    const columns = bars(40);
    const slice = (from: number, to: number) =>
      parseBarColumns(encode(columns.flatMap((column) => column.slice(from, to))));
    const parts = [slice(0, 17), slice(17, 17), slice(17, 40)];
    expect(parts.map((p) => p.count)).toEqual([17, 0, 23]);
    expectColumns(joinBarColumns(parts), columns);
    for (const keep of [0, 10, 17, 18, 40, 99]) {
      const joined = joinBarColumns(parts, keep);
      expect(joined.count).toBe(Math.min(keep, 40));
      expectColumns(joined, columns);
    }
  });

  it("reads an empty response as no bars", () => {
    const parsed = parseBarColumns(encode([]));
    expect(parsed.count).toBe(0);
    expect(joinBarColumns([parsed]).count).toBe(0);
  });

  it("rejects responses that are not six whole columns", () => {
    expect(() => parseBarColumns(encode([1, 2, 3, 4, 5]))).toThrow(/six columns/);
    expect(() => parseBarColumns(new Uint8Array(0))).toThrow(/before its element count/);
    expect(() => parseBarColumns(Uint8Array.of(0x80, 0x80))).toThrow(/before its element count/);
    expect(() => parseBarColumns(new Uint8Array(9).fill(0x80))).toThrow(/does not start with/);
    const bytes = encode(bars(3).flat());
    expect(() => parseBarColumns(bytes.subarray(0, bytes.length - 1))).toThrow(/bytes for 18 values/);
    const long = new Uint8Array(bytes.length + 1);
    long.set(bytes);
    expect(() => parseBarColumns(long)).toThrow(/bytes for 18 values/);
  });
});
