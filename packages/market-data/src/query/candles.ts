import type { ClickHouseClient } from "@clickhouse/client-web";
import { REPRESENTABLE_TIME } from "@quantago/contracts";
import { fetchBarsRowBinary } from "../columnar/fetch.ts";
import { canAggregate, finestTimeframe, type Timeframe, timeframeMs } from "../timeframes.ts";
import { IsoTimeFormatter } from "./iso-time.ts";
import {
  buildBarsSql,
  MAX_QUERY_LIMIT,
  ohlcvTable,
  seriesTable,
  TimeframeTooFineError,
  type TimeInput,
  toUnixMs,
  withRollupFallback,
} from "./sql.ts";

/** One OHLCV candle on the wire (docs/compatibility.md#market-data `ticks[]`). */
export interface Candle {
  /** Bucket start, ISO-8601 UTC (`2024-01-01T00:00:00.000Z`). */
  timestamp: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Default number of candles per call when the caller sets no `limit`. */
export const DEFAULT_CANDLE_LIMIT = 10_000;

export interface CandleQuery {
  symbol: string;
  timeframe: Timeframe;
  /** Inclusive start (see {@link queryCandles} for the exact range semantics). */
  from: TimeInput;
  /** Exclusive end. */
  to: TimeInput;
  /** Most candles to return, 1..{@link MAX_QUERY_LIMIT}; default {@link DEFAULT_CANDLE_LIMIT}. */
  limit?: number;
  /** Market-data database (`CLICKHOUSE_DB`); default `market_data`. */
  database?: string;
  /** The symbol's base timeframe when already known (saves the lookup query). */
  base?: Timeframe;
}

export interface CandleQueryResult {
  candles: Candle[];
  /** True when more candles exist in the range than `limit`: `candles` holds the first `limit`. */
  truncated: boolean;
  /**
   * When truncated: where the next page starts, the end of the last returned bucket (ISO). Passing it
   * as the next `from` with the same `to` continues exactly where this page stopped, with no overlap
   * and a complete first bucket. Null when nothing is left.
   */
  nextFrom: string | null;
  /** Timeframe the candles were built from; null when the symbol has no stored bars at all. */
  baseTimeframe: Timeframe | null;
}

/**
 * The stored (finest) timeframe of a symbol, or null when nothing is stored for it.
 *
 * @example
 * await baseTimeframe(client, "BTC-USD"); // "1m"
 * await baseTimeframe(client, "NOPE"); // null
 */
export async function baseTimeframe(
  client: ClickHouseClient,
  symbol: string,
  options: { database?: string } = {},
): Promise<Timeframe | null> {
  const result = await client.query({
    query: `SELECT DISTINCT timeframe FROM ${seriesTable(options.database)} WHERE symbol = {symbol:String}`,
    query_params: { symbol },
    format: "JSONCompactEachRow",
  });
  const rows = await result.json<[string]>();
  return finestTimeframe(rows.map((row) => row[0]));
}

/**
 * Whether `timeframe` bars of `symbol` exist in `[from, to)`: the answer of a bar read with `limit: 1`
 * (a bucket exists exactly when a stored base bar of the range does), without reading or
 * deduplicating the range: one indexed `LIMIT 1` lookup. For checks before work is queued.
 *
 * @throws TimeframeTooFineError when `timeframe` is finer than the stored base timeframe
 *
 * @example
 * await hasBars(client, { symbol: "BTC-USD", timeframe: "1h", from: "2024-01-01", to: "2024-02-01" });
 */
export async function hasBars(
  client: ClickHouseClient,
  params: Omit<CandleQuery, "limit">,
): Promise<boolean> {
  const present = async (base: Timeframe): Promise<boolean> => {
    if (!canAggregate(base, params.timeframe)) throw new TimeframeTooFineError(params.timeframe, base);
    const from = Math.max(toUnixMs(params.from, "from"), REPRESENTABLE_TIME.fromMs);
    const to = Math.min(toUnixMs(params.to, "to"), REPRESENTABLE_TIME.toMs);
    if (!(from < to)) return false;
    const result = await client.query({
      query: `SELECT 1 FROM ${ohlcvTable(params.database)}
      WHERE symbol = {symbol:String} AND timeframe = {base:String}
        AND time >= fromUnixTimestamp64Milli({from:Int64}, 'UTC')
        AND time < fromUnixTimestamp64Milli({to:Int64}, 'UTC')
      LIMIT 1`,
      query_params: { symbol: params.symbol, base, from, to },
      format: "JSONCompactEachRow",
    });
    return (await result.json<[number]>()).length > 0;
  };
  if (params.base !== undefined) return present(params.base);
  // The lookup of the base and the check with the base last seen for the symbol, side by side.
  const found = await withBaseTimeframe(client, params.symbol, { database: params.database }, present);
  return found.base !== null && found.result;
}

/** Largest number of symbols whose last seen base timeframe an isolate remembers. */
const LAST_SEEN_BASE_LIMIT = 10_000;
const lastSeenBase = new Map<string, Timeframe>();

/**
 * Looks up the symbol's base timeframe and runs `read(base)` with it, hiding the lookup's round trip
 * when possible: the base last seen for the symbol (per isolate) is taken as a guess and `read` starts
 * with it while the lookup runs. The guess is only a guess: when the lookup disagrees, the speculative
 * read is discarded (its result and any error) and `read` runs again with the real base, so the outcome
 * is always that of the sequential lookup-then-read. `read` must therefore be free of side effects.
 * A discarded read is waited for before the real one starts, so two reads never hold their bars at
 * once.
 *
 * @returns `{ base: null }` when nothing is stored for the symbol (`read` is not run, or its result is
 *   dropped); otherwise the base and what `read` returned for it
 *
 * @example
 * const { base, result } = await withBaseTimeframe(client, "BTC-USD", {}, (base) =>
 *   queryCandles(client, { symbol: "BTC-USD", timeframe: "1h", from, to, base }));
 */
export async function withBaseTimeframe<T>(
  client: ClickHouseClient,
  symbol: string,
  options: { database?: string },
  read: (base: Timeframe) => Promise<T>,
): Promise<{ base: null } | { base: Timeframe; result: T }> {
  const key = `${options.database ?? ""}\u0000${symbol}`;
  const guess = lastSeenBase.get(key);
  const speculative = guess === undefined ? undefined : read(guess);
  // Settled below in every branch; this only keeps a discarded failure from being reported unhandled.
  speculative?.catch(() => {});
  const drop = async () => {
    // A failed speculative read is of no interest: it is being thrown away.
    await speculative?.catch(() => {});
  };
  let base: Timeframe | null;
  try {
    base = await baseTimeframe(client, symbol, options);
  } catch (error) {
    await drop();
    throw error;
  }
  if (base === null) {
    lastSeenBase.delete(key);
    await drop();
    return { base: null };
  }
  if (speculative !== undefined && base === guess) return { base, result: await speculative };
  await drop();
  lastSeenBase.delete(key); // re-inserted last, so the Map's first key is the oldest entry
  if (lastSeenBase.size >= LAST_SEEN_BASE_LIMIT) {
    const oldest = lastSeenBase.keys().next().value;
    if (oldest !== undefined) lastSeenBase.delete(oldest);
  }
  lastSeenBase.set(key, base);
  return { base, result: await read(base) };
}

/**
 * Candles of `symbol` at `timeframe` from ClickHouse, ascending, aggregated on read from the symbol's
 * finest stored timeframe (see `buildBarsSql` for deduplication and aggregation).
 *
 * Range semantics `[from, to)`: base bars whose open time `t` satisfies `from <= t < to` are used.
 * Candles are labelled by bucket start (UTC; weeks start Monday), so with `from` inside a bucket the
 * first candle is partial and starts before `from`; likewise the last may be partial. Missing data
 * produces no candle. An unknown symbol gives no candles (not an error).
 *
 * Limit: the query fetches `limit + 1` buckets to detect overflow without counting the whole range.
 * The caller chooses between a 400 (`truncated`) and cursor paging (`nextFrom`).
 *
 * @throws TimeframeTooFineError when `timeframe` is finer than the stored base timeframe
 * @throws RangeError on invalid arguments (bad times, `from >= to`, limit out of range)
 *
 * @example
 * const page = await queryCandles(client, { symbol: "BTC-USD", timeframe: "1h",
 *   from: "2024-01-01T00:00:00Z", to: "2024-02-01T00:00:00Z", limit: 500 });
 * page.candles[0]; // { timestamp: "2024-01-01T00:00:00.000Z", open: 42283.6, ... }
 * if (page.truncated) next = await queryCandles(client, { ...same, from: page.nextFrom });
 */
export async function queryCandles(
  client: ClickHouseClient,
  params: CandleQuery,
): Promise<CandleQueryResult> {
  const fromMs = toUnixMs(params.from, "from");
  const toMs = toUnixMs(params.to, "to");
  if (fromMs >= toMs) throw new RangeError("from must be before to");
  const limit = params.limit ?? DEFAULT_CANDLE_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_QUERY_LIMIT) {
    throw new RangeError(`limit must be an integer from 1 to ${MAX_QUERY_LIMIT}`);
  }
  const base = params.base ?? (await baseTimeframe(client, params.symbol, { database: params.database }));
  if (base === null) return { candles: [], truncated: false, nextFrom: null, baseTimeframe: null };
  const options = {
    database: params.database,
    symbol: params.symbol,
    base,
    timeframe: params.timeframe,
    fromMs,
    toMs,
    limit: limit + 1,
  };
  // RowBinary, not JSON: the transport costs far less in the Worker (see fetchBarsRowBinary).
  const decoder = await withRollupFallback(options, (o) =>
    fetchBarsRowBinary(client, buildBarsSql(o), Math.min(limit + 1, 65_536)),
  );
  const truncated = decoder.rows > limit;
  const { time, open, high, low, close, volume, count } = decoder.finish(limit);
  const candles = new Array<Candle>(count);
  const iso = new IsoTimeFormatter();
  for (let i = 0; i < count; i++) {
    candles[i] = {
      timestamp: iso.format(time[i] as number),
      open: open[i] as number,
      high: high[i] as number,
      low: low[i] as number,
      close: close[i] as number,
      volume: volume[i] as number,
    };
  }
  const nextFrom =
    truncated && count > 0
      ? new Date((time[count - 1] as number) + timeframeMs(params.timeframe)).toISOString()
      : null;
  return { candles, truncated, nextFrom, baseTimeframe: base };
}
