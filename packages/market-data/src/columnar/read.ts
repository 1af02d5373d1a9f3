import type { ClickHouseClient } from "@clickhouse/client-web";
import { baseTimeframe, type CandleQuery } from "../query/candles.ts";
import { buildBarColumnsSql, MAX_COLUMNAR_BARS, toUnixMs, withRollupFallback } from "../query/sql.ts";
import type { Timeframe } from "../timeframes.ts";
import { type BarColumnsResponse, openBarColumns, readBarColumns } from "./columns.ts";
import type { ColumnarBars } from "./rowbinary.ts";

/** Same bars as {@link CandleQuery}; only the bound on `limit` differs. */
export interface ColumnarQuery extends Omit<CandleQuery, "limit"> {
  /** Most bars to return (1..MAX_COLUMNAR_BARS); default: all bars in the range. */
  limit?: number;
}

export interface ColumnarResult extends ColumnarBars {
  /** True when `limit` cut the range short. */
  truncated: boolean;
  /** Timeframe the bars were built from; null when the symbol has no stored bars. */
  baseTimeframe: Timeframe | null;
}

const EMPTY = new Float64Array(0);

/** An opened columnar read: the bars are still in the response, to be streamed or read. */
export interface OpenedColumns {
  /** Bars in the response (at most `limit + 1` when a limit was given). */
  response: BarColumnsResponse;
  /** True when `limit` cut the range short: the response holds `limit + 1` bars. */
  truncated: boolean;
  baseTimeframe: Timeframe;
}

/**
 * Starts the columnar read and stops as soon as the bar count is known, so a caller can refuse an
 * oversized range or stream the payload on without holding it (the `/columns` route). Null when the
 * symbol has no stored bars. Validation and errors as {@link readBarsColumnar}.
 *
 * @example
 * const opened = await openBarsColumnar(client, { symbol, timeframe: "1m", from, to, limit });
 * if (opened?.truncated) await opened.response.rest.cancel();
 */
export async function openBarsColumnar(
  client: ClickHouseClient,
  params: ColumnarQuery,
): Promise<OpenedColumns | null> {
  const fromMs = toUnixMs(params.from, "from");
  const toMs = toUnixMs(params.to, "to");
  if (fromMs >= toMs) throw new RangeError("from must be before to");
  const limit = params.limit;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_COLUMNAR_BARS)) {
    throw new RangeError(`limit must be an integer from 1 to ${MAX_COLUMNAR_BARS}`);
  }
  const base = params.base ?? (await baseTimeframe(client, params.symbol, { database: params.database }));
  if (base === null) return null;
  const options = {
    database: params.database,
    symbol: params.symbol,
    base,
    timeframe: params.timeframe,
    fromMs,
    toMs,
    limit: limit === undefined ? undefined : limit + 1,
  };
  const response = await withRollupFallback(options, (o) => openBarColumns(client, buildBarColumnsSql(o)));
  return { response, truncated: limit !== undefined && response.count > limit, baseTimeframe: base };
}

/**
 * The engine's read path: the same bars as `queryCandles` (same SQL core: deduplication, `[from, to)`,
 * aggregation), as Float64Arrays. Times are Unix ms. The columns arrive already columnar
 * (`buildBarColumnsSql`) and are copied into the arrays chunk by chunk, without a per-row step.
 *
 * @throws TimeframeTooFineError when `timeframe` is finer than the stored base timeframe
 *
 * @example
 * const bars = await readBarsColumnar(client, { symbol: "BTC-USD", timeframe: "1h",
 *   from: "2024-01-01T00:00:00Z", to: "2024-04-01T00:00:00Z" });
 * runBacktest(bars, strategy); // bars.time, bars.close: Float64Array, bars.count
 */
export async function readBarsColumnar(
  client: ClickHouseClient,
  params: ColumnarQuery,
): Promise<ColumnarResult> {
  const opened = await openBarsColumnar(client, params);
  if (opened === null) {
    return {
      time: EMPTY.slice(),
      open: EMPTY.slice(),
      high: EMPTY.slice(),
      low: EMPTY.slice(),
      close: EMPTY.slice(),
      volume: EMPTY.slice(),
      count: 0,
      truncated: false,
      baseTimeframe: null,
    };
  }
  const bars = await readBarColumns(opened.response, params.limit);
  return { ...bars, truncated: opened.truncated, baseTimeframe: opened.baseTimeframe };
}
