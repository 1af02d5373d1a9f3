/**
 * Closed trades recorded as columns while the simulation runs (no object per trade on the hot path;
 * the columns double in size when full). {@link TradeColumns} exposes them as typed arrays; the
 * {@link Trade} objects are built from them on demand.
 *
 * @module
 */

import type { ExitReason, SignalNote, Trade } from "./types.ts";

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

function grown<T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T, n: number): T {
  const b = make(n);
  b.set(a);
  return b;
}

export class TradeLog {
  count = 0;
  private capacity: number;
  private entryIndex: Int32Array;
  private entrySignalIndex: Int32Array;
  private exitIndex: Int32Array;
  private exitSignalIndex: Int32Array;
  private reason: Uint8Array;
  private size: Float64Array;
  private entryPrice: Float64Array;
  private entryFee: Float64Array;
  private exitPrice: Float64Array;
  private exitFee: Float64Array;
  private pnl: Float64Array;
  // Created on the first non-null note (notes only come from slow-path strategies).
  private entryNotes: (SignalNote | null)[] | null = null;
  private exitNotes: (SignalNote | null)[] | null = null;

  constructor(capacity = 256) {
    this.capacity = capacity;
    this.entryIndex = new Int32Array(capacity);
    this.entrySignalIndex = new Int32Array(capacity);
    this.exitIndex = new Int32Array(capacity);
    this.exitSignalIndex = new Int32Array(capacity);
    this.reason = new Uint8Array(capacity);
    this.size = new Float64Array(capacity);
    this.entryPrice = new Float64Array(capacity);
    this.entryFee = new Float64Array(capacity);
    this.exitPrice = new Float64Array(capacity);
    this.exitFee = new Float64Array(capacity);
    this.pnl = new Float64Array(capacity);
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
    if (this.count === this.capacity) this.grow();
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

  private grow(): void {
    const n = this.capacity * 2;
    const f64 = (m: number) => new Float64Array(m);
    const i32 = (m: number) => new Int32Array(m);
    this.entryIndex = grown(this.entryIndex, i32, n);
    this.entrySignalIndex = grown(this.entrySignalIndex, i32, n);
    this.exitIndex = grown(this.exitIndex, i32, n);
    this.exitSignalIndex = grown(this.exitSignalIndex, i32, n);
    this.reason = grown(this.reason, (m) => new Uint8Array(m), n);
    this.size = grown(this.size, f64, n);
    this.entryPrice = grown(this.entryPrice, f64, n);
    this.entryFee = grown(this.entryFee, f64, n);
    this.exitPrice = grown(this.exitPrice, f64, n);
    this.exitFee = grown(this.exitFee, f64, n);
    this.pnl = grown(this.pnl, f64, n);
    this.capacity = n;
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
    const out = new Array<Trade>(this.count);
    for (let k = 0; k < this.count; k++) {
      const signed = this.size[k] as number;
      const size = signed > 0 ? signed : -signed;
      const entryIndex = this.entryIndex[k] as number;
      const exitIndex = this.exitIndex[k] as number;
      const entryPrice = this.entryPrice[k] as number;
      const exitPrice = this.exitPrice[k] as number;
      const entryFee = this.entryFee[k] as number;
      const exitFee = this.exitFee[k] as number;
      const pnl = this.pnl[k] as number;
      out[k] = {
        side: signed > 0 ? "long" : "short",
        size,
        entryIndex,
        entryTime: time[entryIndex] as number,
        entryPrice,
        entryFee,
        entrySignalIndex: this.entrySignalIndex[k] as number,
        exitIndex,
        exitTime: time[exitIndex] as number,
        exitPrice,
        exitFee,
        exitSignalIndex: this.exitSignalIndex[k] as number,
        reason: EXIT_REASONS[this.reason[k] as number] as ExitReason,
        fees: entryFee + exitFee,
        grossPnl: (exitPrice - entryPrice) * signed,
        pnl,
        returnPct: pnl / (entryPrice * size),
        barsHeld: exitIndex - entryIndex,
        entrySignal: this.entryNotes?.[k] ?? null,
        exitSignal: this.exitNotes?.[k] ?? null,
      };
    }
    return out;
  }
}
