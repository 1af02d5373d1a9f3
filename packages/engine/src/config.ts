/**
 * Execution configuration: every knob of the simulation, its default, validation and resolution.
 *
 * @module
 */

import { DAY_MS } from "@quantago/strategies";

/** When a strategy order fills. */
export type FillModel = "next_open" | "signal_close";
/** Which positions a strategy may hold. */
export type Direction = "long_only" | "long_short";
/** How many units an entry buys or sells when the strategy does not give a size. */
export type SizingMode = "fixed_units" | "fraction_of_equity" | "risk_per_trade";
/** Minimum spacing between two entries (the request parameter `entryFrequency`). */
export type EntryFrequency = "scalping" | "daily" | "weekly" | "monthly" | "quarterly";
/** Venue whose local session filters intraday bars (the request parameter `exchange`). */
export type Exchange = "london" | "newyork" | "tokyo" | "nasdaq" | "nyse" | "crypto";
/** What happens to a position still open after the last bar. */
export type EndOfData = "close" | "mark";

/**
 * Execution settings. Every field is optional; the defaults are listed per field and the fully
 * resolved values come back with every result ({@link ResolvedExecutionConfig}).
 *
 * Percentages are in percent (`feePct: 0.1` is 0.1 %), slippage in basis points.
 *
 * @example
 * ```ts
 * const config: ExecutionConfig = {
 *   initialBalance: 100_000,
 *   sizing: "fixed_units", units: 1,
 *   feePct: 0.1,
 *   endOfData: "mark",
 * };
 * ```
 */
export interface ExecutionConfig {
  /** Starting cash. Default 10,000. */
  initialBalance?: number;
  /**
   * `next_open` (default): an order decided at the close of bar t fills at the open of the next
   * evaluated bar; an order decided on the last bar never fills. `signal_close`: it fills at the
   * close of bar t.
   */
  fill?: FillModel;
  /**
   * `long_short` (default, as published: a SELL from flat opens a short): BUY goes long and SELL
   * goes short; a BUY while short (SELL while long) is a reversal: the position is closed and the opposite one opened at the same fill, as two fills,
   * each paying fees and slippage. A signal in the direction already held is ignored (one position
   * at a time, no pyramiding).
   * `long_only`: BUY opens a long, SELL closes it and never opens a short.
   */
  direction?: Direction;
  /**
   * Entry sizing when the strategy gives no `size` (a strategy size, in units, always wins):
   * - `fixed_units`: `units` units.
   * - `fraction_of_equity`: spend `fraction` of equity including the entry fees:
   *   `units = (equity * fraction - feeFixed) / (price * (1 + feePct / 100))`.
   * - `risk_per_trade` (default): lose at most `riskPct` % of equity at the stop:
   *   with a stop-loss, `units = equity * riskPct% / (price * stopLossPct%)`; without a stop-loss the
   *   whole notional counts as at risk (an unlevered long can lose all of it), so
   *   `units = equity * riskPct% / price` (the same rule sizes shorts).
   * `price` is the fill price including slippage; `equity` is the cash at that moment (the
   * account is flat when an entry fills). Sizes are fractional. Entries of 0 units are skipped.
   * No leverage cap is applied: with a tight stop `risk_per_trade` can exceed the cash, and cash
   * may go negative (margin); `fixed_units` ignores the cash as well.
   */
  sizing?: SizingMode;
  /** Units per entry for `fixed_units`. Default 1. */
  units?: number;
  /** Fraction of equity per entry for `fraction_of_equity`, in (0, ∞). Default 1. */
  fraction?: number;
  /** Percent of equity at risk per entry for `risk_per_trade`. Default 2 (spec `riskPerTrade`). */
  riskPct?: number;
  /** Fee in percent of the fill's notional, charged on every fill. Default 0. */
  feePct?: number;
  /** Fixed fee per fill, in account currency. Default 0. */
  feeFixed?: number;
  /** Adverse slippage on every fill, in basis points (buys fill higher, sells lower). Default 0. */
  slippageBps?: number;
  /**
   * Take-profit distance in percent of the entry fill price (null or 0: none). Default null.
   * Levels are checked against every evaluated bar's high/low while the position is open (for a
   * `next_open` entry, from the entry bar itself). If the bar opens beyond a level the exit fills at
   * the open (gap-through); otherwise at the level. When a bar's range touches both the
   * take-profit and the stop-loss, the stop-loss is assumed to have been hit first.
   */
  takeProfitPct?: number | null;
  /** Stop-loss distance in percent of the entry fill price (null or 0: none). Default null. */
  stopLossPct?: number | null;
  /**
   * Maximum holding time in hours (null: none). Default null. The position is closed at the open of
   * the first evaluated bar whose time is at least this long after the entry bar's time.
   */
  maxTradeHours?: number | null;
  /**
   * Minimum time between two entry fills: `scalping` (default) none, `daily` 1 day, `weekly` 7
   * days, `monthly` 30 days, `quarterly` 90 days. An entry that comes too early is skipped (the
   * closing leg of a reversal still happens) and counted in `blockedEntries`.
   */
  entryFrequency?: EntryFrequency;
  /**
   * Venue (default `crypto`, 24/7). For intraday bars (timeframe under one day) the engine only
   * evaluates bars whose open time falls in the venue's local session on a weekday: `london`
   * 08:00–16:00 Europe/London, `newyork` 08:00–17:00 and `nasdaq`/`nyse` 09:00–16:00
   * America/New_York, `tokyo` 09:00–18:00 Asia/Tokyo. Skipped bars are not shown to the strategy
   * and cannot fill orders or trigger exits; an open position is still marked to market at their
   * close. Daily and longer bars are never filtered.
   */
  exchange?: Exchange;
  /**
   * Bar timeframe such as `1m`, `5m`, `1h`, `4h`, `1d`, `1w` (units s, m, h, d, w). Default null:
   * inferred as the smallest gap between consecutive bar times. Used for the venue filter and to
   * annualise metrics.
   */
  timeframe?: string | null;
  /** Bars per year for annualised metrics. Default null: 365.25 days / timeframe. */
  periodsPerYear?: number | null;
  /**
   * `close` (default): a position still open after the last bar is closed at the last close
   * (fees and slippage apply, reason `end_of_data`). `mark`: it is left open, valued at the last
   * close, and reported as `openPosition`.
   */
  endOfData?: EndOfData;
}

