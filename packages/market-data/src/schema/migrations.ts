/**
 * Versioned ClickHouse DDL. Append new entries, never edit applied ones: `applyClickHouseMigrations`
 * records each applied version in `schema_migrations` and skips it afterwards.
 *
 * `statements` receives the (validated) market-data database name so that every table is qualified.
 */
export interface ClickHouseMigration {
  version: number;
  name: string;
  statements: (db: string) => string[];
}

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
];
