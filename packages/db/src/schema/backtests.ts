import {
  bigint,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import { user } from "./auth.ts";
import { strategyVersion } from "./strategies.ts";

/**
 * A backtest and everything needed to reproduce it: the strategy version and artifact hash it ran,
 * the resolved execution config, the data range, the bar count and a hash of the bars used.
 * Status: `pending` → `running` → `completed` | `failed` | `cancelled`.
 */
export const backtest = pgTable(
  "backtest",
  {
    id: text().primaryKey(),
    userId: text()
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    status: text().notNull(),
    symbol: text().notNull(),
    exchange: text().notNull(),
    assetClass: text().notNull(),
    timeframe: text().notNull(),
    startDate: timestamp({ withTimezone: true, mode: "date" }).notNull(),
    endDate: timestamp({ withTimezone: true, mode: "date" }).notNull(),
    initialBalance: doublePrecision().notNull(),
    /** The name or slug the caller sent (`strategy` in the request). */
    strategy: text().notNull(),
    /** `builtin` | `registry` | `adhoc`. */
    strategySource: text().notNull(),
    strategyRuntime: text().notNull(),
    strategyVersion: text(),
    strategyVersionId: text().references(() => strategyVersion.id, { onDelete: "set null" }),
    artifactSha256: text(),
    /** The request's `parameters`, as sent. */
    parameters: jsonb().$type<Record<string, unknown>>().notNull(),
    /** The execution config the engine ran with, defaults applied. */
    executionConfig: jsonb().$type<Record<string, unknown>>(),
    workflowId: text(),
    barsTotal: integer(),
    barsDone: integer().notNull().default(0),
    /** SHA-256 over the bar columns the engine saw. */
    barsHash: text(),
    metrics: jsonb().$type<Record<string, unknown>>(),
    finalEquity: doublePrecision(),
    tradeCount: integer(),
    /** R2 key of the full equity curve (binary, see the backtests service). */
    equityKey: text(),
    errorMessage: text(),
    /** The backtest this one re-runs, when it was started by `POST /:id/rerun`. */
    rerunOf: text(),
    /** The owner's free-text note on the result (`PATCH /api/backtests/:id`); null: none. */
    note: text(),
    createdAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
    startedAt: timestamp({ withTimezone: true, mode: "date" }),
    finishedAt: timestamp({ withTimezone: true, mode: "date" }),
    updatedAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    index("backtest_user_created_idx").on(t.userId, t.createdAt),
    index("backtest_user_status_idx").on(t.userId, t.status),
  ],
);

/** A closed trade of a backtest, in entry order (`seq`). */
export const backtestTrade = pgTable(
  "backtest_trade",
  {
    backtestId: text()
      .notNull()
      .references(() => backtest.id, { onDelete: "cascade" }),
    seq: integer().notNull(),
    /** `BUY` (long) | `SELL` (short). */
    type: text().notNull(),
    size: doublePrecision().notNull(),
    entryPrice: doublePrecision().notNull(),
    entryTime: bigint({ mode: "number" }).notNull(),
    exitPrice: doublePrecision().notNull(),
    exitTime: bigint({ mode: "number" }).notNull(),
    fees: doublePrecision().notNull(),
    profit: doublePrecision().notNull(),
    returnPct: doublePrecision().notNull(),
    reason: text().notNull(),
    metadata: jsonb().$type<Record<string, unknown>>(),
  },
  (t) => [primaryKey({ columns: [t.backtestId, t.seq] })],
);
