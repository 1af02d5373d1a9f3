/**
 * Research (docs/api.md#research): parameter sweeps, walk-forward analyses (a sweep per window) and
 * Monte Carlo runs over a completed backtest's trades.
 */
import { z } from "zod";
import { backtestStatusSchema, createBacktestRequestSchema } from "./backtests.ts";
import { HEATMAP_AGGREGATES } from "./wire.ts";

/** Most valid combinations one sweep may run (a walk-forward runs them once per window). */
export const MAX_SWEEP_COMBINATIONS = 2_000;
/** Most grid points counted before validation (the product of the axes' sizes). */
export const MAX_SWEEP_GRID = 100_000;
/** Sweeps (and walk-forwards) one user may have pending or running at once. */
export const MAX_ACTIVE_SWEEPS = 2;

/** Metrics a sweep can rank by; `maxDrawdown` ranks lowest first, every other highest first. */
export const sweepMetrics = [
  "totalReturn",
  "sharpe",
  "sortino",
  "calmar",
  "cagr",
  "profitFactor",
  "winRate",
  "expectancy",
  "netProfit",
  "maxDrawdown",
] as const;
export const sweepMetricSchema = z.enum(sweepMetrics);
export type SweepMetric = z.infer<typeof sweepMetricSchema>;

const axisValue = z.union([z.number(), z.string().min(1).max(100), z.boolean()]);

/** How one parameter is swept: an inclusive range walked by `step`, or explicit `values`. */
export const sweepAxisSchema = z.union([
  z.strictObject({
    min: z.number(),
    max: z.number(),
    step: z.number().positive(),
  }),
  z.strictObject({ values: z.array(axisValue).min(1) }),
]);
export type SweepAxis = z.infer<typeof sweepAxisSchema>;

/** Every combination of the axes (`grid`), or `samples` of them drawn with `seed` (`random`). */
export const sweepSearchSchema = z.discriminatedUnion("mode", [
  z.strictObject({ mode: z.literal("grid") }),
  z.strictObject({
    mode: z.literal("random"),
    samples: z.number().int().min(1).max(MAX_SWEEP_COMBINATIONS),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(1),
  }),
]);

export const walkForwardPlanSchema = z.strictObject({
  windows: z.number().int().min(1).max(50),
  /** Share of each window that is in-sample, (0.1 .. 0.95). */
  in_sample_ratio: z.number().min(0.1).max(0.95).default(0.75),
  mode: z.enum(["rolling", "anchored"]).default("rolling"),
});

export const createSweepRequestSchema = z.object({
  sweep: z.object({
    /** The backtest every combination runs (as `POST /api/backtests` takes it), axes replacing its parameters. */
    backtest: createBacktestRequestSchema.shape.backtest,
    axes: z
      .record(z.string().min(1).max(64), sweepAxisSchema)
      .refine((a) => Object.keys(a).length >= 1 && Object.keys(a).length <= 8, {
        message: "sweep 1 to 8 parameters",
      }),
    search: sweepSearchSchema.default({ mode: "grid" }),
    metric: sweepMetricSchema.default("sharpe"),
    /** With it, a walk-forward analysis: the sweep picks the best combination in each in-sample part. */
    walk_forward: walkForwardPlanSchema.optional(),
  }),
});
export type CreateSweepRequest = z.infer<typeof createSweepRequestSchema>;

export const sweepKindSchema = z.enum(["sweep", "walk_forward"]);

export const sweepRecordSchema = z.object({
  id: z.string(),
  kind: sweepKindSchema,
  status: backtestStatusSchema,
  strategy: z.string(),
  symbol: z.string(),
  timeframe: z.string(),
  base: z.record(z.string(), z.unknown()),
  axes: z.record(z.string(), z.unknown()),
  search: z.record(z.string(), z.unknown()),
  metric: sweepMetricSchema,
  walk_forward: z.record(z.string(), z.unknown()).nullable(),
  /** Grid points before the strategy's own rules (e.g. fast < slow). */
  combinations_total: z.number().int(),
  /** Grid points the strategy's rules refuse: counted, never run. */
  combinations_skipped: z.number().int(),
  /** Combinations that run (once per window for a walk-forward). */
  combinations: z.number().int(),
  work_done: z.number().int(),
  work_total: z.number().int(),
  progress: z.number(),
  bars_total: z.number().int().nullable(),
  error_message: z.string().nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
});
export type SweepRecord = z.infer<typeof sweepRecordSchema>;

export const sweepResultSchema = z.object({
  /** 1 = best by the sweep's metric. */
  rank: z.number().int(),
  combination: z.number().int(),
  parameters: z.record(z.string(), z.unknown()),
  score: z.number().nullable(),
  metrics: z.record(z.string(), z.unknown()),
  backtest_id: z.string().nullable(),
});
export type SweepResult = z.infer<typeof sweepResultSchema>;

const pageLimit = (max: number, dflt: number) => z.coerce.number().int().min(1).max(max).default(dflt);
const pageOffset = z.coerce.number().int().min(0).max(10_000_000).default(0);

