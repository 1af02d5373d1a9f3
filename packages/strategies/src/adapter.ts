/**
 * Compatibility (slow) path: runs a strategy written against the published per-candle JSON contract
 * (docs/compatibility.md#strategy-contract) on the fast-path engine interface. The adapter builds the `{ candle, history, portfolio,
 * parameters, context }` objects for every evaluated bar and validates every answer.
 *
 * @module
 */

import type {
  ActionCode,
  AsyncBarStrategy,
  BarColumns,
  BarStrategy,
  DecisionSlot,
  PortfolioView,
} from "./contract.ts";
import { BUY, HOLD, SELL } from "./contract.ts";
import { formatIsoUtc } from "./time.ts";

/** One candle as the JSON contract shows it. */
export interface Candle {
  time: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Open position as the JSON contract shows it. */
export interface CandleOpenPosition {
  type: "BUY" | "SELL";
  entryPrice: number;
  entryTime: string;
  size: number;
  unrealizedPnl: number;
}

/** Portfolio as the JSON contract shows it. */
export interface CandlePortfolio {
  cash: number;
  equity: number;
  openPosition: CandleOpenPosition | null;
  /** Time of the most recent entry fill, or null before the first one. */
  lastTradeAt: string | null;
}

/** Strategy identity passed in `context.strategy`. */
export interface CandleStrategyIdentity {
  name: string;
  version: string;
  runtime: string;
  language: string;
}

/** Per-call context of the JSON contract. */
export interface CandleContext {
  index: number;
  totalCandles: number;
  timeframe: string;
  strategy: CandleStrategyIdentity;
}

/** Input of one call of a per-candle strategy (docs/compatibility.md#strategy-contract). */
export interface CandleStrategyInput {
  candle: Candle;
  /** Ascending; the last `lookbackCandles` evaluated candles up to and including `candle`. */
  history: Candle[];
  portfolio: CandlePortfolio;
  parameters: Record<string, unknown>;
  context: CandleContext;
}

/** Well-formed output of a per-candle strategy. */
export interface CandleDecision {
  action?: "BUY" | "SELL" | "HOLD" | (string & {});
  size?: number;
  reason?: string;
  metadata?: Record<string, unknown>;
}

/** A strategy on the JSON contract. Its output is validated, hence `unknown`. */
export type CandleStrategyFn = (input: CandleStrategyInput) => unknown;

/** A strategy on the JSON contract that may answer asynchronously (remote runtimes). */
export type AsyncCandleStrategyFn = (input: CandleStrategyInput) => unknown | Promise<unknown>;

/** Options of {@link adaptCandleStrategy}. */
export interface CandleStrategyOptions {
  /** Identifier reported by the engine. Default `"candle-strategy"`. */
  slug?: string;
  /** The strategy is not called (HOLD) until this many bars have been evaluated. Default 1. */
  minCandles?: number;
  /** Length of `history`. Default `max(minCandles, 1)`. */
  lookbackCandles?: number;
  /** Passed as `input.parameters`. Default `{}`. */
  parameters?: Record<string, unknown>;
  /** Passed as `context.timeframe`. Default `""`. */
  timeframe?: string;
  /** Passed as `context.strategy`. */
  strategy?: Partial<CandleStrategyIdentity>;
  /**
   * Whether decisions may depend on the portfolio (default true, the contract passes it). Set false
   * only for strategies known to ignore it, to allow precomputing decisions as a column.
   */
  usesPortfolio?: boolean;
}

/** Options of a per-candle strategy with defaults applied and counts checked. */
export interface ResolvedCandleStrategyOptions {
  slug: string;
  minCandles: number;
  lookbackCandles: number;
  usesPortfolio: boolean;
  identity: CandleStrategyIdentity;
}

/**
 * Applies the defaults of {@link CandleStrategyOptions} (one home for them: the TypeScript adapter and
 * the WASM JSON-ABI runtime both build the contract's input from these).
 *
 * @throws RangeError when minCandles or lookbackCandles is not a positive integer
 */
export function resolveCandleStrategyOptions(options: CandleStrategyOptions): ResolvedCandleStrategyOptions {
  const minCandles = options.minCandles ?? 1;
  if (!Number.isInteger(minCandles) || minCandles < 1) {
    throw new RangeError(`minCandles must be an integer >= 1, got ${minCandles}`);
  }
  const lookbackCandles = options.lookbackCandles ?? minCandles;
  if (!Number.isInteger(lookbackCandles) || lookbackCandles < 1) {
    throw new RangeError(`lookbackCandles must be an integer >= 1, got ${lookbackCandles}`);
  }
  const slug = options.slug ?? "candle-strategy";
  return {
    slug,
    minCandles,
    lookbackCandles,
    usesPortfolio: options.usesPortfolio ?? true,
    identity: {
      name: options.strategy?.name ?? slug,
      version: options.strategy?.version ?? "",
      runtime: options.strategy?.runtime ?? "native",
      language: options.strategy?.language ?? "typescript",
    },
  };
}

/** Thrown when a strategy answers something the contract does not allow. */
export class StrategyOutputError extends Error {
  /** Bar index of the offending call. */
  readonly index: number;

