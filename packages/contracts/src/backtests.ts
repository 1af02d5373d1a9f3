import { z } from "zod";
import { nulFreeStringSchema, REPRESENTABLE_TIME_TEXT } from "./limits.ts";
import { assetClassSchema, marketTimeframeSchema, representableInstantSchema } from "./market-data.ts";
import { remoteRuntimeConfigSchema } from "./strategies.ts";
import { MAX_BACKTEST_NOTE_LENGTH } from "./wire.ts";

/** Venues of docs/compatibility.md#backtests; intraday bars outside the venue's local session are skipped. */
export const exchanges = ["london", "newyork", "tokyo", "nasdaq", "nyse", "crypto"] as const;
export const exchangeSchema = z.enum(exchanges);

export const backtestStatuses = ["pending", "running", "completed", "failed", "cancelled"] as const;
export const backtestStatusSchema = z.enum(backtestStatuses);
export type BacktestStatus = z.infer<typeof backtestStatusSchema>;

/** A calendar date (`2025-01-01`, UTC midnight) or a full ISO-8601 instant. */
const dateInput = z
  .string()
  .max(40)
  .refine(
    (s) => /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s) && !Number.isNaN(Date.parse(s)),
    {
      message: "must be a date (YYYY-MM-DD) or an ISO-8601 date-time",
    },
  )
  .refine((s) => representableInstantSchema.safeParse(s).success, {
    message: `must be between ${REPRESENTABLE_TIME_TEXT}`,
  });

const finiteNumber = z.coerce.number().refine(Number.isFinite, "must be a finite number");

/** Bar timeframe of a backtest that sets none and whose strategy has none of its own, as published. */
export const DEFAULT_BACKTEST_TIMEFRAME = "1d";

/**
 * An ad-hoc remote strategy's runtime (`parameters.strategyRuntime`): the registry's remote runtime
 * config, with `language` defaulting to `python` as published.
 */
export const adhocRuntimeConfigSchema = remoteRuntimeConfigSchema.extend({
  language: z.string().min(1).max(40).default("python"),
});

/**
 * The platform keys of `parameters` (docs/compatibility.md#backtests), plus ours for the execution model. Everything
 * else is the strategy's own and passes through untouched. Numeric strings are accepted as numbers,
 * as the published clients send form values. Keys left out take the strategy's defaults at submit
 * time (timeframe, entry frequency, take-profit, stop-loss), then the platform's.
 */
export const backtestParametersSchema = z.looseObject({
  timeframe: marketTimeframeSchema.optional(),
  riskPerTrade: finiteNumber.pipe(z.number().positive().max(100)).optional(),
  maxTradeTime: finiteNumber.pipe(z.number().positive()).optional(),
  takeProfitLevel: finiteNumber.pipe(z.number().positive()).optional(),
  stopLossLevel: finiteNumber.pipe(z.number().positive().max(100)).optional(),
  entryFrequency: z
    .string()
    .transform((s) => s.toLowerCase())
    .pipe(z.enum(["scalping", "daily", "weekly", "monthly", "quarterly"]))
    .optional(),
  provider: z.literal("clickhouse").optional(),
  assetClass: assetClassSchema.optional(),
  strategyVersion: z.string().min(1).max(64).optional(),
  strategyRuntime: adhocRuntimeConfigSchema.optional(),
  strategyDescription: z.string().max(500).optional(),
  strategyMinCandles: z.number().int().positive().max(1_000_000).optional(),
  strategyLookbackCandles: z.number().int().positive().max(1_000_000).optional(),
  // Ours: the execution model (defaults: risk-based sizing, next-open fills, long and short, no costs,
  // an open position closed at the last bar's close).
  sizing: z.enum(["fixed_units", "fraction_of_equity", "risk_per_trade"]).optional(),
  units: finiteNumber.pipe(z.number().positive()).optional(),
  fraction: finiteNumber.pipe(z.number().positive().max(1)).optional(),
  feePct: finiteNumber.pipe(z.number().min(0).max(10)).optional(),
  feeFixed: finiteNumber.pipe(z.number().min(0)).optional(),
  slippageBps: finiteNumber.pipe(z.number().min(0).max(1000)).optional(),
  fill: z.enum(["next_open", "signal_close"]).optional(),
  direction: z.enum(["long_only", "long_short"]).optional(),
  endOfData: z.enum(["close", "mark"]).optional(),
});
export type BacktestParameters = z.infer<typeof backtestParametersSchema>;