/** {@link ExecutionConfig} with every default applied, as returned with the result. */
export interface ResolvedExecutionConfig {
  initialBalance: number;
  fill: FillModel;
  direction: Direction;
  sizing: SizingMode;
  units: number;
  fraction: number;
  riskPct: number;
  feePct: number;
  feeFixed: number;
  slippageBps: number;
  takeProfitPct: number | null;
  stopLossPct: number | null;
  maxTradeHours: number | null;
  entryFrequency: EntryFrequency;
  /** Minimum milliseconds between entries implied by `entryFrequency`. */
  entrySpacingMs: number;
  exchange: Exchange;
  /** Timeframe as given, or null when inferred. */
  timeframe: string | null;
  /** Bar length in ms (given or inferred); 0 when unknown (fewer than two bars). */
  timeframeMs: number;
  periodsPerYear: number | null;
  endOfData: EndOfData;
}

/** Thrown for an invalid execution configuration or invalid input bars. */
export class EngineConfigError extends Error {
  readonly issues: readonly string[];

  constructor(issues: readonly string[]) {
    super(`Invalid backtest configuration: ${issues.join("; ")}`);
    this.name = "EngineConfigError";
    this.issues = issues;
  }
}

/** Average Gregorian year (365.25 days) in milliseconds, used to annualise. */
export const YEAR_MS = 365.25 * DAY_MS;

/** Spacing between entries for each {@link EntryFrequency}. */
export const ENTRY_SPACING_MS: Readonly<Record<EntryFrequency, number>> = Object.freeze({
  scalping: 0,
  daily: DAY_MS,
  weekly: 7 * DAY_MS,
  monthly: 30 * DAY_MS,
  quarterly: 90 * DAY_MS,
});

const FILLS: readonly FillModel[] = ["next_open", "signal_close"];
const DIRECTIONS: readonly Direction[] = ["long_only", "long_short"];
const SIZINGS: readonly SizingMode[] = ["fixed_units", "fraction_of_equity", "risk_per_trade"];
const EXCHANGES: readonly Exchange[] = ["london", "newyork", "tokyo", "nasdaq", "nyse", "crypto"];
const END_OF_DATA: readonly EndOfData[] = ["close", "mark"];

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: DAY_MS,
  w: 7 * DAY_MS,
};

/**
 * Parses a timeframe such as `1m`, `15m`, `4h`, `1d`, `1w` into milliseconds (case-insensitive
 * except that `M` alone is refused as ambiguous with months). Returns null when invalid.
 *
 * @example
 * ```ts
 * parseTimeframe("4h"); // 14_400_000
 * ```
 */
export function parseTimeframe(timeframe: string): number | null {
  const m = /^([1-9]\d{0,5})\s*([smhdwSHDW])$/.exec(timeframe.trim());
  if (m === null) return null;
  const unit = UNIT_MS[(m[2] as string).toLowerCase()];
  return unit === undefined ? null : Number(m[1]) * unit;
}

/** Smallest positive gap between consecutive times; 0 for fewer than two bars. */
export function inferTimeframeMs(time: Float64Array): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 1; i < time.length; i++) {
    const d = (time[i] as number) - (time[i - 1] as number);
    if (d > 0 && d < best) best = d;
  }
  return best === Number.POSITIVE_INFINITY ? 0 : best;
}

