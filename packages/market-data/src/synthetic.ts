import type { ClickHouseClient } from "@clickhouse/client-web";
import { refreshRollups } from "./query/rollups.ts";
import { ohlcvTable } from "./query/sql.ts";
import type { AssetClass } from "./symbols.ts";
import { TIMEFRAME_MS, type Timeframe } from "./timeframes.ts";

export interface SyntheticSeries {
  symbol: string;
  assetClass: AssetClass;
  /** Open time (Unix ms, aligned to the timeframe) of bar 0 of the path. */
  fromMs: number;
  /** Number of bars written. */
  count: number;
  /**
   * Index of the first bar written (default 0): bars `startIndex .. startIndex + count - 1` of the path
   * starting at `fromMs`. Writing a long series in chunks with consecutive start indexes gives exactly
   * the bars of one big write (the walk is continuous across chunks).
   */
  startIndex?: number;
  /** Bar size; default `1m`. */
  timeframe?: Timeframe;
  /** Varies the path; the same seed always yields the same bars. */
  seed: number;
  /** Market-data database; default `market_data`. */
  database?: string;
}

/**
 * Writes a deterministic random walk of bars (1m unless `timeframe` says otherwise), marked `source = 'synthetic'` so catalogs and UIs
 * can label it, for demos and benchmarks. The bars are generated inside ClickHouse (one
 * `INSERT … SELECT` over `numbers()`), so a year of minutes takes about a second. Re-running writes the
 * same rows, which the ReplacingMergeTree folds away, so it is idempotent.
 *
 * Each step is a deterministic hash of (seed, index) mapped to ±0.1 %, compounded from 100; high/low
 * straddle open/close by a hash-derived margin and volume is 1–1000.
 *
 * @example
 * await writeSyntheticBars(client, { symbol: "SYNTH-USD", assetClass: "crypto",
 *   fromMs: Date.UTC(2025, 0, 1), count: 525_600, seed: 1 });
 */
export async function writeSyntheticBars(client: ClickHouseClient, series: SyntheticSeries): Promise<void> {
  if (!Number.isSafeInteger(series.count) || series.count < 1)
    throw new RangeError("count must be a positive integer");
  const startIndex = series.startIndex ?? 0;
  if (!Number.isSafeInteger(startIndex) || startIndex < 0)
    throw new RangeError("startIndex must be a non-negative integer");
  const timeframe = series.timeframe ?? "1m";
  const stepMs = TIMEFRAME_MS[timeframe];
  if (stepMs === undefined) throw new RangeError(`unknown timeframe: ${String(timeframe)}`);
  if (series.fromMs % 60_000 !== 0) throw new RangeError("fromMs must be a whole minute");
  await client.command({
    query: `INSERT INTO ${ohlcvTable(series.database)}
      (symbol, asset_class, timeframe, time, open, high, low, close, volume, source, ingest_version)
      SELECT {symbol:String}, {assetClass:String}, {timeframe:String},
             fromUnixTimestamp64Milli(toInt64({fromMs:Int64} + number * {stepMs:Int64}), 'UTC'),
             open, greatest(open, close) * (1 + h), least(open, close) * (1 - l), close, v, 'synthetic', 1
      FROM (
        SELECT number,
               lagInFrame(c, 1, 100) OVER (ORDER BY number ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS open,
               c AS close,
               (sipHash64({seed:UInt64}, number, 1) % 1000) / 2e6 AS h,
               (sipHash64({seed:UInt64}, number, 2) % 1000) / 2e6 AS l,
               1 + sipHash64({seed:UInt64}, number, 3) % 1000 AS v
        FROM (
          SELECT number,
                 100 * exp(sum(((sipHash64({seed:UInt64}, number, 0) % 2001) - 1000) / 1e6)
                   OVER (ORDER BY number ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) AS c
          FROM numbers({total:UInt64})
        )
      )
      WHERE number >= {startIndex:UInt64}`,
    query_params: {
      symbol: series.symbol,
      assetClass: series.assetClass,
      fromMs: series.fromMs,
      total: startIndex + series.count,
      startIndex,
      timeframe,
      stepMs,
      seed: series.seed,
    },
  });
  await refreshRollups(
    client,
    {
      symbol: series.symbol,
      base: timeframe,
      fromMs: series.fromMs + startIndex * stepMs,
      toMs: series.fromMs + (startIndex + series.count) * stepMs,
    },
    series.database,
  );
}

/** Deduplicated number of 1m bars stored for `symbol`. */
export async function countStoredBars(
  client: ClickHouseClient,
  symbol: string,
  database?: string,
): Promise<number> {
  const result = await client.query({
    query: `SELECT count() AS n FROM ${ohlcvTable(database)} FINAL WHERE symbol = {symbol:String} AND timeframe = '1m'`,
    query_params: { symbol },
    format: "JSONEachRow",
  });
  const [row] = await result.json<{ n: number | string }>();
  return Number(row?.n ?? 0);
}
