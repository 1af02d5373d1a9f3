/**
 * The full equity curve of a backtest, stored in R2 (`BACKTEST_RESULTS`) as a compact binary: "QGEQ",
 * a little-endian u32 format version and u32 count `n`, then the bar times and the equity values.
 * Exact values (every bit, -0 and NaN payloads included), no parsing on read. The writer picks the
 * smallest of the versions below; every version stays readable.
 * - Version 3 (written when the curve repeats itself, as it does whenever the run is flat: about half
 *   the bars of the SMAX reference run): u32 `m` at offset 12, u32 `k` at 16, u32 reserved at 20; then
 *   the `m` time runs of version 2; then the `k` equity values that differ (bit for bit) from the bar
 *   before, in bar order (f64); then a bitmap of `n` bits, bar `i` at bit `i % 8` of byte `i / 8`, set
 *   when bar `i` repeats the value of bar `i - 1` (never set for bar 0). 8 bytes a changed bar and one
 *   bit a bar instead of 8 bytes a bar: the SMAX curve goes from 8 MB to 4.3 MB.
 * - Version 2: u32 `m` at offset 12, then `m` runs of evenly spaced bar times, each three f64 (first
 *   time, step, number of bars), then `n` equity values (f64). Bars of a series are evenly spaced
 *   between gaps, so the times take a few runs instead of 8 bytes a bar.
 * - Version 1 (written when the times have too many gaps to gain): u32 reserved, then `n` bar times
 *   (f64 Unix ms) and `n` equity values (f64), 16 bytes per bar.
 */

const MAGIC = 0x51454751; // "QGEQ" read as little-endian u32
const HEADER_BYTES = 16;
/** Version 3's header: version 2's plus `k` and a reserved u32, so the f64 sections stay aligned. */
const HEADER_V3_BYTES = 24;
const RUN_BYTES = 24;

export function equityKey(backtestId: string): string {
  return `backtests/${backtestId}/equity.bin`;
}

/** Where a remote run's answers are checkpointed (runtimes/checkpoint.ts), beside its curve. */
export function checkpointPrefix(backtestId: string): string {
  return `backtests/${backtestId}/checkpoint`;
}

/** `[first, step, count]` for each run of evenly spaced times (a lone time is a run of step 0). */
function timeRuns(time: Float64Array): number[] {
  const runs: number[] = [];
  let i = 0;
  while (i < time.length) {
    const first = time[i] as number;
    const step = i + 1 < time.length ? (time[i + 1] as number) - first : 0;
    let count = 1;
    // Exact float comparison on purpose: a run must give back every time bit for bit.
    while (i + count < time.length && (time[i + count] as number) === first + step * count) count += 1;
    runs.push(first, step, count);
    i += count;
  }
  return runs;
}

function header(bytes: number, version: number, n: number, m: number): ArrayBuffer {
  const buffer = new ArrayBuffer(bytes);
  const view = new DataView(buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, version, true);
  view.setUint32(8, n, true);
  view.setUint32(12, m, true);
  return buffer;
}

/**
 * Version 3's view of a curve: the bitmap (bit `i` set when value `i` has the bits of value `i - 1`),
 * the number of values to store, and the runs of stored values as `[from, to)` index pairs. Compared as
 * two u32 halves: bit for bit, so -0 and NaN payloads survive.
 */
function repeats(words: Uint32Array, n: number): { bitmap: Uint8Array; kept: number; spans: number[] } {
  const bitmap = new Uint8Array(Math.ceil(n / 8));
  const spans: number[] = [];
  let kept = 0;
  let from = 0;
  for (let i = 1; i < n; i++) {
    if (words[2 * i] === words[2 * i - 2] && words[2 * i + 1] === words[2 * i - 1]) {
      bitmap[i >>> 3] = (bitmap[i >>> 3] as number) | (1 << (i & 7));
      if (from >= 0) {
        spans.push(from, i);
        kept += i - from;
        from = -1;
      }
    } else if (from < 0) {
      from = i;
    }
  }
  if (n > 0 && from >= 0) {
    spans.push(from, n);
    kept += n - from;
  }
  return { bitmap, kept, spans };
}

/** Exact-bits u32 view of a Float64Array (its offset is a multiple of 8, so always aligned). */
function wordsOf(values: Float64Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
}

export function encodeEquity(time: Float64Array, equity: Float64Array): Uint8Array {
  const n = equity.length;
  const times = time.subarray(0, n);
  const runs = timeRuns(times);
  const m = runs.length / 3;
  if (m * RUN_BYTES >= n * 8) {
    const buffer = header(HEADER_BYTES + n * 16, 1, n, 0);
    new Float64Array(buffer, HEADER_BYTES, n).set(times);
    new Float64Array(buffer, HEADER_BYTES + n * 8, n).set(equity);
    return new Uint8Array(buffer);
  }
  const words = wordsOf(equity);
  const { bitmap, kept, spans } = repeats(words, n);
  const v3Bytes = HEADER_V3_BYTES + m * RUN_BYTES + kept * 8 + bitmap.length;
  if (v3Bytes >= HEADER_BYTES + m * RUN_BYTES + n * 8) {
    const buffer = header(HEADER_BYTES + m * RUN_BYTES + n * 8, 2, n, m);
    new Float64Array(buffer, HEADER_BYTES, runs.length).set(runs);
    new Float64Array(buffer, HEADER_BYTES + m * RUN_BYTES, n).set(equity);
    return new Uint8Array(buffer);
  }
  const buffer = header(v3Bytes, 3, n, m);
  new DataView(buffer).setUint32(16, kept, true);
  new Float64Array(buffer, HEADER_V3_BYTES, runs.length).set(runs);
  const valuesAt = HEADER_V3_BYTES + m * RUN_BYTES;
  const out = new Uint32Array(buffer, valuesAt, kept * 2);
  let at = 0;
  for (let s = 0; s < spans.length; s += 2) {
    const from = spans[s] as number;
    const to = spans[s + 1] as number;
    out.set(words.subarray(2 * from, 2 * to), at);
    at += 2 * (to - from);
  }
  new Uint8Array(buffer, valuesAt + kept * 8).set(bitmap);
  return new Uint8Array(buffer);
}

