import type { ResolvedExecutionConfig } from "./config.ts";
import type { Metrics } from "./metrics.ts";
import type { TradeColumns } from "./trade-log.ts";

/** Why a trade was closed. */
export type ExitReason = "signal" | "take_profit" | "stop_loss" | "max_time" | "end_of_data";

/** Side of a position. */
export type Side = "long" | "short";

/** Optional reason / metadata a (slow-path) strategy attached to the decision behind a fill. */
export interface SignalNote {
  readonly reason: string | null;
  readonly metadata: Record<string, unknown> | null;
}

/** The strategy's reason and metadata of each closed trade's entry and exit signal, in trade order. */
export type TradeNotes = Array<{ entry: SignalNote | null; exit: SignalNote | null }>;

/**
 * A closed trade. Times are bar times (Unix ms) of the bar in which the fill happened; with
 * `next_open` the fill is at that bar's open, with `signal_close` (and `end_of_data`) at its close,
 * and TP/SL fills happen inside the bar. Prices include slippage.
 */
export interface Trade {
  readonly side: Side;
  /** Units (always > 0). */
  readonly size: number;
  readonly entryIndex: number;
  readonly entryTime: number;
  readonly entryPrice: number;
  readonly entryFee: number;
  /** Bar at whose close the entry was decided. */
  readonly entrySignalIndex: number;
  readonly exitIndex: number;
  readonly exitTime: number;
  readonly exitPrice: number;
  readonly exitFee: number;
  /** Bar at whose close the exit was decided; -1 for platform exits (TP, SL, max time, end of data). */
  readonly exitSignalIndex: number;
  readonly reason: ExitReason;
  /** `entryFee + exitFee`. */
  readonly fees: number;
  /** `(exitPrice - entryPrice) * size` for a long, mirrored for a short; fees excluded. */
  readonly grossPnl: number;
  /** `grossPnl - fees`. */
  readonly pnl: number;
  /** `pnl / (entryPrice * size)`, a fraction. */
  readonly returnPct: number;
  /** `exitIndex - entryIndex`. */
  readonly barsHeld: number;
  readonly entrySignal: SignalNote | null;
  readonly exitSignal: SignalNote | null;
}

/** The position left open by `endOfData: "mark"`. */
export interface OpenPosition {
  readonly side: Side;
  readonly size: number;
  readonly entryIndex: number;
  readonly entryTime: number;
  readonly entryPrice: number;
  readonly entryFee: number;
  readonly entrySignalIndex: number;
  /** Close of the last bar, at which the position is valued. */
  readonly markPrice: number;
  /** `(markPrice - entryPrice) * size` (mirrored for a short); fees excluded. */
  readonly unrealizedPnl: number;
  readonly entrySignal: SignalNote | null;
}

/** Everything a run produces. */
export interface BacktestResult {
  /** The configuration actually used, defaults applied. */
  readonly config: ResolvedExecutionConfig;
  /** Closed trades in entry order (objects built on first access from `tradeColumns`). */
  readonly trades: Trade[];
  /** The same closed trades as typed-array columns: the primary form (see `encodeTradeColumns`). */
  readonly tradeColumns: TradeColumns;
  /**
   * The signal notes of the closed trades, in trade order, or null when no trade carries any (the
   * usual case: built-in strategies and the columnar ABI give none). Available without building
   * `trades`.
   */
  readonly notes: TradeNotes | null;
  /** Position still open at the end (only with `endOfData: "mark"`). */
  readonly openPosition: OpenPosition | null;
  /** `cash + position * close` after every bar's fills, one value per input bar. */
  readonly equity: Float64Array;
  /**
   * Signed units held after every bar's fills, one value per input bar; null unless requested with
   * `recordPosition` (see `RunOptions`).
   */
  readonly position: Float64Array | null;
  /** Cash at the end of the run. */
  readonly finalCash: number;
  /** Bars shown to the strategy (in the venue session). */
  readonly evaluatedBars: number;
  /** Entries skipped because of `entryFrequency`. */
  readonly blockedEntries: number;
  readonly metrics: Metrics;
}
