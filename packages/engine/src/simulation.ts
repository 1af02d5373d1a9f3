/**
 * The simulation core shared by the sync and async drivers. One instance per run; for every bar `j`
 * the drivers call, for an evaluated bar, `beforeDecision(j)`, ask the strategy and pass its answer
 * to `afterDecision(j)` (or, with a decision column, `atOpen(j)` when `openHasWork`, then
 * `decide(j, ...)` for a non-HOLD); then `mark(j)` for every bar, skipped or not. Then `finish()`.
 *
 * Hot-path methods allocate nothing; objects are created only per trade.
 *
 * @module
 */

import type { BarColumns, DecisionSlot, PortfolioView } from "@quantago/strategies";
import type { ResolvedExecutionConfig } from "./config.ts";
import { EngineConfigError } from "./config.ts";
import {
  REASON_END_OF_DATA,
  REASON_MAX_TIME,
  REASON_SIGNAL,
  REASON_STOP_LOSS,
  REASON_TAKE_PROFIT,
  TradeLog,
  tradeCapacityFor,
} from "./trade-log.ts";
import type { OpenPosition, SignalNote } from "./types.ts";

const BUY = 1;
const SELL = 2;
const SIZING_FIXED = 0;
const SIZING_FRACTION = 1;
const SIZING_RISK = 2;

/** Thrown when a decision source produces an invalid action or size. */
export class DecisionError extends Error {
  readonly index: number;

  constructor(index: number, message: string) {
    super(`Invalid decision at bar ${index}: ${message}`);
    this.name = "DecisionError";
    this.index = index;
  }
}

/** The note a strategy attached to its decision, or null (no object for the common, note-less case). */
function noteOf(slot: DecisionSlot): SignalNote | null {
  return slot.reason === null && slot.metadata === null
    ? null
    : { reason: slot.reason, metadata: slot.metadata };
}

export class Simulation implements PortfolioView {
  // PortfolioView
  cash: number;
  equity: number;
  position = 0;
  entryPrice = Number.NaN;
  entryTime = Number.NaN;
  entryIndex = -1;
  lastEntryTime = Number.NaN;

  // Open position details
  private entryFee = 0;
  private entrySignalIndex = -1;
  private entryNote: SignalNote | null = null;
  private tpLevel = Number.NaN;
  private slLevel = Number.NaN;

  // Pending order (next_open)
  pendingAction = 0;
  private pendingSize = Number.NaN;
  private pendingIndex = -1;
  private pendingNote: SignalNote | null = null;

  // Outputs
  readonly log: TradeLog;
  readonly equityCol: Float64Array;
  readonly positionCol: Float64Array | null;
  feesPaid = 0;
  barsInMarket = 0;
  evaluatedBars = 0;
  blockedEntries = 0;

  // Config, pre-digested
  private readonly time: Float64Array;
  private readonly open: Float64Array;
  private readonly high: Float64Array;
  private readonly low: Float64Array;
  private readonly close: Float64Array;
  private readonly n: number;
  private readonly nextOpen: boolean;
  private readonly allowShort: boolean;
  private readonly feeRate: number;
  private readonly feeFixed: number;
  private readonly slipUp: number;
  private readonly slipDown: number;
  private readonly tpFrac: number;
  private readonly slFrac: number;
  private readonly maxMs: number;
  private readonly spacingMs: number;
  private readonly sizing: number;
  private readonly units: number;
  private readonly fraction: number;
  private readonly riskFrac: number;
  private readonly endClose: boolean;
  /** Whether any protective exit (TP, SL, max time) is configured. */
  readonly hasExits: boolean;

