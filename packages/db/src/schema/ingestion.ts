import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";

/**
 * The symbol registry: what the platform ingests and from where. `source` is `yahoo` | `binance` |
 * `csv` | `synthetic`; synthetic symbols are demo data and are flagged as such in the catalog.
 */
export const marketSymbol = pgTable(
  "market_symbol",
  {
    symbol: text().primaryKey(),
    assetClass: text().notNull(),
    source: text().notNull(),
    /** The provider's own spelling (`BTCUSDT` on Binance for `BTC-USD`); null when equal. */
    sourceSymbol: text(),
    enabled: boolean().notNull().default(true),
    synthetic: boolean().notNull().default(false),
    /** Earliest bar the source has; incremental syncs of a never-ingested symbol start here. */
    availableFrom: timestamp({ withTimezone: true, mode: "date" }),
    metadata: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [index("market_symbol_enabled_idx").on(t.enabled).where(sql`${t.enabled}`)],
);

/**
 * One ingestion run (run-once, upload, or a bulk / incremental / backfill workflow).
 * Status: `pending` → `running` → `completed` | `partial` (some symbols failed) | `failed` | `cancelled`.
 */
export const ingestionRun = pgTable(
  "ingestion_run",
  {
    id: text().primaryKey(),
    /** `run_once` | `upload` | `bulk` | `incremental` | `backfill`. */
    kind: text().notNull(),
    status: text().notNull(),
    workflowId: text(),
    timeframe: text().notNull(),
    rangeStart: timestamp({ withTimezone: true, mode: "date" }),
    rangeEnd: timestamp({ withTimezone: true, mode: "date" }),
    rowsWritten: bigint({ mode: "number" }).notNull().default(0),
    error: text(),
    /** Run options and, for uploads, the rejected-row report. */
    details: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    /** User id, or `secret` when started with the ingestion admin secret, or `cron`. */
    requestedBy: text().notNull(),
    createdAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
    startedAt: timestamp({ withTimezone: true, mode: "date" }),
    finishedAt: timestamp({ withTimezone: true, mode: "date" }),
  },
  (t) => [index("ingestion_run_created_idx").on(t.createdAt), index("ingestion_run_status_idx").on(t.status)],
);

/** Per-symbol outcome of a run: one symbol failing is recorded here and does not stop the others. */
export const ingestionRunSymbol = pgTable(
  "ingestion_run_symbol",
  {
    runId: text()
      .notNull()
      .references(() => ingestionRun.id, { onDelete: "cascade" }),
    symbol: text().notNull(),
    /** `pending` | `running` | `completed` | `failed`. */
    status: text().notNull(),
    rowsWritten: bigint({ mode: "number" }).notNull().default(0),
    /** Last bar time written (Unix ms), so an incremental sync knows where to resume. */
    lastBarTime: bigint({ mode: "number" }),
    attempts: integer().notNull().default(0),
    error: text(),
    updatedAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.symbol] })],
);

/**
 * The ordered event log behind `GET /api/admin/ingestion/events`: the bigserial id is the SSE `id:`,
 * so a client reconnecting with `Last-Event-ID` resumes exactly after the last event it saw.
 */
export const ingestionEvent = pgTable(
  "ingestion_event",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    runId: text()
      .notNull()
      .references(() => ingestionRun.id, { onDelete: "cascade" }),
    /** `run.started` | `symbol.started` | `symbol.progress` | `symbol.completed` | `symbol.failed` | `run.completed`. */
    type: text().notNull(),
    symbol: text(),
    payload: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [index("ingestion_event_run_idx").on(t.runId, t.id)],
);
