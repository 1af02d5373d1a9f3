/**
 * The one SQL core for reading bars: deduplication, the `[from, to)` range, and aggregation from the
 * stored base timeframe to the requested one (or read from rollups). The ticks JSON, `queryCandles`
 * (RowBinary) and the columnar read all run this statement, so the paths cannot drift apart.
 *
 * Only three things are ever interpolated into the text: a bucket expression picked from the fixed
 * {@link BUCKET_SQL} map, table names built from a validated identifier, and our own stale-rollup
 * marker. Every value (symbol, timeframe, bounds, limit) is a bound query parameter.
 */
import { REPRESENTABLE_TIME } from "@quantago/contracts";
import { canAggregate, isTimeframe, type Timeframe } from "../timeframes.ts";
import { hasRollup, isStaleRollupError, STALE_ROLLUP_MARKER, wholeBuckets } from "./rollups.ts";
import { BAR_AGGREGATES, type BarsSql, BUCKET_SQL, ohlcvTable, rollupTable } from "./sql-parts.ts";

export {
  BAR_AGGREGATES,
  type BarsSql,
  BUCKET_SQL,
  ohlcvTable,
  rollupTable,
  seriesTable,
} from "./sql-parts.ts";

/** Largest `limit` accepted by the bar queries (a bound on memory in a Worker, about 50 MB of JSON). */
export const MAX_QUERY_LIMIT = 500_000;

/**
 * Largest `limit` of the columnar read: 48 bytes a bar, so about 53 MB of typed arrays, which still fits
 * a Worker's 128 MB beside the response bytes. Enough for a 1,000,000-bar backtest or two years of 1m.
 */
export const MAX_COLUMNAR_BARS = 1_100_000;

/**
 * The requested timeframe is finer than anything stored for the symbol: candles cannot be made up from
 * coarser ones (docs/compatibility.md#market-data: never synthetic). Routes answer 400 with the message.
 */
export class TimeframeTooFineError extends Error {
  override readonly name = "TimeframeTooFineError";
  readonly requested: Timeframe;
  readonly base: Timeframe;
  constructor(requested: Timeframe, base: Timeframe) {
    super(`timeframe ${requested} is finer than the stored ${base} bars; request ${base} or coarser`);
    this.requested = requested;
    this.base = base;
  }
}

/** A time bound: a Date, Unix milliseconds, or an ISO-8601 string. */
export type TimeInput = Date | number | string;

/**
 * Unix milliseconds of a {@link TimeInput}; throws RangeError when it is not a valid instant.
 *
 * @example
 * toUnixMs("2024-01-01T00:00:00Z"); // 1704067200000
 */
export function toUnixMs(value: TimeInput, name = "time"): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === "string" ? Date.parse(value) : value;
  if (!Number.isFinite(ms)) throw new RangeError(`${name} is not a valid time: ${String(value)}`);
  // DateTime64(3) holds whole milliseconds; flooring keeps `[from, to)` exact for fractional input.
  return Math.floor(ms);
}

export interface BarsSqlOptions {
  database?: string;
  symbol: string;
  /** Timeframe stored for the symbol (the finest one), read from `ohlcv.timeframe`. */
  base: Timeframe;
  /** Timeframe to return; equal to `base` or coarser. */
  timeframe: Timeframe;
  /** Inclusive lower bound on the base bars' open time, Unix ms. */
  fromMs: number;
  /** Exclusive upper bound on the base bars' open time, Unix ms. */
  toMs: number;
  /** Maximum rows returned; omitted means all. */
  limit?: number | undefined;
  /**
   * Read whole coarse buckets from the stored rollups (default true). False aggregates everything on
   * read: the fallback when a rollup bucket is stale (see `withRollupFallback`).
   */
  rollups?: boolean;
}

/**
 * Builds the bar query. Output: one row per bucket, ascending, columns `t` (bucket start as Float64
 * Unix ms, exact below 2^53), `o h l c v` (Float64).
 *
 * - Deduplication: `FINAL`, which collapses rows with the same (symbol, timeframe, time) sorting key
 *   to the one with the highest `ingest_version` (ReplacingMergeTree). Measured on 2 M one-minute bars
 *   with a quarter re-ingested, unmerged parts (chdb 26.7, 2 vCPUs, server time only): FINAL 0.1-0.3 s
 *   vs. 1.7-8 s for an `argMax(..., ingest_version)` GROUP BY time, raw or aggregated to 1h; reading
 *   without any deduplication cost 0.15 s. FINAL merges the already sorted parts in sorting-key order
 *   and in parallel, while the GROUP BY builds a hash table keyed by every bar. Correctness of
 *   FINAL here rests on the WHERE clause only touching sorting-key columns (filtering on `source`,
 *   say, would drop a newer row before it could replace an older one).
 * - Range `[from, to)` on the base bars' open time. Aggregated buckets are labelled by their start and
 *   built from the base bars inside the range only, so the first and last buckets may be partial (and
 *   the first bucket's start may precede `from`). Buckets without bars do not exist (gaps stay gaps).
 * - Aggregation: {@link BAR_AGGREGATES} (first open, max high, min low, last close, volume summed in
 *   time order).
 * - Rollups: for 1h, 4h, 1d and 1w, the whole buckets inside the range are read from `ohlcv_rollup`
 *   (computed by the same aggregation, so the same bits) and only a partial first or last bucket is
 *   aggregated on read. A stale rollup bucket makes the statement fail with STALE_ROLLUP_MARKER;
 *   `withRollupFallback` then runs it again with `rollups: false`.
 *
 * @example
 * const { query, query_params } = buildBarsSql({ symbol: "BTC-USD", base: "1m", timeframe: "1h",
 *   fromMs: Date.parse("2024-01-01"), toMs: Date.parse("2024-01-02"), limit: 25 });
 * await client.query({ query, query_params, format: "JSONCompactEachRow" });
 */
