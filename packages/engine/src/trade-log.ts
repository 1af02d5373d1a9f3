/**
 * Closed trades recorded as columns while the simulation runs (no object per trade on the hot path;
 * the columns double in size when full). {@link TradeColumns} exposes them as typed arrays; the
 * {@link Trade} objects are built from them on demand.
 *
 * @module
 */

import type { ExitReason, SignalNote, Trade, TradeNotes } from "./types.ts";

/** Exit reason codes stored in {@link TradeColumns.reason}, indexing {@link EXIT_REASONS}. */
export const REASON_SIGNAL = 0;
export const REASON_TAKE_PROFIT = 1;
export const REASON_STOP_LOSS = 2;
export const REASON_MAX_TIME = 3;
export const REASON_END_OF_DATA = 4;

/** Exit reasons by code. */
export const EXIT_REASONS: readonly ExitReason[] = Object.freeze([
  "signal",
  "take_profit",
  "stop_loss",
  "max_time",
  "end_of_data",
]);

/**
 * Closed trades as columns (each exactly `count` long), the compact form of `Trade[]`: cheap to
 * keep, to post to another thread, or to scan. Field meanings as in {@link Trade}; times are
 * `bars.time[entryIndex]` / `bars.time[exitIndex]`.
 */
export interface TradeColumns {
  readonly count: number;
  /** Signed units: > 0 long, < 0 short. */
  readonly size: Float64Array;
  readonly entryIndex: Int32Array;
  readonly entrySignalIndex: Int32Array;
  readonly entryPrice: Float64Array;
  readonly entryFee: Float64Array;
  readonly exitIndex: Int32Array;
  /** -1 for platform exits. */
  readonly exitSignalIndex: Int32Array;
  readonly exitPrice: Float64Array;
  readonly exitFee: Float64Array;
  /** Net pnl, `(exitPrice - entryPrice) * size - entryFee - exitFee`. */
  readonly pnl: Float64Array;
  /** Code into {@link EXIT_REASONS}. */
  readonly reason: Uint8Array;
}

// Column order inside the log's single buffer: the float64 columns first (8-byte aligned), then the
// int32 ones, then the reason bytes. One buffer instead of eleven arrays: one allocation per growth
// step instead of eleven, and fewer fresh pages touched when it grows.
const F64_COLUMNS = 6;
const I32_COLUMNS = 4;
/** Bytes per trade in the log's buffer. */
export const BYTES_PER_TRADE = F64_COLUMNS * 8 + I32_COLUMNS * 4 + 1;

/**
 * A first capacity for a run over `bars` bars: about one trade per 64 bars (SMAX-1m closes one per
 * 51, so its log doubles once), at least 64 and at most 65,536. Only capacity: the log doubles when
 * full. Reserving much more than a run uses is not free: in the Worker each run's fresh log counts as
 * external memory and brings garbage collections forward. At one trade per 16 bars, a 100-run sweep
 * over 100,000 bars reserved 50 MB and ran 60–80 ms slower (`bench/sweep`, medians of 7).
 */
export function tradeCapacityFor(bars: number): number {
  return Math.min(65_536, Math.max(64, Math.ceil(bars / 64)));
}

export class TradeLog {
  count = 0;
  private capacity = 0;
  private size!: Float64Array;
  private entryPrice!: Float64Array;
  private entryFee!: Float64Array;
  private exitPrice!: Float64Array;
  private exitFee!: Float64Array;
  private pnl!: Float64Array;
  private entryIndex!: Int32Array;
  private entrySignalIndex!: Int32Array;
  private exitIndex!: Int32Array;
  private exitSignalIndex!: Int32Array;
  private reason!: Uint8Array;
  // Created on the first non-null note (notes only come from slow-path strategies).
  private entryNotes: (SignalNote | null)[] | null = null;
  private exitNotes: (SignalNote | null)[] | null = null;

  /**
   * `reuse`: memory to start in (the `pnl.buffer` of an earlier log's columns), used when it holds at
   * least `capacity` trades. What it held is never read: only the first `count` trades are, and
   * `push` writes every column of those.
   */
  constructor(capacity = 256, reuse?: ArrayBuffer) {
    const first = Math.max(1, capacity);
    const room = reuse === undefined ? 0 : Math.floor(reuse.byteLength / BYTES_PER_TRADE);
    if (reuse !== undefined && room >= first) this.allocate(room, reuse);
    else this.allocate(first);
  }

  /** Points the columns at a buffer of `capacity` trades (fresh unless given), copying the first `count`. */
  private allocate(capacity: number, reuse?: ArrayBuffer): void {
    const buffer = reuse ?? new ArrayBuffer(capacity * BYTES_PER_TRADE);
    const f64 = (k: number) => new Float64Array(buffer, k * capacity * 8, capacity);
    const i32 = (k: number) =>
      new Int32Array(buffer, F64_COLUMNS * capacity * 8 + k * capacity * 4, capacity);
    const c = this.count;
    const copy = <T extends Float64Array | Int32Array | Uint8Array>(to: T, from: T | undefined): T => {
      if (from !== undefined && c > 0) to.set(from.subarray(0, c));
      return to;
    };
    this.size = copy(f64(0), this.size);
    this.entryPrice = copy(f64(1), this.entryPrice);
    this.entryFee = copy(f64(2), this.entryFee);
    this.exitPrice = copy(f64(3), this.exitPrice);
    this.exitFee = copy(f64(4), this.exitFee);
    this.pnl = copy(f64(5), this.pnl);
    this.entryIndex = copy(i32(0), this.entryIndex);
    this.entrySignalIndex = copy(i32(1), this.entrySignalIndex);
    this.exitIndex = copy(i32(2), this.exitIndex);
    this.exitSignalIndex = copy(i32(3), this.exitSignalIndex);
    this.reason = copy(
      new Uint8Array(buffer, (F64_COLUMNS * 8 + I32_COLUMNS * 4) * capacity, capacity),
      this.reason,
    );
    this.capacity = capacity;
  }