  constructor(index: number, message: string) {
    super(`Invalid strategy output at candle ${index}: ${message}`);
    this.name = "StrategyOutputError";
    this.index = index;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  try {
    const s = JSON.stringify(value);
    return s.length > 120 ? `${s.slice(0, 117)}...` : s;
  } catch {
    return String(value);
  }
}

/**
 * Validates one per-candle answer and converts it to an action code, writing `size`, `reason` and
 * `metadata` into `out`. Rules (docs/compatibility.md#strategy-contract): the answer must be an object; `action` is case-insensitive
 * `BUY` / `SELL` / `HOLD` (surrounding whitespace ignored), missing (`undefined`/`null`) means HOLD;
 * `size`, when present and not null, must be a finite number >= 0 (units). A non-string `reason` or a
 * non-object `metadata` is ignored. Anything else throws {@link StrategyOutputError}.
 *
 * @example
 * ```ts
 * const slot = createDecisionSlot();
 * parseCandleDecision({ action: "buy", size: 2 }, 42, slot); // 1 (BUY), slot.size === 2
 * parseCandleDecision({}, 43, slot); // 0 (HOLD)
 * parseCandleDecision({ action: "long" }, 44, slot); // throws StrategyOutputError
 * ```
 */
export function parseCandleDecision(output: unknown, index: number, out: DecisionSlot): ActionCode {
  if (typeof output !== "object" || output === null || Array.isArray(output)) {
    throw new StrategyOutputError(
      index,
      `expected an object like { "action": "BUY" }, got ${describe(output)}`,
    );
  }
  const o = output as Record<string, unknown>;
  const rawAction = o.action;
  let action: ActionCode;
  if (rawAction === undefined || rawAction === null) {
    action = HOLD;
  } else if (typeof rawAction === "string") {
    const a = rawAction.trim().toUpperCase();
    if (a === "BUY") action = BUY;
    else if (a === "SELL") action = SELL;
    else if (a === "HOLD") action = HOLD;
    else throw new StrategyOutputError(index, `action must be BUY, SELL or HOLD, got ${describe(rawAction)}`);
  } else {
    throw new StrategyOutputError(
      index,
      `action must be a string (BUY, SELL or HOLD), got ${describe(rawAction)}`,
    );
  }
  const size = o.size;
  if (size === undefined || size === null) {
    out.size = Number.NaN;
  } else if (typeof size === "number" && Number.isFinite(size) && size >= 0) {
    out.size = size;
  } else {
    throw new StrategyOutputError(index, `size must be a finite number >= 0 (units), got ${describe(size)}`);
  }
  out.reason = typeof o.reason === "string" ? o.reason : null;
  const meta = o.metadata;
  out.metadata =
    typeof meta === "object" && meta !== null && !Array.isArray(meta)
      ? (meta as Record<string, unknown>)
      : null;
  return action;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";
}

/** Builds the JSON-contract inputs bar by bar; shared by the sync and async adapters. */
class CandleInputBuilder {
  readonly slug: string;
  readonly minCandles: number;
  readonly lookbackCandles: number;
  readonly usesPortfolio: boolean;
  private readonly parameters: Record<string, unknown>;
  private readonly timeframe: string;
  private readonly identity: CandleStrategyIdentity;
  private history: Candle[] = [];
  private seen = 0;

  constructor(options: CandleStrategyOptions) {
    const resolved = resolveCandleStrategyOptions(options);
    this.slug = resolved.slug;
    this.minCandles = resolved.minCandles;
    this.lookbackCandles = resolved.lookbackCandles;
    this.usesPortfolio = resolved.usesPortfolio;
    this.parameters = options.parameters ?? {};
    this.timeframe = options.timeframe ?? "";
    this.identity = resolved.identity;
  }

  /** Records bar `i`; returns the input to send, or null while fewer than `minCandles` bars were seen. */
  next(i: number, bars: BarColumns, p: PortfolioView): CandleStrategyInput | null {
    const candle: Candle = {
      time: formatIsoUtc(bars.time[i] as number),
      open: bars.open[i] as number,
      high: bars.high[i] as number,
      low: bars.low[i] as number,
      close: bars.close[i] as number,
      volume: bars.volume[i] as number,
    };
    this.history.push(candle);
    if (this.history.length > this.lookbackCandles) this.history.shift();
    this.seen++;
    if (this.seen < this.minCandles) return null;
    const pos = p.position;
    const openPosition: CandleOpenPosition | null =
      pos === 0
        ? null
        : {
            type: pos > 0 ? "BUY" : "SELL",
            entryPrice: p.entryPrice,
            entryTime: formatIsoUtc(p.entryTime),
            size: Math.abs(pos),
            unrealizedPnl: (candle.close - p.entryPrice) * pos,
          };
    return {
      candle,
      history: this.history.slice(),
      portfolio: {
        cash: p.cash,
        equity: p.equity,
        openPosition,
        lastTradeAt: Number.isNaN(p.lastEntryTime) ? null : formatIsoUtc(p.lastEntryTime),
      },
      parameters: this.parameters,
      context: {
        index: i,
        totalCandles: bars.time.length,
        timeframe: this.timeframe,
        strategy: this.identity,
      },
    };
  }