export const createBacktestRequestSchema = z.object({
  backtest: z
    .object({
      symbol: z.string().min(1).max(40),
      exchange: exchangeSchema,
      strategy: z.string().min(1).max(120),
      start_date: dateInput,
      end_date: dateInput,
      initial_balance: finiteNumber.pipe(z.number().positive().max(1e12)).default(10_000),
      parameters: backtestParametersSchema.default({}),
    })
    .refine((b) => Date.parse(b.start_date) < Date.parse(b.end_date), {
      message: "start_date must be before end_date",
      path: ["end_date"],
    }),
});
export type CreateBacktestRequest = z.infer<typeof createBacktestRequestSchema>;

/**
 * Statistics of a set of closed trades, net of fees (ours; packages/engine `TradeStats`): `netProfit`
 * is their summed pnl (closed trades only) and `expectancy` the average trade.
 */
export const tradeStatsSchema = z.object({
  numberOfTrades: z.number().int(),
  winningTrades: z.number().int(),
  losingTrades: z.number().int(),
  winRate: z.number().nullable(),
  grossProfit: z.number(),
  grossLoss: z.number(),
  netProfit: z.number(),
  profitFactor: z.number().nullable(),
  expectancy: z.number().nullable(),
  averageWin: z.number().nullable(),
  averageLoss: z.number().nullable(),
  bestTrade: z.number().nullable(),
  worstTrade: z.number().nullable(),
});
export type TradeStats = z.infer<typeof tradeStatsSchema>;

/** The All / Long / Short split of the trade statistics (`metrics.byDirection`, ours). */
export const directionMetricsSchema = z.object({
  all: tradeStatsSchema,
  long: tradeStatsSchema,
  short: tradeStatsSchema,
});
export type DirectionMetrics = z.infer<typeof directionMetricsSchema>;

/**
 * The run's metrics (ours; definitions in packages/engine `Metrics`): numbers keyed by name, plus
 * `byDirection`, absent on runs stored before the split existed.
 */
export const backtestMetricsSchema = z.looseObject({
  byDirection: directionMetricsSchema.nullable().optional(),
});

/**
 * `PATCH /api/backtests/:id` (ours): the owner's note on the result; an empty string or null clears it.
 */
export const updateBacktestRequestSchema = z.strictObject({
  note: nulFreeStringSchema
    .pipe(z.string().max(MAX_BACKTEST_NOTE_LENGTH, `must be at most ${MAX_BACKTEST_NOTE_LENGTH} characters`))
    .nullable(),
});
export type UpdateBacktestRequest = z.infer<typeof updateBacktestRequestSchema>;

/**
 * A backtest as the API returns it (snake_case like the published record): the published columns
 * (`user_id`, `final_balance`, `win_rate`, `profit_factor`, `max_drawdown`, `workflow_instance_id`,
 * `updated_at`) and ours beside them.
 */
export const backtestRecordSchema = z.object({
  id: z.string(),
  user_id: z.string(),
  status: backtestStatusSchema,
  symbol: z.string(),
  exchange: exchangeSchema,
  asset_class: assetClassSchema,
  timeframe: z.string(),
  strategy: z.string(),
  strategy_source: z.enum(["builtin", "registry", "adhoc"]),
  strategy_runtime: z.enum(["native", "remote", "wasm"]),
  strategy_version: z.string().nullable(),
  artifact_sha256: z.string().nullable(),
  start_date: z.string(),
  end_date: z.string(),
  initial_balance: z.number(),
  parameters: z.record(z.string(), z.unknown()),
  execution_config: z.record(z.string(), z.unknown()).nullable(),
  bars_total: z.number().int().nullable(),
  bars_done: z.number().int(),
  /** `bars_done / bars_total`, 0..1. */
  progress: z.number(),
  bars_hash: z.string().nullable(),
  metrics: backtestMetricsSchema.nullable(),
  final_equity: z.number().nullable(),
  /** Published name of `final_equity`. */
  final_balance: z.number().nullable(),
  /** Winning closed trades / closed trades, 0..1 (`metrics.winRate`). */
  win_rate: z.number().nullable(),
  /** Gross profit / |gross loss|; null without a losing trade (`metrics.profitFactor`). */
  profit_factor: z.number().nullable(),
  /** Largest peak-to-trough fall of equity, 0..1 of the peak (`metrics.maxDrawdown`). */
  max_drawdown: z.number().nullable(),
  trade_count: z.number().int().nullable(),
  error_message: z.string().nullable(),
  rerun_of: z.string().nullable(),
  /** The owner's note on the result (ours; `PATCH /api/backtests/:id`). */
  note: z.string().nullable(),
  workflow_instance_id: z.string().nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  updated_at: z.string(),
});
export type BacktestRecord = z.infer<typeof backtestRecordSchema>;

