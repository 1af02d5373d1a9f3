/**
 * The closed trades of a run as one binary blob: a fixed header, then one column after another.
 * Meant to be stored as is (an R2 object, a bytea) and read back without parsing: decoding makes
 * typed-array views over the bytes, so a page of the table, a sort by a column or an export only
 * touches the columns it needs.
 *
 * Layout, version 1, all numbers little-endian, `n` = number of trades:
 *
 * | offset | size | content |
 * |---|---|---|
 * | 0 | 4 | ASCII `QTRD` |
 * | 4 | 2 | uint16 version (1) |
 * | 6 | 2 | uint16 header size in bytes (16): the first column starts here |
 * | 8 | 4 | uint32 `n` |
 * | 12 | 4 | uint32 reserved (0) |
 * | 16 | 8n each | float64 columns, in this order: `entryTime`, `exitTime`, `size`, `entryPrice`, `entryFee`, `exitPrice`, `exitFee`, `pnl` |
 * | 16 + 64n | 4n each | int32 columns: `entryIndex`, `entrySignalIndex`, `exitIndex`, `exitSignalIndex` |
 * | 16 + 80n | n | uint8 `reason` (index into `EXIT_REASONS`) |
 *
 * Total `16 + 81n` bytes. The float64 columns come first so that every column is aligned to its
 * element size when the blob itself starts at an 8-byte boundary. Field meanings are those of
 * `TradeColumns` / `Trade`; times are the bars' times of the fill bars (Unix ms), stored so the blob
 * can be read without the bars. Signal notes are not in the blob (`tradeNotes` has them).
 *
 * @module
 */

import type { TradeColumns } from "./trade-log.ts";

/** The four ASCII bytes a trade blob starts with. */
const MAGIC = [0x51, 0x54, 0x52, 0x44]; // "QTRD"
const VERSION = 1;
const HEADER_BYTES = 16;
const F64_NAMES = [
  "entryTime",
  "exitTime",
  "size",
  "entryPrice",
  "entryFee",
  "exitPrice",
  "exitFee",
  "pnl",
] as const;
const I32_NAMES = ["entryIndex", "entrySignalIndex", "exitIndex", "exitSignalIndex"] as const;
/** Bytes per trade in a blob. */
export const TRADE_BLOB_BYTES_PER_TRADE = F64_NAMES.length * 8 + I32_NAMES.length * 4 + 1;

/** Closed trades read from a blob: the columns of `TradeColumns` plus the fill times. */
export interface StoredTradeColumns extends TradeColumns {
  readonly entryTime: Float64Array;
  readonly exitTime: Float64Array;
}

// Typed arrays use the host's byte order; the format is little-endian, which every runtime the
// project targets (x86-64 and ARM64 servers, Workers) is. A big-endian host is refused, not misread.
function assertLittleEndian(): void {
  if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) {
    throw new Error("trade blobs are little-endian; this host is big-endian");
  }
}

/**
 * Encodes closed trades as a blob (layout in the module documentation). `time` is the bars' time
 * column, from which the entry and exit times are taken.
 *
 * @example
 * ```ts
 * const result = runBacktest(bars, strategy, config);
 * const blob = encodeTradeColumns(result.tradeColumns, bars.time); // 16 + 81 * count bytes
 * ```
 */