/** The bar times of `m` runs starting at `offset` (versions 2 and 3). */
function timesFromRuns(buffer: ArrayBuffer, offset: number, m: number, n: number): Float64Array {
  const runs = new Float64Array(buffer, offset, m * 3);
  const time = new Float64Array(n);
  let i = 0;
  for (let r = 0; r < m; r++) {
    const first = runs[r * 3] as number;
    const step = runs[r * 3 + 1] as number;
    const count = runs[r * 3 + 2] as number;
    if (i + count > n) throw new Error("corrupt equity curve");
    for (let k = 0; k < count; k++) time[i + k] = first + step * k;
    i += count;
  }
  if (i !== n) throw new Error("corrupt equity curve");
  return time;
}

export function decodeEquity(buffer: ArrayBuffer): { time: Float64Array; equity: Float64Array } {
  const view = new DataView(buffer);
  const version = buffer.byteLength < HEADER_BYTES ? 0 : view.getUint32(4, true);
  if (
    view.byteLength < HEADER_BYTES ||
    view.getUint32(0, true) !== MAGIC ||
    (version !== 1 && version !== 2 && version !== 3)
  ) {
    throw new Error("not a version 1, 2 or 3 equity curve");
  }
  const n = view.getUint32(8, true);
  if (version === 1) {
    if (buffer.byteLength !== HEADER_BYTES + n * 16) throw new Error("truncated equity curve");
    return {
      time: new Float64Array(buffer, HEADER_BYTES, n),
      equity: new Float64Array(buffer, HEADER_BYTES + n * 8, n),
    };
  }
  const m = view.getUint32(12, true);
  if (version === 2) {
    if (buffer.byteLength !== HEADER_BYTES + m * RUN_BYTES + n * 8) throw new Error("truncated equity curve");
    return {
      time: timesFromRuns(buffer, HEADER_BYTES, m, n),
      equity: new Float64Array(buffer, HEADER_BYTES + m * RUN_BYTES, n),
    };
  }
  if (buffer.byteLength < HEADER_V3_BYTES) throw new Error("truncated equity curve");
  const kept = view.getUint32(16, true);
  const valuesAt = HEADER_V3_BYTES + m * RUN_BYTES;
  if (buffer.byteLength !== valuesAt + kept * 8 + Math.ceil(n / 8)) throw new Error("truncated equity curve");
  const stored = new Uint32Array(buffer, valuesAt, kept * 2);
  const bitmap = new Uint8Array(buffer, valuesAt + kept * 8, Math.ceil(n / 8));
  const equity = new Float64Array(n);
  const words = wordsOf(equity);
  let j = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0 && ((bitmap[i >>> 3] as number) >>> (i & 7)) & 1) {
      words[2 * i] = words[2 * i - 2] as number;
      words[2 * i + 1] = words[2 * i - 1] as number;
    } else {
      if (j >= kept * 2) throw new Error("corrupt equity curve");
      words[2 * i] = stored[j++] as number;
      words[2 * i + 1] = stored[j++] as number;
    }
  }
  if (j !== kept * 2) throw new Error("corrupt equity curve");
  return { time: timesFromRuns(buffer, HEADER_V3_BYTES, m, n), equity };
}

/**
 * Indices of at most `points` samples of the curve that keep its shape: the first and last bar, and
 * in each of `points / 2` equal buckets its lowest and highest value (in time order), so drawdowns
 * and peaks survive downsampling. Returns every index when the curve is short enough.
 */
export function downsampleIndices(equity: Float64Array, points: number): number[] {
  const n = equity.length;
  if (n <= points) return Array.from({ length: n }, (_, i) => i);
  const buckets = Math.max(1, Math.floor((points - 2) / 2));
  const picked = new Set<number>([0, n - 1]);
  for (let b = 0; b < buckets; b++) {
    const start = 1 + Math.floor((b * (n - 2)) / buckets);
    const end = 1 + Math.floor(((b + 1) * (n - 2)) / buckets);
    if (start >= end) continue;
    let lo = start;
    let hi = start;
    for (let i = start + 1; i < end; i++) {
      const v = equity[i] as number;
      if (v < (equity[lo] as number)) lo = i;
      if (v > (equity[hi] as number)) hi = i;
    }
    picked.add(lo);
    picked.add(hi);
  }
  return [...picked].sort((a, b) => a - b);
}