  constructor(
    bars: BarColumns,
    cfg: ResolvedExecutionConfig,
    equityCol: Float64Array,
    positionCol: Float64Array | null,
    tradeMemory?: ArrayBuffer,
  ) {
    this.time = bars.time;
    this.open = bars.open;
    this.high = bars.high;
    this.low = bars.low;
    this.close = bars.close;
    this.n = bars.time.length;
    this.log = new TradeLog(tradeCapacityFor(this.n), tradeMemory);
    this.equityCol = equityCol;
    this.positionCol = positionCol;
    this.cash = cfg.initialBalance;
    this.equity = cfg.initialBalance;
    this.nextOpen = cfg.fill === "next_open";
    this.allowShort = cfg.direction === "long_short";
    this.feeRate = cfg.feePct / 100;
    this.feeFixed = cfg.feeFixed;
    this.slipUp = 1 + cfg.slippageBps / 10_000;
    this.slipDown = 1 - cfg.slippageBps / 10_000;
    this.tpFrac = cfg.takeProfitPct === null ? Number.NaN : cfg.takeProfitPct / 100;
    this.slFrac = cfg.stopLossPct === null ? Number.NaN : cfg.stopLossPct / 100;
    this.maxMs = cfg.maxTradeHours === null ? Number.POSITIVE_INFINITY : cfg.maxTradeHours * 3_600_000;
    this.spacingMs = cfg.entrySpacingMs;
    this.sizing =
      cfg.sizing === "fixed_units"
        ? SIZING_FIXED
        : cfg.sizing === "fraction_of_equity"
          ? SIZING_FRACTION
          : SIZING_RISK;
    this.units = cfg.units;
    this.fraction = cfg.fraction;
    this.riskFrac = cfg.riskPct / 100;
    this.endClose = cfg.endOfData === "close";
    this.hasExits = cfg.takeProfitPct !== null || cfg.stopLossPct !== null || cfg.maxTradeHours !== null;
  }

  /**
   * Whether the open of an evaluated bar has anything to do (a pending order, or an open position
   * with protective exits). The drivers test this before calling {@link atOpen}, so the common bar
   * (nothing pending, no exits) costs two field loads.
   */
  get openHasWork(): boolean {
    return this.pendingAction !== 0 || (this.position !== 0 && this.hasExits);
  }

  /** Open of an evaluated bar: pending order fills, then exits (TP / SL / max time) are checked. */
  atOpen(j: number): void {
    if (this.pendingAction !== 0) {
      const action = this.pendingAction;
      this.pendingAction = 0;
      this.execute(action, j, this.open[j] as number, this.pendingSize, this.pendingIndex, this.pendingNote);
      this.pendingNote = null;
    }
    if (this.position !== 0 && this.hasExits) this.checkExits(j);
  }

  /**
   * Evaluated bar `j` up to the strategy's decision: the open (when it has work), then `equity` (the
   * portfolio view) updated to the close, and the slot cleared for the answer.
   */
  beforeDecision(j: number, slot: DecisionSlot): void {
    if (this.openHasWork) this.atOpen(j);
    this.equity = this.cash + this.position * (this.close[j] as number);
    slot.size = Number.NaN;
    slot.reason = null;
    slot.metadata = null;
  }

  /** The strategy's answer for bar `j` (before the driver marks the bar). */
  afterDecision(j: number, action: number, slot: DecisionSlot): void {
    if (action !== 0) this.decide(j, action, slot.size, noteOf(slot));
  }

  /**
   * A non-HOLD decision at the close of bar `j`: validated, then queued (next_open) or filled
   * (signal_close). The driver marks the bar afterwards with {@link mark}.
   */
  decide(j: number, action: number, size: number, note: SignalNote | null): void {
    if (action !== BUY && action !== SELL) {
      throw new DecisionError(j, `action code must be 0 (HOLD), 1 (BUY) or 2 (SELL), got ${action}`);
    }
    if (!Number.isNaN(size) && !(size >= 0 && size < Number.POSITIVE_INFINITY)) {
      throw new DecisionError(
        j,
        `size must be a finite number >= 0 (units) or NaN (engine sizing), got ${size}`,
      );
    }
    if (this.nextOpen) {
      // An order on the last bar never fills.
      if (j < this.n - 1) {
        this.pendingAction = action;
        this.pendingSize = size;
        this.pendingIndex = j;
        this.pendingNote = note;
      }
    } else {
      this.execute(action, j, this.close[j] as number, size, j, note);
    }
  }

  /** Marks bar `j` to its close after all of its fills (evaluated or skipped bar alike). */
  mark(j: number): void {
    const pos = this.position;
    this.equityCol[j] = this.cash + pos * (this.close[j] as number);
    const pc = this.positionCol;
    if (pc !== null) pc[j] = pos;
    if (pos !== 0) this.barsInMarket++;
  }