function pick<T extends string>(
  name: string,
  value: T | undefined,
  allowed: readonly T[],
  dflt: T,
  issues: string[],
): T {
  if (value === undefined) return dflt;
  if (!allowed.includes(value)) {
    issues.push(`${name} must be one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`);
    return dflt;
  }
  return value;
}

function num(
  name: string,
  value: number | undefined,
  dflt: number,
  issues: string[],
  opts: { min?: number; positive?: boolean },
): number {
  if (value === undefined) return dflt;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    issues.push(`${name} must be a finite number, got ${JSON.stringify(value)}`);
    return dflt;
  }
  if (opts.positive === true && !(value > 0)) issues.push(`${name} must be > 0, got ${value}`);
  if (opts.min !== undefined && value < opts.min) issues.push(`${name} must be >= ${opts.min}, got ${value}`);
  return value;
}

function optionalPositive(name: string, value: number | null | undefined, issues: string[]): number | null {
  if (value === undefined || value === null || value === 0) return null;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    issues.push(`${name} must be a finite number > 0 (or null / 0 for none), got ${JSON.stringify(value)}`);
    return null;
  }
  return value;
}

/**
 * Applies defaults to an {@link ExecutionConfig} and validates it; `time` is used to infer the
 * timeframe when none is given. Throws {@link EngineConfigError} listing every problem.
 *
 * @example
 * ```ts
 * resolveExecutionConfig({ feePct: 0.1 }, bars.time).fill; // "next_open"
 * ```
 */
export function resolveExecutionConfig(
  config: ExecutionConfig = {},
  time?: Float64Array,
): ResolvedExecutionConfig {
  return resolveWithInferredTimeframe(config, time === undefined ? 0 : inferTimeframeMs(time));
}

/** {@link resolveExecutionConfig} with the inferred timeframe already known (0 when unknown). */
export function resolveWithInferredTimeframe(
  config: ExecutionConfig,
  inferredMs: number,
): ResolvedExecutionConfig {
  const issues: string[] = [];
  const initialBalance = num("initialBalance", config.initialBalance, 10_000, issues, { positive: true });
  const fill = pick("fill", config.fill, FILLS, "next_open", issues);
  const direction = pick("direction", config.direction, DIRECTIONS, "long_short", issues);
  const sizing = pick("sizing", config.sizing, SIZINGS, "risk_per_trade", issues);
  const units = num("units", config.units, 1, issues, { positive: true });
  const fraction = num("fraction", config.fraction, 1, issues, { positive: true });
  const riskPct = num("riskPct", config.riskPct, 2, issues, { positive: true });
  const feePct = num("feePct", config.feePct, 0, issues, { min: 0 });
  const feeFixed = num("feeFixed", config.feeFixed, 0, issues, { min: 0 });
  const slippageBps = num("slippageBps", config.slippageBps, 0, issues, { min: 0 });
  if (slippageBps >= 10_000) issues.push(`slippageBps must be < 10000, got ${slippageBps}`);
  const takeProfitPct = optionalPositive("takeProfitPct", config.takeProfitPct, issues);
  const stopLossPct = optionalPositive("stopLossPct", config.stopLossPct, issues);
  const maxTradeHours = optionalPositive("maxTradeHours", config.maxTradeHours, issues);
  const entryFrequency = pick(
    "entryFrequency",
    config.entryFrequency,
    Object.keys(ENTRY_SPACING_MS) as EntryFrequency[],
    "scalping",
    issues,
  );
  const exchange = pick("exchange", config.exchange, EXCHANGES, "crypto", issues);
  const endOfData = pick("endOfData", config.endOfData, END_OF_DATA, "close", issues);
  let timeframe: string | null = null;
  let timeframeMs = 0;
  if (config.timeframe !== undefined && config.timeframe !== null) {
    const ms = typeof config.timeframe === "string" ? parseTimeframe(config.timeframe) : null;
    if (ms === null)
      issues.push(
        `timeframe must look like 1m, 5m, 1h, 4h, 1d or 1w, got ${JSON.stringify(config.timeframe)}`,
      );
    else {
      timeframe = config.timeframe;
      timeframeMs = ms;
    }
  } else {
    timeframeMs = inferredMs;
  }
  let periodsPerYear: number | null = null;
  if (config.periodsPerYear !== undefined && config.periodsPerYear !== null) {
    periodsPerYear = num("periodsPerYear", config.periodsPerYear, 0, issues, { positive: true });
  } else if (timeframeMs > 0) {
    periodsPerYear = YEAR_MS / timeframeMs;
  }
  if (issues.length > 0) throw new EngineConfigError(issues);
  return {
    initialBalance,
    fill,
    direction,
    sizing,
    units,
    fraction,
    riskPct,
    feePct,
    feeFixed,
    slippageBps,
    takeProfitPct,
    stopLossPct,
    maxTradeHours,
    entryFrequency,
    entrySpacingMs: ENTRY_SPACING_MS[entryFrequency],
    exchange,
    timeframe,
    timeframeMs,
    periodsPerYear,
    endOfData,
  };
}
