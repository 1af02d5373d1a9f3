import type { ClickHouseClient } from "@clickhouse/client-web";
import { baseTimeframe, type CandleQuery } from "../query/candles.ts";
import { buildBarsSql, MAX_COLUMNAR_BARS, toUnixMs } from "../query/sql.ts";
import type { Timeframe } from "../timeframes.ts";
import { fetchBarsRowBinary } from "./fetch.ts";
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

/**
 * The engine's read path: the same bars as `queryCandles` (same SQL core: deduplication, `[from, to)`,
 * aggregation), fetched as RowBinary and decoded into Float64Arrays without a per-row object. Times are
 * Unix ms (transport: `fetchBarsRowBinary`).
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
  const fromMs = toUnixMs(params.from, "from");
  const toMs = toUnixMs(params.to, "to");
  if (fromMs >= toMs) throw new RangeError("from must be before to");
  const limit = params.limit;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_COLUMNAR_BARS)) {
    throw new RangeError(`limit must be an integer from 1 to ${MAX_COLUMNAR_BARS}`);
  }
  const base = params.base ?? (await baseTimeframe(client, params.symbol, { database: params.database }));
  if (base === null) {
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
  const sql = buildBarsSql({
    database: params.database,
    symbol: params.symbol,
    base,
    timeframe: params.timeframe,
    fromMs,
    toMs,
    limit: limit === undefined ? undefined : limit + 1,
  });
  const decoder = await fetchBarsRowBinary(
    client,
    sql,
    limit === undefined ? undefined : Math.min(limit + 1, 65_536),
  );
  const truncated = limit !== undefined && decoder.rows > limit;
  return { ...decoder.finish(limit), truncated, baseTimeframe: base };
}