export function buildBarsSql(options: BarsSqlOptions): BarsSql {
  const { base, timeframe, fromMs, toMs, limit } = options;
  if (!isTimeframe(base)) throw new RangeError(`unknown base timeframe: ${String(base)}`);
  if (!isTimeframe(timeframe)) throw new RangeError(`unknown timeframe: ${String(timeframe)}`);
  if (!canAggregate(base, timeframe)) throw new TimeframeTooFineError(timeframe, base);
  if (!Number.isSafeInteger(fromMs) || !Number.isSafeInteger(toMs)) {
    throw new RangeError("from and to must be whole Unix milliseconds");
  }
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 1)) {
    throw new RangeError(`limit must be a positive integer, got ${limit}`);
  }
  // Only storable times are read: a bar outside them (from a foreign writer) would come back as a
  // time JavaScript cannot format or in a wrapped bucket. Both ends are bucket boundaries of every
  // timeframe but 1w at the end, where the last week is then a partial bucket like any other.
  const from = Math.max(fromMs, REPRESENTABLE_TIME.fromMs);
  const to = Math.max(from, Math.min(toMs, REPRESENTABLE_TIME.toMs));
  const query_params: Record<string, string | number> = {
    symbol: options.symbol,
    base,
    from,
    to,
  };
  // Only sorting-key columns in the WHERE clauses: required for FINAL to deduplicate correctly.
  const bars = (extra = "") => `SELECT time, open, high, low, close, volume
    FROM ${ohlcvTable(options.database)} FINAL
    WHERE symbol = {symbol:String} AND timeframe = {base:String}
      AND time >= fromUnixTimestamp64Milli({from:Int64}, 'UTC')
      AND time < fromUnixTimestamp64Milli({to:Int64}, 'UTC')${extra}`;
  const aggregated = (source: string) => `SELECT
      toFloat64(toUnixTimestamp64Milli(toDateTime64(${BUCKET_SQL[timeframe]}, 3, 'UTC'))) AS t, ${BAR_AGGREGATES}
    FROM (${source})
    GROUP BY t`;
  let query: string;
  const whole =
    options.rollups !== false && hasRollup(base, timeframe) ? wholeBuckets(timeframe, from, to) : null;
  if (timeframe === base) {
    query = `SELECT toFloat64(toUnixTimestamp64Milli(time)) AS t, open AS o, high AS h, low AS l, close AS c, volume AS v
    FROM (${bars()})
    ORDER BY t`;
  } else if (whole === null) {
    query = `${aggregated(bars())}
    ORDER BY t`;
  } else {
    Object.assign(query_params, { timeframe, wholeFrom: whole.from, wholeTo: whole.to });
    const parts = [
      `SELECT toFloat64(toUnixTimestamp64Milli(time)) AS t, open AS o, high AS h, low AS l, close AS c, volume AS v
      FROM (SELECT time, open, high, low, close, volume, stale FROM ${rollupTable(options.database)} FINAL
        WHERE symbol = {symbol:String} AND base = {base:String} AND timeframe = {timeframe:String}
          AND time >= fromUnixTimestamp64Milli({wholeFrom:Int64}, 'UTC')
          AND time < fromUnixTimestamp64Milli({wholeTo:Int64}, 'UTC'))
      WHERE throwIf(stale != 0, '${STALE_ROLLUP_MARKER}') = 0`,
    ];
    // The partial first and last buckets, when the range does not start or end on a bucket boundary.
    if (whole.from !== from || whole.to !== to) {
      parts.push(
        aggregated(
          bars(`
      AND (time < fromUnixTimestamp64Milli({wholeFrom:Int64}, 'UTC') OR time >= fromUnixTimestamp64Milli({wholeTo:Int64}, 'UTC'))`),
        ),
      );
    }
    query = `SELECT t, o, h, l, c, v FROM (
      ${parts.join("\n      UNION ALL\n      ")}
    )
    ORDER BY t`;
  }
  if (limit !== undefined) {
    query += "\n    LIMIT {limit:UInt64}";
    query_params.limit = limit;
  }
  return { query, query_params };
}

/**
 * The columnar read's statement: the bar query of {@link buildBarsSql} itself, whose six Float64
 * columns `t o h l c v` come back in time order. Run in ClickHouse's Native format (`fetchBarColumns`)
 * its output is already columnar, a block at a time, so the Worker copies whole runs of each column
 * and decodes no value. (It used to fold the bars into one array row with `groupArray` and sort every
 * column again by time; Native gives the same bytes without that server work.)
 *
 * @example
 * const sql = buildBarColumnsSql({ symbol: "BTC-USD", base: "1m", timeframe: "1m", fromMs, toMs });
 * await client.exec({ query: `${sql.query}\nFORMAT Native`, query_params: sql.query_params });
 */
export function buildBarColumnsSql(options: BarsSqlOptions): BarsSql {
  return buildBarsSql(options);
}

/**
 * Runs a read built from `options` (the bar query, or a statement wrapping it) and, when it met a
 * stale rollup bucket, runs it again aggregating everything on read. The first attempt fails before
 * sending any bars (reads use `wait_end_of_query`), so nothing is half-delivered.
 *
 * @example
 * const rows = await withRollupFallback(options, (o) => fetchRows(client, buildBarsSql(o)));
 */
export async function withRollupFallback<T>(
  options: BarsSqlOptions,
  run: (options: BarsSqlOptions) => Promise<T>,
): Promise<T> {
  try {
    return await run(options);
  } catch (error) {
    if (options.rollups === false || !isStaleRollupError(error)) throw error;
    return run({ ...options, rollups: false });
  }
}