  reset(): void {
    this.history = [];
    this.seen = 0;
  }
}

/** Where a per-candle strategy's input comes from: built bar by bar, null before `minCandles` bars. */
export interface CandleInputSource<I> {
  readonly slug: string;
  readonly minCandles: number;
  readonly lookbackCandles: number;
  readonly usesPortfolio: boolean;
  next(i: number, bars: BarColumns, portfolio: PortfolioView): I | null;
  reset(): void;
}

/**
 * The one shape of every per-candle strategy on the engine interface (the sync and async adapters
 * here, the JSON ABI host in the sandbox): HOLD without a call until the source has an input, then
 * whatever `answer` makes of it. `answer` differs in how the decision arrives (a value, a promise,
 * bytes in linear memory).
 */
export function perCandleStrategy<I, A>(
  source: CandleInputSource<I>,
  answer: (input: I, i: number, out: DecisionSlot) => A,
) {
  return {
    slug: source.slug,
    minCandles: source.minCandles,
    lookbackCandles: source.lookbackCandles,
    usesPortfolio: source.usesPortfolio,
    onBar(i: number, bars: BarColumns, portfolio: PortfolioView, out: DecisionSlot): A | ActionCode {
      const input = source.next(i, bars, portfolio);
      return input === null ? HOLD : answer(input, i, out);
    },
    reset() {
      source.reset();
    },
  };
}

/**
 * Wraps a synchronous per-candle strategy (native JS, or the JSON-over-memory WASM ABI) as a
 * {@link BarStrategy}. Bars before `minCandles` are HOLD without a call. Throws
 * {@link StrategyOutputError} on an invalid answer and a TypeError if the function returns a promise
 * (use {@link adaptAsyncCandleStrategy} with the async engine for that).
 *
 * @example
 * ```ts
 * const strategy = adaptCandleStrategy(
 *   ({ candle, history }) => ({ action: candle.close > history[0].close ? "buy" : "sell" }),
 *   { minCandles: 5, lookbackCandles: 5 },
 * );
 * runBacktest(bars, strategy, config);
 * ```
 */
export function adaptCandleStrategy(fn: CandleStrategyFn, options: CandleStrategyOptions = {}): BarStrategy {
  const builder = new CandleInputBuilder(options);
  return perCandleStrategy(builder, (input, i, out) => {
    const output = fn(input);
    if (isThenable(output)) {
      throw new TypeError(
        `Strategy ${builder.slug} returned a promise at candle ${i}; use adaptAsyncCandleStrategy and runBacktestAsync`,
      );
    }
    return parseCandleDecision(output, i, out);
  });
}

/**
 * Like {@link adaptCandleStrategy} for a strategy that may answer asynchronously (the remote HTTP
 * runtime); run it with the engine's `runBacktestAsync`.
 *
 * @example
 * ```ts
 * const strategy = adaptAsyncCandleStrategy(async (input) => (await fetch(url, { method: "POST", body: JSON.stringify(input) })).json());
 * await runBacktestAsync(bars, strategy, config);
 * ```
 */
export function adaptAsyncCandleStrategy(
  fn: AsyncCandleStrategyFn,
  options: CandleStrategyOptions = {},
): AsyncBarStrategy {
  return perCandleStrategy(new CandleInputBuilder(options), (input, i, out) => {
    const output = fn(input);
    return isThenable(output)
      ? Promise.resolve(output).then((o) => parseCandleDecision(o, i, out))
      : parseCandleDecision(output, i, out);
  });
}

/**
 * Preflight (docs/compatibility.md#strategy-contract): calls the strategy on the first `min(10, n)` candles with a flat portfolio of
 * `initialBalance` cash (history growing from the first candle, `minCandles` ignored so every call
 * happens) and validates each answer; throws {@link StrategyOutputError} on the first invalid one.
 *
 * @example
 * ```ts
 * await preflightCandleStrategy(fn, bars, { initialBalance: 10_000, lookbackCandles: 50 });
 * ```
 */
export async function preflightCandleStrategy(
  fn: AsyncCandleStrategyFn,
  bars: BarColumns,
  options: CandleStrategyOptions & { initialBalance?: number; count?: number } = {},
): Promise<void> {
  const cash = options.initialBalance ?? 10_000;
  const portfolio: PortfolioView = {
    cash,
    equity: cash,
    position: 0,
    entryPrice: Number.NaN,
    entryTime: Number.NaN,
    entryIndex: -1,
    lastEntryTime: Number.NaN,
  };
  const builder = new CandleInputBuilder({
    ...options,
    minCandles: 1,
    lookbackCandles: options.lookbackCandles ?? options.minCandles ?? 1,
  });
  const slot: DecisionSlot = { size: Number.NaN, reason: null, metadata: null };
  const n = Math.min(options.count ?? 10, bars.time.length);
  for (let i = 0; i < n; i++) {
    const input = builder.next(i, bars, portfolio);
    if (input === null) continue;
    parseCandleDecision(await fn(input), i, slot);
  }
}
