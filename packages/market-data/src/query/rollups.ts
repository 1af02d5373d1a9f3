/**
 * Rollups: the coarse candles (1h, 4h, 1d, 1w) stored ready-made in `ohlcv_rollup`, so a year at 1h
 * reads 8,760 rows instead of aggregating 525,600 one-minute bars on every request. A rollup row is
 * computed by exactly the aggregation of the bar query ({@link BAR_AGGREGATES} over the deduplicated
 * base bars of one bucket), so reading it gives the same bits as aggregating on read.
 *
 * Why not a materialized view that aggregates inserts: a view sees only the inserted block, so a
 * re-ingested bar would be counted twice (ADR 0009). Instead:
 * - Every INSERT into `ohlcv`, by any writer, passes the `ohlcv_rollup_invalidate` view, which writes a
 *   tombstone (`stale = 1`) for each bucket it touches, versioned by the insert's start time.
 * - Our writers (`insertBars`, `writeSyntheticBars`) then call {@link refreshRollups} for the range they
 *   wrote: it recomputes those buckets from the deduplicated base bars, versioned by its own start
 *   time, so it replaces the tombstones (ReplacingMergeTree keeps the highest `revision`).
 * - A read that meets a tombstone fails fast (`throwIf`) and is re-run on the base bars
 *   ({@link withRollupFallback}), so a writer that skipped or crashed before the refresh (or a hand-made
 *   `INSERT`) costs speed until the next refresh, never correctness.
 */
import type { ClickHouseClient } from "@clickhouse/client-web";
import { REPRESENTABLE_TIME } from "@quantago/contracts";
import {
  bucketStart,
  canAggregate,
  isTimeframe,
  TIMEFRAMES,
  type Timeframe,
  timeframeMs,
} from "../timeframes.ts";
import { BAR_AGGREGATES, type BarsSql, BUCKET_SQL, ohlcvTable, rollupTable } from "./sql-parts.ts";

/**
 * Timeframes kept as rollups (for every base finer than them). Their buckets nest inside Monday-based
 * weeks, which is what {@link refreshRange} relies on. Changing this list needs a new migration (the
 * invalidation view of migration 2 lists the pairs).
 */
export const ROLLUP_TIMEFRAMES = ["1h", "4h", "1d", "1w"] as const satisfies readonly Timeframe[];

/** Marker in the message of the error a read raises when it meets a stale rollup bucket. */
export const STALE_ROLLUP_MARKER = "quantago: stale rollup bucket";

/** The base timeframes a rollup timeframe is built from: every strictly finer one that tiles it. */
export function rollupBases(timeframe: Timeframe): Timeframe[] {
  return TIMEFRAMES.filter((base) => base !== timeframe && canAggregate(base, timeframe));
}

/** True when `timeframe` candles of a `base` series are kept as rollups. */
export function hasRollup(base: Timeframe, timeframe: Timeframe): boolean {
  return (
    (ROLLUP_TIMEFRAMES as readonly Timeframe[]).includes(timeframe) && rollupBases(timeframe).includes(base)
  );
}

/**
 * The whole `timeframe` buckets inside `[fromMs, toMs)`, as `[from, to)` on bucket boundaries, or null
 * when there is none. Only those can come from rollups: a partial first or last bucket is built from
 * the base bars inside the range.
 *
 * @example
 * wholeBuckets("1h", Date.parse("2025-01-01T00:30Z"), Date.parse("2025-01-01T03:10Z"));
 * // { from: 01:00, to: 03:00 } as Unix ms
 */
export function wholeBuckets(
  timeframe: Timeframe,
  fromMs: number,
  toMs: number,
): { from: number; to: number } | null {
  const start = bucketStart(fromMs, timeframe);
  const from = start === fromMs ? fromMs : start + timeframeMs(timeframe);
  const to = bucketStart(toMs, timeframe);
  return from < to ? { from, to } : null;
}

/** What to refresh: one series over a range of its bars' open times, or (omitted) everything stored. */
export interface RollupRefreshScope {
  symbol: string;
  base: Timeframe;
  /** Open time of the first written bar, Unix ms. */
  fromMs: number;
  /** Just past the last written bar's open time, Unix ms. */
  toMs: number;
}

/** `[fromMs, toMs)` widened to Monday-based week boundaries, which are boundaries of every rollup bucket. */
export function refreshRange(fromMs: number, toMs: number): { from: number; to: number } {
  const from = bucketStart(fromMs, "1w");
  const last = bucketStart(toMs - 1, "1w");
  return { from, to: last + timeframeMs("1w") };
}

