import { z } from "zod";
import { assetClassSchema, marketTimeframeSchema, representableInstantSchema } from "./market-data.ts";

/** Where a registered symbol's bars come from. */
export const ingestionSources = ["yahoo", "binance", "csv", "synthetic"] as const;
export const ingestionSourceSchema = z.enum(ingestionSources);
export type IngestionSource = z.infer<typeof ingestionSourceSchema>;

export const ingestionRunKinds = ["run_once", "upload", "bulk", "incremental", "backfill"] as const;
export const ingestionRunStatuses = [
  "pending",
  "running",
  "completed",
  "partial",
  "failed",
  "cancelled",
] as const;

/** The SSE event types of `GET /api/admin/ingestion/events` (heartbeats come as `heartbeat`). */
export const ingestionEventTypes = [
  "run.started",
  "symbol.started",
  "symbol.progress",
  "symbol.completed",
  "symbol.failed",
  "run.completed",
] as const;
export type IngestionEventType = (typeof ingestionEventTypes)[number];

/** Loose symbol shape here; the API normalises and checks it with the market-data symbol rules. */
const symbolText = z.string().trim().min(1).max(24);

/** One entry of `POST /api/admin/ingestion/symbols`: an upsert; only given fields change. */
export const symbolUpsertSchema = z.object({
  symbol: symbolText,
  assetClass: assetClassSchema.optional(),
  source: ingestionSourceSchema.optional(),
  sourceSymbol: z.string().trim().min(1).max(40).nullable().optional(),
  enabled: z.boolean().optional(),
  availableFrom: representableInstantSchema.nullable().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type SymbolUpsert = z.infer<typeof symbolUpsertSchema>;

export const symbolsUpsertBodySchema = z.union([
  z.object({ symbols: z.array(symbolUpsertSchema).min(1).max(500) }),
  symbolUpsertSchema.transform((one) => ({ symbols: [one] })),
]);

export const symbolsQuerySchema = z.object({
  enabled: z.enum(["true", "false"]).optional(),
  source: ingestionSourceSchema.optional(),
});

export const ingestionLogsQuerySchema = z.object({
  status: z.enum(ingestionRunStatuses).optional(),
  kind: z.enum(ingestionRunKinds).optional(),
  symbol: symbolText.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type IngestionLogsQuery = z.infer<typeof ingestionLogsQuerySchema>;

/** Tuning shared by the workflow routes. */
export const workflowOptionsSchema = z
  .object({
    /** Symbols processed side by side (one batch at a time). */
    concurrency: z.number().int().min(1).max(16).optional(),
    /** Pause before each provider request of a symbol, in ms (rate limits). */
    delayMs: z.number().int().min(0).max(60_000).optional(),
    /** Bars per step (one provider fetch + one INSERT). */
    chunkBars: z.number().int().min(10).max(1_000_000).optional(),
  })
  .strict();

const range = {
  from: representableInstantSchema,
  to: representableInstantSchema.optional(),
};
const fromBeforeTo = (b: { from: number; to?: number | undefined }) => b.to === undefined || b.from < b.to;
const fromBeforeToIssue = { message: "from must be before to", path: ["to"] };

export const bulkWorkflowBodySchema = z
  .object({
    /** Registered symbols; default every enabled one. */
    symbols: z.array(symbolText).min(1).max(500).optional(),
    timeframe: marketTimeframeSchema.default("1m"),
    ...range,
    options: workflowOptionsSchema.optional(),
  })
  .refine(fromBeforeTo, fromBeforeToIssue);

export const incrementalWorkflowBodySchema = z.object({
  symbols: z.array(symbolText).min(1).max(500).optional(),
  timeframe: marketTimeframeSchema.default("1m"),
  options: workflowOptionsSchema.optional(),
});

export const backfillWorkflowBodySchema = z
  .object({
    symbol: symbolText,
    timeframe: marketTimeframeSchema.default("1m"),
    ...range,
    options: workflowOptionsSchema.optional(),
  })
  .refine(fromBeforeTo, fromBeforeToIssue);

/** `POST /run-once`: one symbol, a small range, written before the answer. */
export const runOnceBodySchema = z
  .object({
    symbol: symbolText,
    timeframe: marketTimeframeSchema.default("1m"),
    from: representableInstantSchema,
    to: representableInstantSchema,
    /** Defaults to the registered source, else inferred (crypto: binance, others: yahoo). */
    source: z.enum(["yahoo", "binance", "synthetic"]).optional(),
    assetClass: assetClassSchema.optional(),
  })
  .refine((b) => b.from < b.to, fromBeforeToIssue);

export const uploadQuerySchema = z.object({
  symbol: symbolText,
  assetClass: assetClassSchema.optional(),
  timeframe: marketTimeframeSchema.default("1m"),
});

export const runIdParamSchema = z.object({ id: z.string().min(1).max(100) });

export const eventsQuerySchema = z.object({
  /** Only this run's events; without Last-Event-ID the stream then starts at the run's first event. */
  runId: z.string().min(1).max(100).optional(),
  /** Same as the Last-Event-ID header (for EventSource's first connection, which cannot set headers). */
  lastEventId: z.coerce.number().int().min(0).optional(),
  /** Close the stream after the run's `run.completed` (with `runId`). */
  untilComplete: z.enum(["1", "true"]).optional(),
  /** Close the stream after this many seconds (clients reconnect with Last-Event-ID). Default 300. */
  maxSeconds: z.coerce.number().int().min(1).max(3600).optional(),
});

/** `/api/admin/ingestion/symbols/:symbol…`: the symbol, as every ingestion route takes it. */
export const symbolParamSchema = z.object({ symbol: symbolText });

/**
 * `DELETE /api/admin/ingestion/symbols/:symbol/bars`: the bars with open time in `[from, to)`, of one
 * stored timeframe or (without `timeframe`) of every one; both ends must be storable times.
 */
export const deleteBarsQuerySchema = z
  .object({
    timeframe: marketTimeframeSchema.optional(),
    from: representableInstantSchema,
    to: representableInstantSchema,
  })
  .refine((q) => q.from < q.to, { message: "from must be before to", path: ["to"] });

/** What the deletion removed, per stored timeframe of the symbol it touched. */
export const deleteBarsResponseSchema = z.object({
  symbol: z.string(),
  from: z.string(),
  to: z.string(),
  series: z.array(
    z.object({ timeframe: z.string(), deletedBars: z.number().int(), seriesRemoved: z.boolean() }),
  ),
});
export type DeleteBarsResponse = z.infer<typeof deleteBarsResponseSchema>;