  private execute(
    action: number,
    j: number,
    base: number,
    size: number,
    signalIndex: number,
    note: SignalNote | null,
  ): void {
    const pos = this.position;
    if (action === BUY) {
      if (pos > 0) return;
      if (pos < 0) this.exit(j, base * this.slipUp, REASON_SIGNAL, signalIndex, note);
      this.enter(1, j, base, size, signalIndex, note);
    } else {
      if (pos < 0) return;
      if (pos > 0) this.exit(j, base * this.slipDown, REASON_SIGNAL, signalIndex, note);
      if (this.allowShort) this.enter(-1, j, base, size, signalIndex, note);
    }
  }

  private enter(
    dir: number,
    j: number,
    base: number,
    size: number,
    signalIndex: number,
    note: SignalNote | null,
  ): void {
    const t = this.time[j] as number;
    if (this.spacingMs > 0 && t - this.lastEntryTime < this.spacingMs) {
      this.blockedEntries++;
      return;
    }
    const price = dir > 0 ? base * this.slipUp : base * this.slipDown;
    const units = Number.isNaN(size) ? this.unitsFor(price) : size;
    if (!(units > 0 && units < Number.POSITIVE_INFINITY)) return;
    const fee = price * units * this.feeRate + this.feeFixed;
    this.cash -= dir * units * price + fee;
    this.position = dir * units;
    this.entryPrice = price;
    this.entryTime = t;
    this.entryIndex = j;
    this.entryFee = fee;
    this.entrySignalIndex = signalIndex;
    this.entryNote = note;
    this.lastEntryTime = t;
    this.feesPaid += fee;
    this.tpLevel = price * (1 + dir * this.tpFrac);
    this.slLevel = price * (1 - dir * this.slFrac);
  }

  private unitsFor(price: number): number {
    const equity = this.cash; // flat when an entry fills
    if (this.sizing === SIZING_FIXED) return this.units;
    if (!(equity > 0)) return 0;
    if (this.sizing === SIZING_FRACTION) {
      return (equity * this.fraction - this.feeFixed) / (price * (1 + this.feeRate));
    }
    const risk = equity * this.riskFrac;
    return Number.isNaN(this.slFrac) ? risk / price : risk / (price * this.slFrac);
  }

  /**
   * Protective exits of bar `j`, in this order: a gap through the stop-loss or take-profit at the
   * open (fill at the open), the max holding time (fill at the open), then the bar's range: the
   * stop-loss first (conservative when both levels are inside the range), then the take-profit
   * (fill at the level). Disabled levels are NaN and never compare true.
   */
  private checkExits(j: number): void {
    const o = this.open[j] as number;
    const sl = this.slLevel;
    const tp = this.tpLevel;
    const timedOut = (this.time[j] as number) - this.entryTime >= this.maxMs;
    let price: number;
    let reason: number;
    if (this.position > 0) {
      if (o <= sl) {
        price = o;
        reason = REASON_STOP_LOSS;
      } else if (o >= tp) {
        price = o;
        reason = REASON_TAKE_PROFIT;
      } else if (timedOut) {
        price = o;
        reason = REASON_MAX_TIME;
      } else if ((this.low[j] as number) <= sl) {
        price = sl;
        reason = REASON_STOP_LOSS;
      } else if ((this.high[j] as number) >= tp) {
        price = tp;
        reason = REASON_TAKE_PROFIT;
      } else {
        return;
      }
      this.exit(j, price * this.slipDown, reason, -1, null);
    } else {
      if (o >= sl) {
        price = o;
        reason = REASON_STOP_LOSS;
      } else if (o <= tp) {
        price = o;
        reason = REASON_TAKE_PROFIT;
      } else if (timedOut) {
        price = o;
        reason = REASON_MAX_TIME;
      } else if ((this.high[j] as number) >= sl) {
        price = sl;
        reason = REASON_STOP_LOSS;
      } else if ((this.low[j] as number) <= tp) {
        price = tp;
        reason = REASON_TAKE_PROFIT;
      } else {
        return;
      }
      this.exit(j, price * this.slipUp, reason, -1, null);
    }
  }

  private exit(j: number, price: number, reason: number, signalIndex: number, note: SignalNote | null): void {
    const pos = this.position;
    const size = pos > 0 ? pos : -pos;
    const fee = price * size * this.feeRate + this.feeFixed;
    this.cash += pos * price - fee;
    this.feesPaid += fee;
    this.log.push(
      pos,
      this.entryIndex,
      this.entrySignalIndex,
      this.entryPrice,
      this.entryFee,
      this.entryNote,
      j,
      signalIndex,
      price,
      fee,
      reason,
      note,
    );
    this.position = 0;
    this.entryPrice = Number.NaN;
    this.entryTime = Number.NaN;
    this.entryIndex = -1;
    this.entryFee = 0;
    this.entrySignalIndex = -1;
    this.entryNote = null;
    this.tpLevel = Number.NaN;
    this.slLevel = Number.NaN;
  }

