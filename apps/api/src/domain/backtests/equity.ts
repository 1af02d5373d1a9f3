/**
 * The full equity curve of a backtest, stored in R2 (`BACKTEST_RESULTS`) as a compact binary:
 * "QGEQ", a little-endian u32 format version (1) and u32 count, then `count` bar times (f64 Unix ms)
 * and `count` equity values (f64). Exact values, 16 bytes per bar, no parsing on read.
 */

const MAGIC = 0x51454751; // "QGEQ" read as little-endian u32
const HEADER_BYTES = 16;

export function equityKey(backtestId: string): string {
  return `backtests/${backtestId}/equity.bin`;
}

/** Where a remote run's answers are checkpointed (runtimes/checkpoint.ts), beside its curve. */
export function checkpointPrefix(backtestId: string): string {
  return `backtests/${backtestId}/checkpoint`;
}

export function encodeEquity(time: Float64Array, equity: Float64Array): Uint8Array {
  const n = equity.length;
  const buffer = new ArrayBuffer(HEADER_BYTES + n * 16);
  const view = new DataView(buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, 1, true);
  view.setUint32(8, n, true);
  new Float64Array(buffer, HEADER_BYTES, n).set(time.subarray(0, n));
  new Float64Array(buffer, HEADER_BYTES + n * 8, n).set(equity);
  return new Uint8Array(buffer);
}

export function decodeEquity(buffer: ArrayBuffer): { time: Float64Array; equity: Float64Array } {
  const view = new DataView(buffer);
  if (
    buffer.byteLength < HEADER_BYTES ||
    view.getUint32(0, true) !== MAGIC ||
    view.getUint32(4, true) !== 1
  ) {
    throw new Error("not a version-1 equity curve");
  }
  const n = view.getUint32(8, true);
  if (buffer.byteLength !== HEADER_BYTES + n * 16) throw new Error("truncated equity curve");
  return {
    time: new Float64Array(buffer, HEADER_BYTES, n),
    equity: new Float64Array(buffer, HEADER_BYTES + n * 8, n),
  };
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
