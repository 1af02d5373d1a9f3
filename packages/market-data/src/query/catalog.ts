/**
 * The catalog of stored series (`GET /api/market-data/symbols`). Counting and bounding every series by
 * scanning `ohlcv` took 8 s over 13.5 M bars on the dev stack, so the catalog is read from the weekly
 * rollup rows, which carry each week's bar count, first and last bar time and last bar's asset class
 * and source. A series with a stale week, or without weekly rollups (a weekly base), is counted from
 * its own bars, which the sorting key makes a narrow read.
 *
 * Bars outside `REPRESENTABLE_TIME` (only a foreign writer can store them: ours refuse them) are left
 * out, not clamped: a clamped first or last bar would be a time no bar has, and one such bar must not
 * make the whole catalog fail on a date JavaScript cannot format.
 */
import type { ClickHouseClient } from "@clickhouse/client-web";
import { isRepresentableTime, REPRESENTABLE_TIME } from "@quantago/contracts";
import { ASSET_CLASSES, type AssetClass, inferAssetClass } from "../symbols.ts";
import { compareTimeframes, isTimeframe } from "../timeframes.ts";
import { hasRollup } from "./rollups.ts";
import { ohlcvTable, rollupTable, seriesTable } from "./sql-parts.ts";

/** One stored series: a symbol at one timeframe. */
export interface StoredSeries {
  symbol: string;
  assetClass: AssetClass;
  /** Source of the most recent bar (e.g. `binance`, `yahoo`, `csv`, `synthetic`). */
  source: string;
  /** The stored timeframe as written by ingestion (normally one of the listed timeframes). */
  timeframe: string;
  /** Open time of the first and last bar, ISO-8601 UTC. */
  firstBar: string;
  lastBar: string;
  /** Bars after deduplication of re-ingested ones. */
  barCount: number;
}

/** A summary row: symbol, timeframe, asset class, source, first and last bar (Unix ms), bar count. */
type SummaryRow = [string, string, string, string, number, number, number];

/**
 * Every stored series, sorted by symbol then timeframe (finest first). One entry per (symbol,
 * timeframe); `assetClass` and `source` come from the most recent bar, since a series may have been
 * ingested from more than one source over time; `barCount` is the deduplicated count.
 *
 * @example
 * await listSymbols(client);
 * // [{ symbol: "BTC-USD", assetClass: "crypto", source: "binance", timeframe: "1m",
 * //    firstBar: "2024-01-01T00:00:00.000Z", lastBar: "2024-03-31T23:59:00.000Z", barCount: 131040 }]
 */
export async function listSymbols(
  client: ClickHouseClient,
  options: { database?: string } = {},
): Promise<StoredSeries[]> {
  const [series, weekly] = await Promise.all([
    rows<[string, string]>(client, `SELECT DISTINCT symbol, timeframe FROM ${seriesTable(options.database)}`),
    rows<[...SummaryRow, number]>(
      client,
      `SELECT symbol, base, argMax(asset_class, last_time), argMax(source, last_time),
        toFloat64(toUnixTimestamp64Milli(min(first_time))), toFloat64(toUnixTimestamp64Milli(max(last_time))),
        toFloat64(sum(bars)), max(stale)
      FROM (SELECT symbol, base, asset_class, source, first_time, last_time, bars, stale
        FROM ${rollupTable(options.database)} FINAL WHERE timeframe = '1w')
      GROUP BY symbol, base`,
    ),
  ]);
  const summaries = new Map<string, SummaryRow>();
  for (const [symbol, base, assetClass, source, first, last, count, stale] of weekly) {
    // A week summing an unstorable bar (rolled up before rollups left such bars out) is not trusted.
    if (Number(stale) === 0 && isRepresentableTime(first) && isRepresentableTime(last))
      summaries.set(`${symbol}\u0000${base}`, [symbol, base, assetClass, source, first, last, count]);
  }
  const out: StoredSeries[] = [];
  for (const [symbol, timeframe] of series) {
    let summary: SummaryRow | null | undefined = summaries.get(`${symbol}\u0000${timeframe}`);
    // Without a weekly rollup to trust: count this series from its own bars.
    if (!summary || !isTimeframe(timeframe) || !hasRollup(timeframe, "1w")) {
      summary = await scanSeries(client, symbol, timeframe, options.database);
    }
    if (summary) out.push(toStoredSeries(summary));
  }
  return out.sort(
    (a, b) =>
      (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0) ||
      compareStoredTimeframes(a.timeframe, b.timeframe),
  );
}

/**
 * One series summarised from its storable bars: counts distinct bar times (`uniqExact`), which equals
 * the deduplicated count without paying for FINAL; null when it holds no such bars.
 */
async function scanSeries(
  client: ClickHouseClient,
  symbol: string,
  timeframe: string,
  database?: string,
): Promise<SummaryRow | null> {
  const [row] = await rows<SummaryRow>(
    client,
    `SELECT symbol, timeframe,
        argMax(asset_class, (time, ingest_version)), argMax(source, (time, ingest_version)),
        toFloat64(toUnixTimestamp64Milli(min(time))), toFloat64(toUnixTimestamp64Milli(max(time))),
        toFloat64(uniqExact(time))
      FROM ${ohlcvTable(database)}
      WHERE symbol = {symbol:String} AND timeframe = {timeframe:String}
        AND time >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND time < fromUnixTimestamp64Milli({to:Int64}, 'UTC')
      GROUP BY symbol, timeframe`,
    { symbol, timeframe, from: String(REPRESENTABLE_TIME.fromMs), to: String(REPRESENTABLE_TIME.toMs) },
  );
  return row ?? null;
}

async function rows<T>(
  client: ClickHouseClient,
  query: string,
  query_params: Record<string, string> = {},
): Promise<T[]> {
  const result = await client.query({ query, query_params, format: "JSONCompactEachRow" });
  return result.json<T>();
}

function toStoredSeries([
  symbol,
  timeframe,
  assetClass,
  source,
  first,
  last,
  count,
]: SummaryRow): StoredSeries {
  return {
    symbol,
    assetClass: isAssetClass(assetClass) ? assetClass : inferAssetClass(symbol),
    source,
    timeframe,
    firstBar: new Date(first).toISOString(),
    lastBar: new Date(last).toISOString(),
    barCount: count,
  };
}

function isAssetClass(value: string): value is AssetClass {
  return (ASSET_CLASSES as readonly string[]).includes(value);
}

/** By duration when both are known timeframes, else by name (ingestion might store others). */
function compareStoredTimeframes(a: string, b: string): number {
  if (isTimeframe(a) && isTimeframe(b)) return compareTimeframes(a, b);
  return a < b ? -1 : a > b ? 1 : 0;
}
