import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { user } from "./auth.ts";

/**
 * A registry strategy: what the catalog shows and what a backtest resolves by slug. Built-in
 * strategies live in code (`@quantago/strategies`) and never get a row here; the slug namespace is
 * shared, so a registry slug that equals a built-in's is refused at creation.
 */
export const strategyDefinition = pgTable(
  "strategy_definition",
  {
    id: text().primaryKey(),
    slug: text().notNull(),
    name: text().notNull(),
    description: text().notNull(),
    /** `remote` | `wasm`. */
    runtimeType: text().notNull(),
    language: text().notNull(),
    /** `scalping` | `daily` | `weekly` | `monthly` | `quarterly`, stored lower case. */
    defaultFrequency: text().notNull(),
    minCandles: integer().notNull(),
    lookbackCandles: integer().notNull(),
    defaultConfig: jsonb().$type<Record<string, unknown>>().notNull(),
    parameterSchema: jsonb().$type<Record<string, unknown>>().notNull(),
    isPublic: boolean().notNull().default(false),
    ownerId: text()
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    /** The version a backtest uses when it names none; set in the same transaction as the version. */
    currentVersionId: text(),
    createdAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("strategy_definition_slug_idx").on(t.slug),
    index("strategy_definition_owner_idx").on(t.ownerId),
    index("strategy_definition_public_idx").on(t.isPublic).where(sql`${t.isPublic}`),
  ],
);

/**
 * One immutable version of a registry strategy. Rows are only ever inserted: a backtest pins the
 * version id and the artifact hash, so a rerun months later runs the very same bytes.
 */
export const strategyVersion = pgTable(
  "strategy_version",
  {
    id: text().primaryKey(),
    strategyId: text()
      .notNull()
      .references(() => strategyDefinition.id, { onDelete: "cascade" }),
    version: text().notNull(),
    runtimeConfig: jsonb().$type<Record<string, unknown>>().notNull(),
    /** R2 key of the artifact (content-addressed: `artifacts/sha256/<hex>`), null without one. */
    artifactKey: text(),
    artifactSha256: text(),
    artifactSize: integer(),
    artifactFileName: text(),
    artifactContentType: text(),
    createdAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("strategy_version_strategy_version_idx").on(t.strategyId, t.version),
    index("strategy_version_strategy_created_idx").on(t.strategyId, t.createdAt),
  ],
);
