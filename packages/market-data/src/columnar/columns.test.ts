import { describe, expect, it } from "vitest";
import { columnChunks, joinBarColumns, parseBarColumns } from "./columns.ts";

const NAMES = ["t", "o", "h", "l", "c", "v"];

function leb128(n: number): number[] {
  const out: number[] = [];
  do {
    out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  return out;
}

function str(s: string): number[] {
  return [...leb128(s.length), ...new TextEncoder().encode(s)];
}

/**
 * ClickHouse's Native output of six Float64 columns, in blocks of the given sizes: per block the
 * column and row counts, then per column its name, its type and its values (little-endian).
 */
function native(columns: number[][], blocks: number[], names = NAMES, type = "Float64"): Uint8Array {
  const out: number[] = [];
  let from = 0;
  for (const rows of blocks) {
    out.push(...leb128(columns.length), ...leb128(rows));
    columns.forEach((column, k) => {
      out.push(...str(names[k] as string), ...str(type));
      const values = new Uint8Array(new Float64Array(column.slice(from, from + rows)).buffer);
      out.push(...values);
    });
    from += rows;
  }
  return Uint8Array.from(out);
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

describe("columnar response parsing (Native)", () => {
  it("reads the six columns of every block, bit for bit", () => {
    const columns = bars(23);
    const parsed = parseBarColumns(native(columns, [10, 0, 13]));
    expect(parsed.count).toBe(23);
    expect(columnChunks(parsed, 0).map((run) => run.length)).toEqual([80, 104]);
    expectColumns(joinBarColumns([parsed]), columns);
  });

  it("reads a block of more than 127 rows (a multi-byte row count)", () => {
    const columns = bars(300);
    const parsed = parseBarColumns(native(columns, [200, 100]));
    expect(parsed.count).toBe(300);
    expectColumns(joinBarColumns([parsed]), columns);
  });

  it("joins slices in order, keeping the first bars when asked, in exact-length buffers", () => {
    const columns = bars(40);
    const slice = (from: number, to: number, blocks: number[]) =>
      parseBarColumns(
        native(
          columns.map((column) => column.slice(from, to)),
          blocks,
        ),
      );
    const parts = [slice(0, 17, [5, 12]), slice(17, 17, []), slice(17, 40, [23])];
    expect(parts.map((p) => p.count)).toEqual([17, 0, 23]);
    expectColumns(joinBarColumns(parts), columns);
    for (const keep of [0, 3, 5, 10, 17, 18, 40, 99]) {
      const joined = joinBarColumns(parts, keep);
      expect(joined.count).toBe(Math.min(keep, 40));
      expectColumns(joined, columns);
    }
  });

  it("reads an empty response, or a header block without rows, as no bars", () => {
    expect(parseBarColumns(new Uint8Array(0)).count).toBe(0);
    const header = parseBarColumns(native(bars(0), [0]));
    expect(header.count).toBe(0);
    expect(joinBarColumns([header]).count).toBe(0);
  });

  it("rejects responses that are not the six Float64 bar columns, or are cut short", () => {
    const columns = bars(3);
    expect(() => parseBarColumns(native(columns.slice(0, 5), [3]))).toThrow(/5 columns/);
    expect(() => parseBarColumns(native(columns, [3], ["t", "o", "h", "l", "c", "x"]))).toThrow(
      /column 5 is x Float64/,
    );
    expect(() => parseBarColumns(native(columns, [3], NAMES, "Float32"))).toThrow(/t Float32/);
    const bytes = native(columns, [3]);
    expect(() => parseBarColumns(bytes.subarray(0, bytes.length - 1))).toThrow(/ended inside a block/);
    expect(() => parseBarColumns(Uint8Array.of(6, 0x80))).toThrow(/ended inside a number/);
    expect(() => parseBarColumns(new Uint8Array(9).fill(0x80))).toThrow(/too large/);
  });
});