/**
 * The `INSERT … SELECT` that recomputes rollup buckets from the deduplicated base bars: for one series
 * and the weeks around a written range, or (no scope) for everything stored, as the migration that
 * introduced rollups does. The base bars are read once and aggregated to every rollup timeframe in one
 * pass (`GROUPING SETS`, half the time of one query per timeframe on a year of 1m bars); `grouping()`
 * names the set a row comes from, in the standard SQL sense the statement asks for (0 = grouped by).
 * `revision` is the statement's start time on the server's clock, the same clock the invalidation
 * view stamps tombstones with.
 */
export function buildRollupRefreshSql(database?: string, scope?: RollupRefreshScope): BarsSql {
  const timeframes = ROLLUP_TIMEFRAMES.filter((tf) => !scope || hasRollup(scope.base, tf));
  if (timeframes.length === 0) return { query: "", query_params: {} };
  // Only storable bars: the bucket functions wrap or clamp outside REPRESENTABLE_TIME, so a bar there
  // (from a foreign writer) would land in some unrelated bucket.
  const query_params: Record<string, string | number | string[]> = {
    storableFrom: REPRESENTABLE_TIME.fromMs,
    storableTo: REPRESENTABLE_TIME.toMs,
  };
  // Only sorting-key columns in the WHERE clause, as FINAL requires (see buildBarsSql).
  let where = `time >= fromUnixTimestamp64Milli({storableFrom:Int64}, 'UTC')
        AND time < fromUnixTimestamp64Milli({storableTo:Int64}, 'UTC')`;
  if (scope) {
    const range = refreshRange(scope.fromMs, scope.toMs);
    Object.assign(query_params, { symbol: scope.symbol, base: scope.base, from: range.from, to: range.to });
    where += `
        AND symbol = {symbol:String} AND timeframe = {base:String}
        AND time >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND time < fromUnixTimestamp64Milli({to:Int64}, 'UTC')`;
  }
  const buckets: string[] = [];
  const sets: string[] = [];
  // Per grouping set: which rollup timeframe it is, and its bucket column.
  const timeframeOfSet: string[] = [];
  const bucketOfSet: string[] = [];
  const eligible: string[] = [];
  for (const [i, timeframe] of timeframes.entries()) {
    query_params[`tf${i}`] = timeframe;
    query_params[`bases${i}`] = rollupBases(timeframe);
    buckets.push(`toDateTime64(${BUCKET_SQL[timeframe]}, 3, 'UTC') AS b${i}`);
    sets.push(`(series_symbol, base_timeframe, b${i})`);
    timeframeOfSet.push(`grouping(b${i}) = 0, {tf${i}:String}`);
    bucketOfSet.push(`grouping(b${i}) = 0, b${i}`);
    eligible.push(`rollup_timeframe = {tf${i}:String}, has({bases${i}:Array(String)}, base_timeframe)`);
  }
  return {
    query: `INSERT INTO ${rollupTable(database)}
      (symbol, base, timeframe, time, open, high, low, close, volume, bars,
       first_time, last_time, asset_class, source, stale, revision)
    SELECT series_symbol, base_timeframe, rollup_timeframe, bucket, o, h, l, c, v, bars,
      first_bar, last_bar, last_asset_class, last_source, 0, toUInt64(toUnixTimestamp64Micro(now64(6)))
    FROM (
      SELECT series_symbol, base_timeframe, assumeNotNull(multiIf(${timeframeOfSet.join(", ")}, NULL)) AS rollup_timeframe,
        assumeNotNull(multiIf(${bucketOfSet.join(", ")}, NULL)) AS bucket, ${BAR_AGGREGATES}, toUInt32(count()) AS bars,
        min(time) AS first_bar, max(time) AS last_bar,
        argMax(asset_class, time) AS last_asset_class, argMax(source, time) AS last_source
      FROM (SELECT symbol AS series_symbol, timeframe AS base_timeframe, time, open, high, low, close, volume,
          asset_class, source, ${buckets.join(", ")}
        FROM ${ohlcvTable(database)} FINAL WHERE ${where})
      GROUP BY GROUPING SETS (${sets.join(", ")})
    )
    WHERE multiIf(${eligible.join(", ")}, 0)
    SETTINGS force_grouping_standard_compatibility = 1`,
    query_params: query_params as Record<string, string | number>,
  };
}

/**
 * Recomputes the rollups of the buckets a write touched (see the module comment). Call it after the
 * write has been stored; it is idempotent, so a retried write simply calls it again.
 *
 * @example
 * await refreshRollups(client, { symbol: "BTC-USD", base: "1m", fromMs: first, toMs: last + 60_000 });
 */
export async function refreshRollups(
  client: ClickHouseClient,
  scope: RollupRefreshScope,
  database?: string,
): Promise<void> {
  if (!(scope.fromMs < scope.toMs)) return;
  const sql = buildRollupRefreshSql(database, scope);
  if (sql.query === "") return;
  await client.command({ query: sql.query, query_params: sql.query_params });
}