const pageLimit = (max: number, dflt: number) => z.coerce.number().int().min(1).max(max).default(dflt);
const pageOffset = z.coerce.number().int().min(0).max(10_000_000).default(0);

export const backtestListQuerySchema = z.object({
  status: backtestStatusSchema.optional(),
  symbol: z.string().min(1).max(40).optional(),
  strategy: z.string().min(1).max(120).optional(),
  limit: pageLimit(200, 50),
  offset: pageOffset,
});
/**
 * `GET /api/backtests` answers a bare array, as published; the total is in `X-Total-Count` and the
 * next page, when there is one, in `Link: <…>; rel="next"`.
 */
export const backtestListResponseSchema = z.array(backtestRecordSchema);

export const backtestIdParamSchema = z.object({ id: z.string().min(1).max(64) });

/** What the strategy reported with one decision (null: nothing). */
export const tradeSignalSchema = z.object({
  reason: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
});

/**
 * What the strategy reported at a trade's entry and exit. `entry.action` is the decision that opened
 * the trade (`BUY` long, `SELL` short). `exit.trigger` is what closed it (`signal`, `take_profit`,
 * `stop_loss`, `max_time`, `end_of_data`); `exit.action` is the closing decision when a signal closed
 * it, else null, and `exit.reason`/`exit.metadata` are that signal's (null for a platform exit).
 */
export const tradeSignalsSchema = z.object({
  entry: tradeSignalSchema.extend({ action: z.enum(["BUY", "SELL"]) }),
  exit: tradeSignalSchema.extend({
    action: z.enum(["BUY", "SELL"]).nullable(),
    trigger: z.string(),
  }),
});
export type TradeSignals = z.infer<typeof tradeSignalsSchema>;

export const backtestTradeSchema = z.object({
  /** `<backtest id>-<seq>`: stable, unique across backtests. */
  id: z.string(),
  backtest_id: z.string(),
  seq: z.number().int(),
  type: z.enum(["BUY", "SELL"]),
  size: z.number(),
  entry_price: z.number(),
  entry_time: z.string(),
  exit_price: z.number(),
  exit_time: z.string(),
  fees: z.number(),
  profit: z.number(),
  return_pct: z.number(),
  reason: z.string(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  signals: tradeSignalsSchema,
});
export type BacktestTrade = z.infer<typeof backtestTradeSchema>;

/** Columns `GET /:id/trades` can sort by; `seq` (entry order) is the default. */
export const TRADE_SORT_KEYS = [
  "seq",
  "entry_time",
  "exit_time",
  "entry_price",
  "exit_price",
  "profit",
] as const;
export const backtestTradesQuerySchema = z.object({
  limit: pageLimit(1000, 100),
  offset: pageOffset,
  /** Ties are in entry order whatever `order` is, so pages never overlap. */
  sort: z.enum(TRADE_SORT_KEYS).default("seq"),
  order: z.enum(["asc", "desc"]).default("asc"),
});
/** `GET /:id/trades` answers a bare array, paged like the backtest list (headers). */
export const backtestTradesResponseSchema = z.array(backtestTradeSchema);

/** Most points `GET /:id/equity` returns; the full curve is downsampled to this. */
export const MAX_EQUITY_POINTS = 10_000;
export const backtestEquityQuerySchema = z.object({
  points: z.coerce.number().int().min(2).max(MAX_EQUITY_POINTS).default(1000),
});
export const backtestEquityResponseSchema = z.object({
  /** Bars in the full curve. */
  total: z.number().int(),
  points: z.array(z.object({ time: z.string(), equity: z.number() })),
});
