import type { ClickHouseClient } from "@clickhouse/client-web";
import { baseTimeframe, type CandleQuery } from "../query/candles.ts";
import { buildBarColumnsSql, MAX_COLUMNAR_BARS, toUnixMs, withRollupFallback } from "../query/sql.ts";
import { type Timeframe, timeframeMs } from "../timeframes.ts";
import { type BarColumnsPayload, fetchBarColumns, joinBarColumns } from "./columns.ts";
import type { ColumnarBars } from "./rowbinary.ts";
import { sliceBoundaries } from "./sliced.ts";

/** Same bars as {@link CandleQuery}; only the bound on `limit` differs. */
export interface ColumnarQuery extends Omit<CandleQuery, "limit"> {
  /** Most bars to return (1..MAX_COLUMNAR_BARS); default: all bars in the range. */
  limit?: number;
}

/**
 * How to read a long range: as up to `slices` concurrent queries over bucket-aligned parts of it (see
 * {@link sliceBoundaries}), each at least `minBucketsPerSlice` buckets long. Measured on the dev stack,
 * a year of 1m bars came back in 174 ms as four slices against 575 ms as one query: the parts run in
 * parallel and each moves a quarter of the bytes.
 */
export interface SliceOptions {
  slices?: number;
  minBucketsPerSlice?: number;
}

export interface ColumnarResult extends ColumnarBars {
  /** True when `limit` cut the range short. */
  truncated: boolean;
  /** Timeframe the bars were built from; null when the symbol has no stored bars. */
  baseTimeframe: Timeframe | null;
}

/** A fetched columnar read: the bars are still in their responses, to be sent on or joined. */
export interface FetchedColumns {
  /** The responses of the slices, in time order. */
  parts: BarColumnsPayload[];
  /** Bars in all parts (with a limit, possibly more than it: see `truncated`). */
  count: number;
  /** True when the range holds more than `limit` bars. */
  truncated: boolean;
  baseTimeframe: Timeframe;
}

/**
 * Reads the bars of a range as column payloads, sliced when long, and stops there, so a caller can
 * refuse an oversized range or send the bytes on without copying them (the `/columns` route). Null
 * when the symbol has no stored bars. With a `limit`, the range is sliced only when it cannot hold more
 * buckets than the limit, so no slice can bring more than `limit + 1` bars.
 *
 * @throws TimeframeTooFineError when `timeframe` is finer than the stored base timeframe
 */
export async function fetchBarsColumnar(
  client: ClickHouseClient,
  params: ColumnarQuery,
  slicing: SliceOptions = {},
): Promise<FetchedColumns | null> {
  const fromMs = toUnixMs(params.from, "from");
  const toMs = toUnixMs(params.to, "to");
  if (fromMs >= toMs) throw new RangeError("from must be before to");
  const limit = params.limit;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_COLUMNAR_BARS)) {
    throw new RangeError(`limit must be an integer from 1 to ${MAX_COLUMNAR_BARS}`);
  }
  const base = params.base ?? (await baseTimeframe(client, params.symbol, { database: params.database }));
  if (base === null) return null;
  // Buckets the range can hold at most (+1: a 1w bucket may start before `from`).
  const mostBuckets = Math.ceil((toMs - fromMs) / timeframeMs(params.timeframe)) + 1;
  const cuts =
    (slicing.slices ?? 1) > 1 && (limit === undefined || mostBuckets <= limit)
      ? sliceBoundaries(fromMs, toMs, params.timeframe, slicing.slices ?? 1, slicing.minBucketsPerSlice)
      : [fromMs, toMs];
  const parts = await Promise.all(
    cuts.slice(1).map((end, i) => {
      const options = {
        database: params.database,
        symbol: params.symbol,
        base,
        timeframe: params.timeframe,
        fromMs: cuts[i] as number,
        toMs: end,
        limit: limit === undefined ? undefined : limit + 1,
      };
      return withRollupFallback(options, (o) => fetchBarColumns(client, buildBarColumnsSql(o)));
    }),
  );
  const count = parts.reduce((n, part) => n + part.count, 0);
  return { parts, count, truncated: limit !== undefined && count > limit, baseTimeframe: base };
}

/**
 * The engine's read path: the same bars as `queryCandles` (same SQL core: deduplication, `[from, to)`,
 * aggregation, rollups), as exact-length Float64Arrays. Times are Unix ms. The columns arrive already
 * columnar (`buildBarColumnsSql`) and are copied one column at a time, without a per-row step.
 *
 * @throws TimeframeTooFineError when `timeframe` is finer than the stored base timeframe
 *
 * @example
 * const bars = await readBarsColumnar(client, { symbol: "BTC-USD", timeframe: "1h",
 *   from: "2024-01-01T00:00:00Z", to: "2024-04-01T00:00:00Z" }, { slices: 4 });
 * runBacktest(bars, strategy); // bars.time, bars.close: Float64Array, bars.count
 */
export async function readBarsColumnar(
  client: ClickHouseClient,
  params: ColumnarQuery,
  slicing: SliceOptions = {},
): Promise<ColumnarResult> {
  const fetched = await fetchBarsColumnar(client, params, slicing);
  const bars = joinBarColumns(fetched?.parts ?? [], params.limit);
  return { ...bars, truncated: fetched?.truncated ?? false, baseTimeframe: fetched?.baseTimeframe ?? null };
}