  push(
    signedSize: number,
    entryIndex: number,
    entrySignalIndex: number,
    entryPrice: number,
    entryFee: number,
    entryNote: SignalNote | null,
    exitIndex: number,
    exitSignalIndex: number,
    exitPrice: number,
    exitFee: number,
    reason: number,
    exitNote: SignalNote | null,
  ): void {
    if (this.count === this.capacity) this.allocate(this.capacity * 2);
    const k = this.count++;
    this.size[k] = signedSize;
    this.entryIndex[k] = entryIndex;
    this.entrySignalIndex[k] = entrySignalIndex;
    this.entryPrice[k] = entryPrice;
    this.entryFee[k] = entryFee;
    this.exitIndex[k] = exitIndex;
    this.exitSignalIndex[k] = exitSignalIndex;
    this.exitPrice[k] = exitPrice;
    this.exitFee[k] = exitFee;
    this.pnl[k] = (exitPrice - entryPrice) * signedSize - (entryFee + exitFee);
    this.reason[k] = reason;
    if (entryNote !== null || exitNote !== null || this.entryNotes !== null)
      this.pushNotes(k, entryNote, exitNote);
  }

  private pushNotes(k: number, entryNote: SignalNote | null, exitNote: SignalNote | null): void {
    if (this.entryNotes === null || this.exitNotes === null) {
      this.entryNotes = new Array<SignalNote | null>(k).fill(null);
      this.exitNotes = new Array<SignalNote | null>(k).fill(null);
    }
    this.entryNotes.push(entryNote);
    this.exitNotes.push(exitNote);
  }

  /** The notes of the closed trades in trade order, or null when none has any. */
  notes(): TradeNotes | null {
    const entry = this.entryNotes;
    const exit = this.exitNotes;
    if (entry === null || exit === null) return null;
    const out: TradeNotes = new Array(this.count);
    for (let k = 0; k < this.count; k++) out[k] = { entry: entry[k] ?? null, exit: exit[k] ?? null };
    return out;
  }

  /** The columns, trimmed to `count` (views, no copy). */
  columns(): TradeColumns {
    const c = this.count;
    return {
      count: c,
      size: this.size.subarray(0, c),
      entryIndex: this.entryIndex.subarray(0, c),
      entrySignalIndex: this.entrySignalIndex.subarray(0, c),
      entryPrice: this.entryPrice.subarray(0, c),
      entryFee: this.entryFee.subarray(0, c),
      exitIndex: this.exitIndex.subarray(0, c),
      exitSignalIndex: this.exitSignalIndex.subarray(0, c),
      exitPrice: this.exitPrice.subarray(0, c),
      exitFee: this.exitFee.subarray(0, c),
      pnl: this.pnl.subarray(0, c),
      reason: this.reason.subarray(0, c),
    };
  }

  /** The trades as objects; times are looked up in the bars' time column. */
  toTrades(time: Float64Array): Trade[] {
    const columns = this.columns();
    const entryNotes = this.entryNotes;
    const exitNotes = this.exitNotes;
    const out = new Array<Trade>(this.count);
    for (let k = 0; k < this.count; k++) {
      out[k] = tradeAt(
        columns,
        k,
        time[columns.entryIndex[k] as number] as number,
        time[columns.exitIndex[k] as number] as number,
        entryNotes?.[k] ?? null,
        exitNotes?.[k] ?? null,
      );
    }
    return out;
  }
}

/**
 * Trade `k` of the columns as a {@link Trade} object (for a page of a stored table, say), given its
 * entry and exit times and notes. The derived fields are computed here, the same way for every
 * caller.
 *
 * @example
 * ```ts
 * const c = result.tradeColumns;
 * const first = tradeAt(c, 0, bars.time[c.entryIndex[0]], bars.time[c.exitIndex[0]], null, null);
 * ```
 */
export function tradeAt(
  columns: TradeColumns,
  k: number,
  entryTime: number,
  exitTime: number,
  entrySignal: SignalNote | null,
  exitSignal: SignalNote | null,
): Trade {
  const signed = columns.size[k] as number;
  const size = signed > 0 ? signed : -signed;
  const entryIndex = columns.entryIndex[k] as number;
  const exitIndex = columns.exitIndex[k] as number;
  const entryPrice = columns.entryPrice[k] as number;
  const exitPrice = columns.exitPrice[k] as number;
  const entryFee = columns.entryFee[k] as number;
  const exitFee = columns.exitFee[k] as number;
  const pnl = columns.pnl[k] as number;
  return {
    side: signed > 0 ? "long" : "short",
    size,
    entryIndex,
    entryTime,
    entryPrice,
    entryFee,
    entrySignalIndex: columns.entrySignalIndex[k] as number,
    exitIndex,
    exitTime,
    exitPrice,
    exitFee,
    exitSignalIndex: columns.exitSignalIndex[k] as number,
    reason: EXIT_REASONS[columns.reason[k] as number] as ExitReason,
    fees: entryFee + exitFee,
    grossPnl: (exitPrice - entryPrice) * signed,
    pnl,
    returnPct: pnl / (entryPrice * size),
    barsHeld: exitIndex - entryIndex,
    entrySignal,
    exitSignal,
  };
}