/**
 * Recomputes every rollup from the stored bars (what migration 2's backfill does). For operators after
 * anything that changed `ohlcv` without an INSERT, which the views never see: `ATTACH PARTITION`, a
 * restored backup, a lost or truncated `ohlcv_rollup`. Reads stay exact while it runs.
 */
export async function rebuildAllRollups(client: ClickHouseClient, database?: string): Promise<void> {
  const sql = buildRollupRefreshSql(database);
  await client.command({ query: sql.query, query_params: sql.query_params });
}

/**
 * Refreshes every series that has tombstoned rollup buckets (left by a write that never refreshed: a
 * hand-made INSERT, or a crash between insert and refresh), over the span of its tombstones. Meant for
 * a periodic job; with nothing stale it is one small query.
 *
 * @returns the scopes it refreshed
 */
export async function refreshStaleRollups(
  client: ClickHouseClient,
  database?: string,
): Promise<RollupRefreshScope[]> {
  const result = await client.query({
    query: `SELECT symbol, base, toFloat64(toUnixTimestamp64Milli(min(time))) AS first,
        toFloat64(toUnixTimestamp64Milli(max(time))) AS last
      FROM (SELECT symbol, base, time, stale FROM ${rollupTable(database)} FINAL)
      WHERE stale = 1
      GROUP BY symbol, base
      ORDER BY symbol, base`,
    format: "JSONEachRow",
  });
  const rows = await result.json<{ symbol: string; base: string; first: number; last: number }>();
  const scopes: RollupRefreshScope[] = [];
  for (const row of rows) {
    if (!isTimeframe(row.base)) continue;
    // A tombstone is a bucket start: the refresh widens [first, last] to whole weeks, which holds it.
    const scope = { symbol: row.symbol, base: row.base, fromMs: row.first, toMs: row.last + 1 };
    await refreshRollups(client, scope, database);
    scopes.push(scope);
  }
  return scopes;
}

/**
 * Version stamps of the stored bars of `symbol` over `[fromMs, toMs)`, one per stored base timeframe:
 * the highest rollup `revision` among the weeks the range touches, and how many such rows there are.
 * Every INSERT into `ohlcv` writes a tombstone with a new revision for each week it touches (the
 * invalidation view), every refresh writes new revisions, and a change that is not an INSERT is followed
 * by `db:rollups` (README), so a stamp changes whenever the bars of the range can have changed: a cache
 * of the bars keyed by it never serves old bars. A base without a stamp (one that keeps no weekly
 * rollup, such as `1w`, or has none in the range) is absent: nothing of it should be cached.
 *
 * One query that needs no base first, so a caller can run it beside the base lookup (`baseTimeframe`)
 * instead of after it.
 *
 * @example
 * const [base, stamps] = await Promise.all([baseTimeframe(client, "BTC-USD"),
 *   seriesRevisions(client, { symbol: "BTC-USD", fromMs, toMs })]);
 * const stamp = base === null ? null : (stamps.get(base) ?? null); // "1764866000123456:105", or null
 */
export async function seriesRevisions(
  client: ClickHouseClient,
  scope: Omit<RollupRefreshScope, "base">,
  database?: string,
): Promise<Map<Timeframe, string>> {
  const stamps = new Map<Timeframe, string>();
  if (!(scope.fromMs < scope.toMs)) return stamps;
  const result = await client.query({
    // Every version of every row, not FINAL: the highest revision ever written is what moves.
    query: `SELECT base, toString(max(revision)) AS revision, count() AS weeks
      FROM ${rollupTable(database)}
      WHERE symbol = {symbol:String} AND timeframe = '1w'
        AND time >= fromUnixTimestamp64Milli({from:Int64}, 'UTC')
        AND time < fromUnixTimestamp64Milli({to:Int64}, 'UTC')
      GROUP BY base`,
    query_params: { symbol: scope.symbol, from: bucketStart(scope.fromMs, "1w"), to: scope.toMs },
    format: "JSONEachRow",
  });
  for (const row of await result.json<{ base: string; revision: string; weeks: string | number }>()) {
    if (isTimeframe(row.base) && hasRollup(row.base, "1w") && Number(row.weeks) > 0) {
      stamps.set(row.base, `${row.revision}:${row.weeks}`);
    }
  }
  return stamps;
}

/** True for the error of a read that met a tombstone ({@link STALE_ROLLUP_MARKER}). */
export function isStaleRollupError(error: unknown): boolean {
  return error instanceof Error && error.message.includes(STALE_ROLLUP_MARKER);
}
