/**
 * Removing a symbol's bars for a time range, with the rollups and the series catalog kept exact.
 *
 * The views of ADR 9 only see INSERTs, so a delete must do their work itself, in an order that keeps
 * every read exact while it runs:
 * 1. tombstone every rollup bucket of the weeks around the range (reads of them aggregate the base
 *    bars instead, so they never serve a candle holding deleted bars);
 * 2. delete the bars (lightweight `DELETE FROM`: masked at once, purged by later merges);
 * 3. note the server's clock, then recompute those weeks from the remaining bars (`refreshRollups`),
 *    whose rows carry a later revision than anything written before;
 * 4. delete the rows of those weeks older than the noted time: old candles and tombstones. A bucket
 *    that still has bars keeps its fresh row; a bucket left empty keeps nothing, as if never written
 *    (reads produce no candle for a gap). A tombstone another writer added meanwhile is newer and stays.
 * 5. remove the series from `ohlcv_series` when it holds no bar any more.
 */
import type { ClickHouseClient } from "@clickhouse/client-web";
import { REPRESENTABLE_TIME } from "@quantago/contracts";
import { hasRollup, ROLLUP_TIMEFRAMES, refreshRange, refreshRollups } from "../query/rollups.ts";
import { ohlcvTable, rollupTable, seriesTable } from "../query/sql-parts.ts";
import { isTimeframe } from "../timeframes.ts";

export interface DeleteBarsScope {
  symbol: string;
  /** The stored timeframe to delete from; omitted: every stored timeframe of the symbol. */
  timeframe?: string;
  /**
   * `[fromMs, toMs)` on the bars' open time, Unix ms. Any whole numbers, also outside
   * `REPRESENTABLE_TIME`, so a bar a foreign writer stored there can be removed.
   */
  fromMs: number;
  toMs: number;
}

export interface DeleteBarsResult {
  /** Per stored timeframe of the symbol touched: bars removed (deduplicated) and whether the series is now empty. */
  series: Array<{ timeframe: string; deletedBars: number; seriesRemoved: boolean }>;
}

/**
 * Deletes the bars of `scope.symbol` with open time in `[fromMs, toMs)` and brings the rollups
 * (1h, 4h, 1d, 1w) and the series catalog in line, so that every read afterwards equals aggregating
 * the remaining bars. Idempotent: repeating it after a failure finishes the job.
 *
 * Not atomic (ClickHouse has no transaction across tables), but every read stays exact at every step
 * (see the module comment). A write of the same series running concurrently may see its bars deleted
 * if they fall inside the range.
 *
 * @throws RangeError when the range is not `fromMs < toMs` in whole milliseconds
 *
 * @example
 * await deleteBars(client, { symbol: "BTC-USD", fromMs: Date.UTC(2024, 0, 1), toMs: Date.UTC(2024, 1, 1) });
 * // { series: [{ timeframe: "1m", deletedBars: 44640, seriesRemoved: false }] }
 */
export async function deleteBars(
  client: ClickHouseClient,
  scope: DeleteBarsScope,
  database?: string,
): Promise<DeleteBarsResult> {
  const { symbol, fromMs, toMs } = scope;
  if (!Number.isSafeInteger(fromMs) || !Number.isSafeInteger(toMs) || !(fromMs < toMs))
    throw new RangeError("deleteBars needs whole Unix milliseconds with fromMs < toMs");
  const timeframes =
    scope.timeframe !== undefined
      ? [scope.timeframe]
      : (
          await rows<[string]>(
            client,
            `SELECT DISTINCT timeframe FROM ${seriesTable(database)} WHERE symbol = {symbol:String} ORDER BY timeframe`,
            { symbol },
          )
        ).map(([tf]) => tf);
  const series: DeleteBarsResult["series"] = [];
  for (const timeframe of timeframes) {
    series.push(await deleteSeriesRange(client, { symbol, timeframe, fromMs, toMs }, database));
  }
  return { series };
}

async function deleteSeriesRange(
  client: ClickHouseClient,
  scope: Required<DeleteBarsScope>,
  database?: string,
): Promise<DeleteBarsResult["series"][number]> {
  const { symbol, timeframe, fromMs, toMs } = scope;
  const params = { symbol, timeframe, from: fromMs, to: toMs };
  const inRange = `symbol = {symbol:String} AND timeframe = {timeframe:String}
      AND time >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND time < fromUnixTimestamp64Milli({to:Int64}, 'UTC')`;
  const [[deletedBars] = [0]] = await rows<[number]>(
    client,
    `SELECT toFloat64(uniqExact(time)) FROM ${ohlcvTable(database)} WHERE ${inRange}`,
    params,
  );
  // Rollups only ever hold storable bars, so only the storable part of the range touches them.
  const storableFrom = Math.max(fromMs, REPRESENTABLE_TIME.fromMs);
  const storableTo = Math.min(toMs, REPRESENTABLE_TIME.toMs);
  const rolledUp =
    isTimeframe(timeframe) &&
    ROLLUP_TIMEFRAMES.some((tf) => hasRollup(timeframe, tf)) &&
    storableFrom < storableTo;
  const weeks = refreshRange(storableFrom, storableTo);
  const weekParams = { symbol, base: timeframe, from: weeks.from, to: weeks.to };
  const inWeeks = `symbol = {symbol:String} AND base = {base:String}
      AND time >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND time < fromUnixTimestamp64Milli({to:Int64}, 'UTC')`;

  if (rolledUp) {
    await client.command({
      query: `INSERT INTO ${rollupTable(database)} (symbol, base, timeframe, time, open, high, low, close, volume, bars, stale, revision)
        SELECT symbol, base, timeframe, time, nan, nan, nan, nan, nan, toUInt32(0), toUInt8(1), toUInt64(toUnixTimestamp64Micro(now64(6)))
        FROM ${rollupTable(database)} FINAL WHERE ${inWeeks}`,
      query_params: weekParams,
    });
  }
  await client.command({
    query: `DELETE FROM ${ohlcvTable(database)} WHERE ${inRange}`,
    query_params: params,
  });
  if (rolledUp && isTimeframe(timeframe)) {
    const [[mark] = [""]] = await rows<[string]>(
      client,
      "SELECT toString(toUInt64(toUnixTimestamp64Micro(now64(6))))",
    );
    await refreshRollups(
      client,
      { symbol, base: timeframe, fromMs: storableFrom, toMs: storableTo },
      database,
    );
    await client.command({
      query: `DELETE FROM ${rollupTable(database)} WHERE ${inWeeks} AND revision < {mark:UInt64}`,
      query_params: { ...weekParams, mark },
    });
  }
  const [[left] = [0]] = await rows<[number]>(
    client,
    `SELECT toFloat64(count()) FROM ${ohlcvTable(database)} WHERE symbol = {symbol:String} AND timeframe = {timeframe:String}`,
    params,
  );
  const seriesRemoved = Number(left) === 0;
  if (seriesRemoved) {
    await client.command({
      query: `DELETE FROM ${seriesTable(database)} WHERE symbol = {symbol:String} AND timeframe = {timeframe:String}`,
      query_params: params,
    });
  }
  return { timeframe, deletedBars: Number(deletedBars), seriesRemoved };
}

async function rows<T>(
  client: ClickHouseClient,
  query: string,
  query_params: Record<string, string | number> = {},
): Promise<T[]> {
  const result = await client.query({ query, query_params, format: "JSONCompactEachRow" });
  return result.json<T>();
}
