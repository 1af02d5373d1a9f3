import { describe, expect, it } from "vitest";
import { readBarColumns, startBarColumns } from "./columns.ts";

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

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
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

function expectColumns(actual: Awaited<ReturnType<typeof readBarColumns>>, expected: number[][]) {
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
  it("reads counts and columns split at every byte, including inside the count", async () => {
    const columns = bars(23); // 138 values: a two-byte count
    const bytes = encode(columns.flat());
    for (let cut = 0; cut <= bytes.length; cut++) {
      const opened = await startBarColumns(streamOf([bytes.subarray(0, cut), bytes.subarray(cut)]));
      expect(opened.count).toBe(23);
      expectColumns(await readBarColumns(opened), columns);
    }
    const single = await startBarColumns(streamOf(Array.from(bytes, (b) => Uint8Array.of(b))));
    expectColumns(await readBarColumns(single), columns);
  });

  it("keeps the first bars of each column when asked, in exact-length buffers", async () => {
    const columns = bars(1_000);
    const bytes = encode(columns.flat());
    const chunks = [];
    for (let at = 0; at < bytes.length; at += 4096) chunks.push(bytes.subarray(at, at + 4096));
    const opened = await startBarColumns(streamOf(chunks));
    expect(opened.count).toBe(1_000);
    const first = await readBarColumns(opened, 10);
    expect(first.count).toBe(10);
    expectColumns(first, columns);
  });

  it("reads an empty response as no bars", async () => {
    const opened = await startBarColumns(streamOf([encode([])]));
    expect(opened.count).toBe(0);
    expect((await readBarColumns(opened)).count).toBe(0);
  });

  it("rejects responses that are not six whole columns", async () => {
    await expect(startBarColumns(streamOf([encode([1, 2, 3, 4, 5])]))).rejects.toThrow(/six columns/);
    await expect(startBarColumns(streamOf([]))).rejects.toThrow(/before its element count/);
    await expect(startBarColumns(streamOf([Uint8Array.of(0x80, 0x80)]))).rejects.toThrow(
      /before its element count/,
    );
    const bytes = encode(bars(4).flat());
    const short = await startBarColumns(streamOf([bytes.subarray(0, bytes.length - 1)]));
    await expect(readBarColumns(short)).rejects.toThrow(/ended after/);
    const long = await startBarColumns(streamOf([bytes, Uint8Array.of(1)]));
    await expect(readBarColumns(long)).rejects.toThrow(/longer than/);
  });
});
