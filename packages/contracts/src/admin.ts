import { z } from "zod";
import { backtestStatuses } from "./backtests.ts";
import { dependencyCheckSchema } from "./health.ts";
import { marketTimeframeSchema } from "./market-data.ts";

/** `GET /api/admin/backtests/summary` (ours): how many rows each list holds. */
export const adminBacktestsSummaryQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(10),
});
export type AdminBacktestsSummaryQuery = z.infer<typeof adminBacktestsSummaryQuerySchema>;

/** One backtest as the operator sees it across users: who ran what, on which data, and how it went. */
export const adminBacktestRowSchema = z.object({
  id: z.string(),
  userId: z.string(),
  userEmail: z.string(),
  status: z.enum(backtestStatuses),
  strategy: z.string(),
  symbol: z.string(),
  timeframe: z.string(),
  errorMessage: z.string().nullable(),
  barsDone: z.number().int(),
  barsTotal: z.number().int().nullable(),
  /** Wall time from start to finish, ms; null until both are known. */
  durationMs: z.number().int().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type AdminBacktestRow = z.infer<typeof adminBacktestRowSchema>;

export const adminBacktestsSummarySchema = z.object({
  /** Every status, zero included. */
  counts: z.record(z.enum(backtestStatuses), z.number().int()),
  /** Failed backtests that finished (or were created) in the last 24 hours. */
  failedLast24h: z.number().int(),
  /** Newest failures first. */
  recentFailures: z.array(adminBacktestRowSchema),
  /** Completed runs, longest wall time first. */
  slowest: z.array(adminBacktestRowSchema),
  /** Pending and running backtests, oldest first (the order they are served in). */
  queue: z.array(adminBacktestRowSchema),
});
export type AdminBacktestsSummary = z.infer<typeof adminBacktestsSummarySchema>;

/** A dependency check of the admin health route: the deep check plus the server's version when known. */
export const adminDependencyCheckSchema = dependencyCheckSchema.extend({
  version: z.string().optional(),
});
export type AdminDependencyCheck = z.infer<typeof adminDependencyCheckSchema>;

/** `GET /api/admin/health` (ours). */
export const adminHealthResponseSchema = z.object({
  ok: z.boolean(),
  api: z.object({ version: z.string(), commit: z.string().nullable() }),
  checks: z.record(z.string(), adminDependencyCheckSchema),
});
export type AdminHealthResponse = z.infer<typeof adminHealthResponseSchema>;

/** `GET /api/admin/ingestion/symbols/:symbol/coverage` (ours): one stored series over a window of days. */
export const coverageQuerySchema = z.object({
  timeframe: marketTimeframeSchema,
  /** How many UTC days back from the newest bar to look at. */
  days: z.coerce.number().int().min(1).max(366).default(30),
});

export const coverageResponseSchema = z.object({
  symbol: z.string(),
  timeframe: z.string(),
  firstBar: z.string().nullable(),
  lastBar: z.string().nullable(),
  barCount: z.number().int(),
  /** The window looked at, `[from, to)`. */
  from: z.string().nullable(),
  to: z.string().nullable(),
  /** Bars per UTC day in the window, days without a bar included as 0. */
  days: z.array(z.object({ day: z.string(), bars: z.number().int() })),
  /**
   * Holes longer than one bar in the window: `from` is the first missing bar's open time, `to` the
   * next bar present. Weekends of a market that closes show up too (the series does not know its hours).
   */
  gaps: z.array(z.object({ from: z.string(), to: z.string(), missingBars: z.number().int() })),
  /** True when more gaps exist than listed (the largest are kept). */
  gapsTruncated: z.boolean(),
});
export type CoverageResponse = z.infer<typeof coverageResponseSchema>;
