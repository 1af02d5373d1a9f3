import { buildRollupRefreshSql } from "../query/rollups.ts";
import { type BarsSql, BUCKET_SQL } from "../query/sql-parts.ts";

/**
 * Versioned ClickHouse DDL. Append new entries, never edit applied ones: `applyClickHouseMigrations`
 * records each applied version in `schema_migrations` and skips it afterwards.
 *
 * `statements` receives the (validated) market-data database name so that every table is qualified.
 */
export interface ClickHouseMigration {
  version: number;
  name: string;
  /** Plain DDL, or a statement with bound parameters (e.g. a backfill). */
  statements: (db: string) => Array<string | BarsSql>;
}

/**
 * The (rollup timeframe, base timeframe) pairs migration 2's invalidation view writes tombstones for,
 * spelled out so the applied DDL never changes under it; a test holds them equal to ROLLUP_TIMEFRAMES ×
 * rollupBases.
 */
export const ROLLUP_PAIRS_V2: ReadonlyArray<readonly [string, string]> = [
  ["1h", "1m"],
  ["1h", "5m"],
  ["1h", "15m"],
  ["1h", "30m"],
  ["4h", "1m"],
  ["4h", "5m"],
  ["4h", "15m"],
  ["4h", "30m"],
  ["4h", "1h"],
  ["1d", "1m"],
  ["1d", "5m"],
  ["1d", "15m"],
  ["1d", "30m"],
  ["1d", "1h"],
  ["1d", "4h"],
  ["1w", "1m"],
  ["1w", "5m"],
  ["1w", "15m"],
  ["1w", "30m"],
  ["1w", "1h"],
  ["1w", "4h"],
  ["1w", "1d"],
];

export const clickHouseMigrations: ClickHouseMigration[] = [
  {
    version: 1,
    name: "ohlcv",
    statements: (db) => [
      // One row per bar at its base (finest stored) timeframe. Re-ingesting a range writes rows with the
      // same sorting key and a higher `ingest_version`; ReplacingMergeTree keeps the newest on merge and
      // queries deduplicate with FINAL or argMax until then, so a bar is never counted twice.
      `CREATE TABLE IF NOT EXISTS ${db}.ohlcv (
        symbol LowCardinality(String),
        asset_class LowCardinality(String),
        timeframe LowCardinality(String),
        time DateTime64(3, 'UTC'),
        open Float64,
        high Float64,
        low Float64,
        close Float64,
        volume Float64,
        source LowCardinality(String),
        ingest_version UInt64
      )
      ENGINE = ReplacingMergeTree(ingest_version)
      PARTITION BY toYYYYMM(time)
      ORDER BY (symbol, timeframe, time)`,
    ],
  },
  {
    version: 2,
    name: "rollups and series catalog",
    statements: (db) => [
      // Coarse candles kept ready-made (query/rollups.ts). `revision` is a server time in µs: the
      // tombstone of an insert or the start of the refresh that computed the row, highest wins.
      // `bars`, the first and last bar time and the last bar's asset class and source also make the
      // weekly rows a summary of each series (the catalog, listSymbols).
      `CREATE TABLE IF NOT EXISTS ${db}.ohlcv_rollup (
        symbol LowCardinality(String),
        base LowCardinality(String),
        timeframe LowCardinality(String),
        time DateTime64(3, 'UTC'),
        open Float64,
        high Float64,
        low Float64,
        close Float64,
        volume Float64,
        bars UInt32,
        first_time DateTime64(3, 'UTC'),
        last_time DateTime64(3, 'UTC'),
        asset_class LowCardinality(String),
        source LowCardinality(String),
        stale UInt8,
        revision UInt64
      )
      ENGINE = ReplacingMergeTree(revision)
      PARTITION BY toYear(time)
      ORDER BY (symbol, base, timeframe, time)`,
      // Every insert into ohlcv, whoever makes it, marks the rollup buckets it touches stale.
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.ohlcv_rollup_invalidate TO ${db}.ohlcv_rollup AS
      SELECT series_symbol AS symbol, base_timeframe AS base, rollup_timeframe AS timeframe, bucket AS time,
        nan AS open, nan AS high, nan AS low, nan AS close, nan AS volume,
        toUInt32(0) AS bars, toUInt8(1) AS stale, toUInt64(toUnixTimestamp64Micro(now64(6))) AS revision
      FROM (
        SELECT symbol AS series_symbol, timeframe AS base_timeframe, rollup_timeframe,
          multiIf(${(["1h", "4h", "1d"] as const)
            .map((tf) => `rollup_timeframe = '${tf}', toDateTime64(${BUCKET_SQL[tf]}, 3, 'UTC'), `)
            .join("")}toDateTime64(${BUCKET_SQL["1w"]}, 3, 'UTC')) AS bucket
        FROM ${db}.ohlcv
        ARRAY JOIN ['1h', '4h', '1d', '1w'] AS rollup_timeframe
        WHERE (rollup_timeframe, timeframe) IN (${ROLLUP_PAIRS_V2.map(([tf, base]) => `('${tf}', '${base}')`).join(", ")})
      )
      GROUP BY series_symbol, base_timeframe, rollup_timeframe, bucket`,
      // Which series exist: the base-timeframe lookup of every read, without scanning ohlcv.
      `CREATE TABLE IF NOT EXISTS ${db}.ohlcv_series (
        symbol LowCardinality(String),
        timeframe LowCardinality(String)
      )
      ENGINE = ReplacingMergeTree
      ORDER BY (symbol, timeframe)`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.ohlcv_series_feed TO ${db}.ohlcv_series AS
      SELECT DISTINCT symbol, timeframe FROM ${db}.ohlcv`,
      // Backfills of what was stored before this migration (repeating them is harmless).
      `INSERT INTO ${db}.ohlcv_series SELECT DISTINCT symbol, timeframe FROM ${db}.ohlcv`,
      buildRollupRefreshSql(db),
    ],
  },
];
