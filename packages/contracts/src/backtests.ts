import { z } from "zod";
import { assetClassSchema, marketTimeframeSchema } from "./market-data.ts";
import { remoteRuntimeConfigSchema } from "./strategies.ts";

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
  );

const finiteNumber = z.coerce.number().refine(Number.isFinite, "must be a finite number");

/**
 * The platform keys of `parameters` (docs/compatibility.md#backtests), plus ours for the execution model. Everything
 * else is the strategy's own and passes through untouched. Numeric strings are accepted as numbers,
 * as the published clients send form values.
 */
export const backtestParametersSchema = z.looseObject({
  timeframe: marketTimeframeSchema.default("1h"),
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
  strategyRuntime: remoteRuntimeConfigSchema.optional(),
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
      parameters: backtestParametersSchema.default({ timeframe: "1h" }),
    })
    .refine((b) => Date.parse(b.start_date) < Date.parse(b.end_date), {
      message: "start_date must be before end_date",
      path: ["end_date"],
    }),
});
export type CreateBacktestRequest = z.infer<typeof createBacktestRequestSchema>;

/** A backtest as the API returns it (snake_case like the published record). */
export const backtestRecordSchema = z.object({
  id: z.string(),
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
  metrics: z.record(z.string(), z.unknown()).nullable(),
  final_equity: z.number().nullable(),
  trade_count: z.number().int().nullable(),
  error_message: z.string().nullable(),
  rerun_of: z.string().nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
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
export const backtestListResponseSchema = z.object({
  backtests: z.array(backtestRecordSchema),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});

export const backtestIdParamSchema = z.object({ id: z.string().min(1).max(64) });

export const backtestTradeSchema = z.object({
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
});
export type BacktestTrade = z.infer<typeof backtestTradeSchema>;

export const backtestTradesQuerySchema = z.object({ limit: pageLimit(1000, 100), offset: pageOffset });
export const backtestTradesResponseSchema = z.object({
  trades: z.array(backtestTradeSchema),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});

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