export const sweepIdParamSchema = z.object({ id: z.string().min(1).max(64) });
export const sweepResultParamSchema = sweepIdParamSchema.extend({
  combination: z.coerce.number().int().min(0).max(MAX_SWEEP_COMBINATIONS),
});
export const sweepListQuerySchema = z.object({
  kind: sweepKindSchema.optional(),
  status: backtestStatusSchema.optional(),
  limit: pageLimit(200, 50),
  offset: pageOffset,
});
export const sweepResultsQuerySchema = z.object({ limit: pageLimit(1000, 100), offset: pageOffset });

/**
 * `fixed` of a heatmap query: a JSON object naming other swept parameters and the value each is held
 * at, e.g. `{"signal":9}`; the parameters neither on an axis nor fixed are aggregated.
 */
const fixedParametersSchema = z
  .string()
  .max(2_000)
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "must be a JSON object of parameter: value" });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string().min(1).max(64), axisValue));

/** A heatmap over two swept parameters; the others are fixed (`fixed`) or aggregated (`max`/`mean`/`min`). */
export const sweepHeatmapQuerySchema = z.object({
  x: z.string().min(1).max(64),
  y: z.string().min(1).max(64),
  aggregate: z.enum(HEATMAP_AGGREGATES).default("max"),
  fixed: fixedParametersSchema
    .optional()
    .describe('JSON object: other swept parameters held at one value each, e.g. {"signal":9}'),
});
export const sweepHeatmapSchema = z.object({
  x: z.object({ parameter: z.string(), values: z.array(z.unknown()) }),
  y: z.object({ parameter: z.string(), values: z.array(z.unknown()) }),
  metric: sweepMetricSchema,
  aggregate: z.enum(HEATMAP_AGGREGATES),
  /** The other parameters held at one value (as asked); those not named here were aggregated. */
  fixed: z.record(z.string(), z.unknown()),
  /** `cells[yi][xi]`: the aggregated score and the best combination there (null: none ran). */
  cells: z.array(
    z.array(z.object({ score: z.number().nullable(), combination: z.number().int() }).nullable()),
  ),
});
export type SweepHeatmap = z.infer<typeof sweepHeatmapSchema>;

const distributionSchema = z.object({
  p5: z.number(),
  p25: z.number(),
  p50: z.number(),
  p75: z.number(),
  p95: z.number(),
  mean: z.number(),
  min: z.number(),
  max: z.number(),
});

/** Walk-forward output: per window the chosen parameters and IS/OOS metrics, and the stitched OOS. */
export const walkForwardSummarySchema = z.object({
  windows: z.array(
    z.object({
      index: z.number().int(),
      in_sample: z.object({ start: z.string(), end: z.string(), bars: z.number().int() }),
      out_of_sample: z.object({ start: z.string(), end: z.string(), bars: z.number().int() }),
      parameters: z.record(z.string(), z.unknown()),
      in_sample_score: z.number().nullable(),
      out_of_sample_score: z.number().nullable(),
      in_sample_metrics: z.record(z.string(), z.unknown()),
      out_of_sample_metrics: z.record(z.string(), z.unknown()),
    }),
  ),
  out_of_sample: z.object({
    metrics: z.record(z.string(), z.unknown()),
    equity: z.array(z.object({ time: z.string(), equity: z.number() })),
  }),
});
export type WalkForwardSummary = z.infer<typeof walkForwardSummarySchema>;

export const createMonteCarloRequestSchema = z.object({
  monte_carlo: z.object({
    backtest_id: z.string().min(1).max(64),
    method: z.enum(["shuffle", "bootstrap"]).default("bootstrap"),
    runs: z.number().int().min(1).max(10_000).default(1_000),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(1),
    /** A path is ruined when its equity falls to or below this (default: half the initial balance). */
    ruin_equity: z.number().optional(),
  }),
});
export type CreateMonteCarloRequest = z.infer<typeof createMonteCarloRequestSchema>;

export const monteCarloRecordSchema = z.object({
  id: z.string(),
  backtest_id: z.string(),
  method: z.enum(["shuffle", "bootstrap"]),
  runs: z.number().int(),
  seed: z.number().int(),
  ruin_equity: z.number(),
  initial_balance: z.number(),
  trades: z.number().int(),
  final_equity: distributionSchema,
  max_drawdown: distributionSchema,
  longest_drawdown_trades: distributionSchema,
  probability_of_ruin: z.number(),
  fan: z.array(
    z.object({
      trade_index: z.number().int(),
      p5: z.number(),
      p25: z.number(),
      p50: z.number(),
      p75: z.number(),
      p95: z.number(),
    }),
  ),
  samples: z.object({
    final_equity: z.array(z.number()),
    max_drawdown: z.array(z.number()),
    longest_drawdown_trades: z.array(z.number()),
  }),
  created_at: z.string(),
});
export type MonteCarloRecord = z.infer<typeof monteCarloRecordSchema>;
export const monteCarloIdParamSchema = z.object({ id: z.string().min(1).max(64) });
export const monteCarloListQuerySchema = z.object({
  backtest_id: z.string().min(1).max(64).optional(),
  limit: pageLimit(200, 50),
  offset: pageOffset,
});