export function encodeTradeColumns(columns: TradeColumns, time: Float64Array): Uint8Array {
  assertLittleEndian();
  const n = columns.count;
  const bytes = new Uint8Array(HEADER_BYTES + n * TRADE_BLOB_BYTES_PER_TRADE);
  bytes.set(MAGIC, 0);
  const header = new DataView(bytes.buffer);
  header.setUint16(4, VERSION, true);
  header.setUint16(6, HEADER_BYTES, true);
  header.setUint32(8, n, true);
  const f64 = (k: number) => new Float64Array(bytes.buffer, HEADER_BYTES + k * 8 * n, n);
  const entryTime = f64(0);
  const exitTime = f64(1);
  for (let k = 0; k < n; k++) {
    entryTime[k] = time[columns.entryIndex[k] as number] as number;
    exitTime[k] = time[columns.exitIndex[k] as number] as number;
  }
  F64_NAMES.forEach((name, k) => {
    if (name !== "entryTime" && name !== "exitTime") f64(k).set(columns[name].subarray(0, n));
  });
  const i32Start = HEADER_BYTES + F64_NAMES.length * 8 * n;
  I32_NAMES.forEach((name, k) => {
    new Int32Array(bytes.buffer, i32Start + k * 4 * n, n).set(columns[name].subarray(0, n));
  });
  bytes.set(columns.reason.subarray(0, n), i32Start + I32_NAMES.length * 4 * n);
  return bytes;
}

/**
 * Reads a blob written by {@link encodeTradeColumns}. The columns are views over `bytes` (no copy)
 * when it starts at an 8-byte boundary of its buffer, as a fresh `ArrayBuffer` from storage does;
 * otherwise over a copy. Throws on a wrong magic, version or length.
 *
 * @example
 * ```ts
 * const trades = decodeTradeColumns(new Uint8Array(await object.arrayBuffer()));
 * trades.pnl[0]; // pnl of the first trade
 * ```
 */
export function decodeTradeColumns(bytes: Uint8Array): StoredTradeColumns {
  assertLittleEndian();
  if (bytes.length < HEADER_BYTES || MAGIC.some((b, k) => bytes[k] !== b)) {
    throw new Error("not a trade blob (magic QTRD missing)");
  }
  const header = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  const version = header.getUint16(4, true);
  if (version !== VERSION) throw new Error(`unsupported trade blob version ${version}`);
  const start = header.getUint16(6, true);
  const n = header.getUint32(8, true);
  if (bytes.length !== start + n * TRADE_BLOB_BYTES_PER_TRADE) {
    throw new Error(`trade blob of ${bytes.length} bytes does not hold ${n} trades`);
  }
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const base = aligned.byteOffset + start;
  const f64 = (k: number) => new Float64Array(aligned.buffer, base + k * 8 * n, n);
  const i32 = (k: number) => new Int32Array(aligned.buffer, base + F64_NAMES.length * 8 * n + k * 4 * n, n);
  return {
    count: n,
    entryTime: f64(0),
    exitTime: f64(1),
    size: f64(2),
    entryPrice: f64(3),
    entryFee: f64(4),
    exitPrice: f64(5),
    exitFee: f64(6),
    pnl: f64(7),
    entryIndex: i32(0),
    entrySignalIndex: i32(1),
    exitIndex: i32(2),
    exitSignalIndex: i32(3),
    reason: new Uint8Array(aligned.buffer, base + (F64_NAMES.length * 8 + I32_NAMES.length * 4) * n, n),
  };
}

/** A column trades can be sorted by with {@link tradeOrder}. */
export type TradeSortKey = (typeof F64_NAMES)[number] | (typeof I32_NAMES)[number] | "reason";

/**
 * Trade numbers ordered by one column (ties by trade number, so the order is total and the same
 * everywhere), for paging a sorted table: `order.subarray(page * size, (page + 1) * size)`.
 *
 * @example
 * ```ts
 * const worstFirst = tradeOrder(trades, "pnl", false);
 * const page = Array.from(worstFirst.subarray(0, 50), (k) => trades.pnl[k]);
 * ```
 */
export function tradeOrder(columns: StoredTradeColumns, key: TradeSortKey, descending = false): Int32Array {
  const values = columns[key];
  const order = new Int32Array(columns.count);
  for (let k = 0; k < order.length; k++) order[k] = k;
  const sign = descending ? -1 : 1;
  return order.sort((a, b) => {
    const d = (values[a] as number) - (values[b] as number);
    return d !== 0 ? sign * d : a - b;
  });
}
