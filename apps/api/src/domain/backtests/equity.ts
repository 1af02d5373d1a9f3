/**
 * The full equity curve of a backtest, stored in R2 (`BACKTEST_RESULTS`) as a compact binary: "QGEQ",
 * a little-endian u32 format version and u32 count `n`, then the bar times and the equity values.
 * Exact values, no parsing on read.
 * - Version 2 (written): u32 `m` at offset 12, then `m` runs of evenly spaced bar times, each three
 *   f64 (first time, step, number of bars), then `n` equity values (f64). Bars of a series are evenly
 *   spaced between gaps, so the times take a few runs instead of 8 bytes a bar: half the object, and
 *   storing it is what finishing a long backtest waits for.
 * - Version 1 (still read; written when the times have too many gaps to gain): u32 reserved, then `n`
 *   bar times (f64 Unix ms) and `n` equity values (f64), 16 bytes per bar.
 */

const MAGIC = 0x51454751; // "QGEQ" read as little-endian u32
const HEADER_BYTES = 16;
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
  const buffer = header(HEADER_BYTES + m * RUN_BYTES + n * 8, 2, n, m);
  new Float64Array(buffer, HEADER_BYTES, runs.length).set(runs);
  new Float64Array(buffer, HEADER_BYTES + m * RUN_BYTES, n).set(equity);
  return new Uint8Array(buffer);
}

export function decodeEquity(buffer: ArrayBuffer): { time: Float64Array; equity: Float64Array } {
  const view = new DataView(buffer);
  const version = buffer.byteLength < HEADER_BYTES ? 0 : view.getUint32(4, true);
  if (
    view.byteLength < HEADER_BYTES ||
    view.getUint32(0, true) !== MAGIC ||
    (version !== 1 && version !== 2)
  ) {
    throw new Error("not a version-1 or version-2 equity curve");
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
  if (buffer.byteLength !== HEADER_BYTES + m * RUN_BYTES + n * 8) throw new Error("truncated equity curve");
  const runs = new Float64Array(buffer, HEADER_BYTES, m * 3);
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
  return { time, equity: new Float64Array(buffer, HEADER_BYTES + m * RUN_BYTES, n) };
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
