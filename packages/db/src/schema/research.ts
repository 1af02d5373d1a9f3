import {
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { user } from "./auth.ts";
import { backtest } from "./backtests.ts";

/**
 * A parameter sweep (or a walk-forward analysis, which is a sweep per window): the base backtest
 * request, the axes and search, the ranking metric, and how far it got. The combinations are counted
 * and validated at submit time; `combinationsSkipped` are those the strategy's own rules refuse.
 * Status: `pending` → `running` → `completed` | `failed` | `cancelled`.
 */
export const researchSweep = pgTable(
  "research_sweep",
  {
    id: text().primaryKey(),
    userId: text()
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    /** `sweep` | `walk_forward`. */
    kind: text().notNull(),
    status: text().notNull(),
    /** The backtest every combination runs, with its swept parameters replaced (request shape). */
    base: jsonb().$type<Record<string, unknown>>().notNull(),
    /** The engine config (defaults applied) shared by every combination. */
    executionConfig: jsonb().$type<Record<string, unknown>>().notNull(),
    strategy: text().notNull(),
    symbol: text().notNull(),
    timeframe: text().notNull(),
    axes: jsonb().$type<Record<string, unknown>>().notNull(),
    search: jsonb().$type<Record<string, unknown>>().notNull(),
    metric: text().notNull(),
    /** Walk-forward plan (windows, in-sample ratio, mode); null for a plain sweep. */
    walkForward: jsonb().$type<Record<string, unknown>>(),
    /** The valid combinations, in run order (each `{name: value}`). */
    combinations: jsonb().$type<Array<Record<string, unknown>>>().notNull(),
    combinationsTotal: integer().notNull(),
    combinationsSkipped: integer().notNull(),
    /** Units of work done / to do: combinations (sweep) or combination runs over all windows. */
    workDone: integer().notNull().default(0),
    workTotal: integer().notNull(),
    barsTotal: integer(),
    /** Walk-forward output (windows, chosen parameters, stitched out-of-sample equity and metrics). */
    summary: jsonb().$type<Record<string, unknown>>(),
    workflowId: text(),
    errorMessage: text(),
    createdAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
    startedAt: timestamp({ withTimezone: true, mode: "date" }),
    finishedAt: timestamp({ withTimezone: true, mode: "date" }),
    updatedAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    index("research_sweep_user_created_idx").on(t.userId, t.createdAt),
    index("research_sweep_user_status_idx").on(t.userId, t.status),
  ],
);

/** One combination's outcome in a sweep: its metrics and its score by the sweep's metric. */
export const researchSweepResult = pgTable(
  "research_sweep_result",
  {
    sweepId: text()
      .notNull()
      .references(() => researchSweep.id, { onDelete: "cascade" }),
    /** Position of the combination in the sweep's `combinations`. */
    combination: integer().notNull(),
    parameters: jsonb().$type<Record<string, unknown>>().notNull(),
    /** The ranking metric's value (null when undefined for this run, ranked last). */
    score: doublePrecision(),
    metrics: jsonb().$type<Record<string, unknown>>().notNull(),
    /** The backtest opened from this cell (`POST .../backtest`), if any. */
    backtestId: text().references(() => backtest.id, { onDelete: "set null" }),
  },
  (t) => [uniqueIndex("research_sweep_result_pk").on(t.sweepId, t.combination)],
);

/** A Monte Carlo run over a completed backtest's trades, with its options and its result. */
export const researchMonteCarlo = pgTable(
  "research_monte_carlo",
  {
    id: text().primaryKey(),
    userId: text()
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    backtestId: text()
      .notNull()
      .references(() => backtest.id, { onDelete: "cascade" }),
    options: jsonb().$type<Record<string, unknown>>().notNull(),
    result: jsonb().$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [index("research_monte_carlo_user_created_idx").on(t.userId, t.createdAt)],
);