  /** End of data: closes (or keeps, for `mark`) the open position; returns the kept one. */
  finish(): OpenPosition | null {
    const last = this.n - 1;
    this.pendingAction = 0;
    if (last < 0 || this.position === 0) return null;
    const c = this.close[last] as number;
    if (this.endClose) {
      this.exit(last, this.position > 0 ? c * this.slipDown : c * this.slipUp, REASON_END_OF_DATA, -1, null);
      this.equityCol[last] = this.cash;
      if (this.positionCol !== null) this.positionCol[last] = 0;
      return null;
    }
    const pos = this.position;
    return {
      side: pos > 0 ? "long" : "short",
      size: pos > 0 ? pos : -pos,
      entryIndex: this.entryIndex,
      entryTime: this.entryTime,
      entryPrice: this.entryPrice,
      entryFee: this.entryFee,
      entrySignalIndex: this.entrySignalIndex,
      markPrice: c,
      unrealizedPnl: (c - this.entryPrice) * pos,
      entrySignal: this.entryNote,
    };
  }
}

/**
 * Checks the bar columns: equal lengths, finite strictly increasing times, finite positive prices
 * (volume is not checked). Throws {@link EngineConfigError}. Returns the smallest gap between two
 * consecutive bar times (the inferred timeframe), 0 for fewer than two bars.
 *
 * @example
 * ```ts
 * validateBars(generateSmaxBars(10)); // 60_000
 * ```
 */
export function validateBars(bars: BarColumns): number {
  const n = bars.time.length;
  const issues: string[] = [];
  for (const key of ["open", "high", "low", "close", "volume"] as const) {
    if (bars[key].length !== n) issues.push(`bars.${key} has ${bars[key].length} values, bars.time has ${n}`);
  }
  if (issues.length > 0) throw new EngineConfigError(issues);
  const { time, open, high, low, close } = bars;
  // Fast pass without a branch per bar: reductions whose final tests hold exactly when every bar
  // passes the per-bar checks below (Math.min / Math.max propagate NaN, and with all gaps > 0 only
  // the last time could be +Infinity). When they do not hold, the per-bar loop finds the first
  // offending bar for the message (or, if the reductions were only conservative, returns normally).
  let prevTime = Number.NEGATIVE_INFINITY;
  let minGapFast = Number.POSITIVE_INFINITY;
  let minPrice = Number.POSITIVE_INFINITY;
  let maxSum = 0;
  for (let i = 0; i < n; i++) {
    const t = time[i] as number;
    minGapFast = Math.min(minGapFast, t - prevTime);
    prevTime = t;
    const o = open[i] as number;
    const h = high[i] as number;
    const l = low[i] as number;
    const c = close[i] as number;
    minPrice = Math.min(minPrice, o, h, l, c);
    maxSum = Math.max(maxSum, o + h + l + c);
  }
  if (
    n === 0 ||
    (minGapFast > 0 &&
      prevTime < Number.POSITIVE_INFINITY &&
      minPrice > 0 &&
      maxSum < Number.POSITIVE_INFINITY)
  ) {
    return n >= 2 ? minGapFast : 0;
  }
  let prev = Number.NEGATIVE_INFINITY;
  let minGap = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const t = time[i] as number;
    const gap = t - prev;
    // NaN-safe: `!(gap > 0)` also rejects NaN times.
    if (!(gap > 0) || t === Number.POSITIVE_INFINITY) {
      throw new EngineConfigError([`bars.time must be finite and strictly increasing (bar ${i})`]);
    }
    if (gap < minGap) minGap = gap;
    prev = t;
    const o = open[i] as number;
    const h = high[i] as number;
    const l = low[i] as number;
    const c = close[i] as number;
    // Positive and finite: NaN fails `> 0`; +Infinity fails `< Infinity` of the sum.
    if (!(o > 0 && h > 0 && l > 0 && c > 0 && o + h + l + c < Number.POSITIVE_INFINITY)) {
      throw new EngineConfigError([`bar ${i} has a non-finite or non-positive price`]);
    }
  }
  return n >= 2 ? minGap : 0;
}
