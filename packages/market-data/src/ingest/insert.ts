import type { ClickHouseClient } from "@clickhouse/client-web";
import { isRepresentableTime, REPRESENTABLE_TIME, REPRESENTABLE_TIME_TEXT } from "@quantago/contracts";
import { type ClickHouseConfig, createClickHouse } from "../client.ts";
import { refreshRollups } from "../query/rollups.ts";
import { ohlcvTable } from "../query/sql.ts";
import type { Timeframe } from "../timeframes.ts";

/** Bars as parallel columns (times ascending), the shape uploads and provider chunks are written in. */
export interface BarColumnsInput {
  /** Open time, Unix ms UTC. */
  time: ArrayLike<number>;
  open: ArrayLike<number>;
  high: ArrayLike<number>;
  low: ArrayLike<number>;
  close: ArrayLike<number>;
  volume: ArrayLike<number>;
}

/** What every row of one write shares. */
export interface BarSeriesMeta {
  symbol: string;
  assetClass: string;
  timeframe: Timeframe;
  /** `yahoo` | `binance` | `csv` | `synthetic`. */
  source: string;
  /**
   * ReplacingMergeTree version: among rows with the same (symbol, timeframe, time) the highest wins.
   * A retry of the same write must use the same version (then the copies are identical and fold into
   * one); a later run uses a higher one so corrected data replaces older data.
   */
  ingestVersion: number;
}

/** Columns every bar write fills, in the order of {@link barInsertQuery}'s SELECT. */
export const BAR_INSERT_COLUMNS =
  "(symbol, asset_class, timeframe, time, open, high, low, close, volume, source, ingest_version)";

/** What each row of an insert payload holds ({@link encodeBarsRowBinary}): 48 bytes. */
const BAR_INPUT_STRUCTURE =
  "time Int64, open Float64, high Float64, low Float64, close Float64, volume Float64";

/**
 * The INSERT for a payload of {@link encodeBarsRowBinary}: the per-row columns come from `input()`,
 * the ones every row shares are bound once as query parameters ({@link barInsertParams}), so the
 * server neither receives nor parses four strings and a version per row.
 */
export function barInsertQuery(database?: string): string {
  return `INSERT INTO ${ohlcvTable(database)} ${BAR_INSERT_COLUMNS}
    SELECT {symbol:String}, {assetClass:String}, {timeframe:String}, fromUnixTimestamp64Milli(time, 'UTC'),
      open, high, low, close, volume, {source:String}, {ingestVersion:UInt64}
    FROM input('${BAR_INPUT_STRUCTURE}') FORMAT RowBinary`;
}

/**
 * A value in ClickHouse's text form for HTTP query parameters (`param_x`), which the server reads
 * like a TabSeparated field: backslash, tab, newline and carriage return escaped.
 */
function paramText(value: string): string {
  return value
    .replaceAll("\\", "\\\\")
    .replaceAll("\t", "\\t")
    .replaceAll("\n", "\\n")
    .replaceAll("\r", "\\r");
}

/** The `param_*` URL values {@link barInsertQuery} binds. */
export function barInsertParams(meta: BarSeriesMeta): Record<string, string> {
  if (!Number.isSafeInteger(meta.ingestVersion) || meta.ingestVersion < 0)
    throw new RangeError("ingestVersion must be a non-negative integer");
  return {
    param_symbol: paramText(meta.symbol),
    param_assetClass: paramText(meta.assetClass),
    param_timeframe: paramText(meta.timeframe),
    param_source: paramText(meta.source),
    param_ingestVersion: String(meta.ingestVersion),
  };
}

/**
 * Rows `[start, end)` of `bars` as RowBinary for {@link barInsertQuery}'s `input()`: per row the time
 * as Int64 Unix ms and the five prices/volume as raw little-endian Float64, so values arrive
 * bit-exact with no text round trip. Binary rather than TabSeparated because formatting and parsing
 * six numbers a row as text was most of an upload's time.
 *
 * @throws RangeError when a time is not a whole number of milliseconds
 */
export function encodeBarsRowBinary(
  bars: BarColumnsInput,
  start = 0,
  end = bars.time.length,
): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(Math.max(0, end - start) * 48);
  const view = new DataView(out.buffer);
  const { time, open, high, low, close, volume } = bars;
  for (let i = start, at = 0; i < end; i++, at += 48) {
    const t = time[i] as number;
    if (!Number.isSafeInteger(t)) throw new RangeError(`bar ${i}: time ${t} is not whole Unix milliseconds`);
    // Int64 little-endian from a safe integer: low 32 bits unsigned, high 32 bits signed.
    const high32 = Math.floor(t / 4_294_967_296);
    view.setUint32(at, t - high32 * 4_294_967_296, true);
    view.setInt32(at + 4, high32, true);
    view.setFloat64(at + 8, open[i] as number, true);
    view.setFloat64(at + 16, high[i] as number, true);
    view.setFloat64(at + 24, low[i] as number, true);
    view.setFloat64(at + 32, close[i] as number, true);
    view.setFloat64(at + 40, volume[i] as number, true);
  }
  return out;
}

export interface InsertBarsOptions {
  /** Rows per INSERT; default 250,000 (12 MB of RowBinary). */
  batchRows?: number;
  /** Called after each batch with the rows written so far. */
  onBatch?: (rowsWritten: number) => void | Promise<void>;
  /** Replaces the global fetch (tests). */
  fetch?: typeof fetch;
}

/**
 * One INSERT with a preformatted body over ClickHouse's HTTP interface. `@clickhouse/client-web` only
 * sends JSON formats (its `exec` drops `values` on the web), so the bytes go out with a plain fetch,
 * credentials in the `X-ClickHouse-User` / `X-ClickHouse-Key` headers.
 */
async function postInsert(
  connection: ClickHouseConfig,
  query: string,
  params: Record<string, string>,
  bytes: Uint8Array<ArrayBuffer>,
  fetchFn: typeof fetch,
): Promise<void> {
  const url = new URL(connection.url);
  url.searchParams.set("query", query);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  const response = await fetchFn(url, {
    method: "POST",
    headers: {
      "X-ClickHouse-User": connection.username || "default",
      "X-ClickHouse-Key": connection.password ?? "",
      "Content-Type": "application/octet-stream",
    },
    body: bytes,
  });
  const text = await response.text();
  if (!response.ok || response.headers.has("x-clickhouse-exception-code")) {
    throw new Error(`ClickHouse INSERT failed (HTTP ${response.status}): ${text.slice(0, 500)}`);
  }
}

/**
 * Writes bars into `ohlcv` (of `connection.database`) as RowBinary ({@link barInsertQuery}), in batches,
 * then refreshes the rollups of the buckets written. Each batch is one INSERT, so it is atomic on its
 * own; a failure between batches leaves the earlier ones written (and their rollup buckets marked
 * stale, so reads stay exact until a retry refreshes them).
 * Re-running the same write (same `ingestVersion`) writes identical rows, which the ReplacingMergeTree
 * folds into one copy.
 *
 * @returns the number of rows written
 * @throws RangeError, before writing anything, when a time is outside `REPRESENTABLE_TIME`
 */
export async function insertBars(
  connection: ClickHouseConfig,
  meta: BarSeriesMeta,
  bars: BarColumnsInput,
  options: InsertBarsOptions = {},
): Promise<number> {
  const total = bars.time.length;
  // Before anything is written: ClickHouse would store such a time without complaint, and every
  // later read that turns it into a Date or a bucket would break (REPRESENTABLE_TIME says why).
  for (let i = 0; i < total; i++) {
    const t = bars.time[i] as number;
    if (!isRepresentableTime(t))
      throw new RangeError(`bar ${i}: time ${t} is outside the storable range ${REPRESENTABLE_TIME_TEXT}`);
  }
  const batchRows = Math.max(1, options.batchRows ?? 250_000);
  const query = barInsertQuery(connection.database || undefined);
  const params = barInsertParams(meta);
  const fetchFn = options.fetch ?? fetch;
  let written = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (let start = 0; start < total; start += batchRows) {
    const end = Math.min(total, start + batchRows);
    await postInsert(connection, query, params, encodeBarsRowBinary(bars, start, end), fetchFn);
    for (let i = start; i < end; i++) {
      const t = bars.time[i] as number;
      if (t < first) first = t;
      if (t > last) last = t;
    }
    written = end;
    await options.onBatch?.(written);
  }
  if (written > 0) {
    // The rollups of the buckets just written (their tombstones came with the inserts).
    const client = createClickHouse(connection);
    try {
      await refreshRollups(
        client,
        { symbol: meta.symbol, base: meta.timeframe, fromMs: first, toMs: last + 1 },
        connection.database || undefined,
      );
    } finally {
      await client.close();
    }
  }
  return written;
}

/**
 * Open time (Unix ms) of the newest stored bar of `symbol` at `timeframe` inside `REPRESENTABLE_TIME`,
 * or null when none is stored: where an incremental sync resumes. A bar outside (only a foreign
 * writer can store one) would make the sync resume at a time no Date can hold.
 */
export async function lastStoredBarTime(
  client: ClickHouseClient,
  symbol: string,
  timeframe: Timeframe,
  database?: string,
): Promise<number | null> {
  const result = await client.query({
    query: `SELECT toFloat64(toUnixTimestamp64Milli(max(time))) AS t, count() AS n
      FROM ${ohlcvTable(database)} WHERE symbol = {symbol:String} AND timeframe = {timeframe:String}
        AND time >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND time < fromUnixTimestamp64Milli({to:Int64}, 'UTC')`,
    query_params: { symbol, timeframe, from: REPRESENTABLE_TIME.fromMs, to: REPRESENTABLE_TIME.toMs },
    format: "JSONEachRow",
  });
  const [row] = await result.json<{ t: number | string; n: number | string }>();
  return row && Number(row.n) > 0 ? Number(row.t) : null;
}

/** Deduplicated number of bars of `symbol` at `timeframe` in `[fromMs, toMs)`. */
export async function countBarsInRange(
  client: ClickHouseClient,
  options: { symbol: string; timeframe: Timeframe; fromMs: number; toMs: number; database?: string },
): Promise<number> {
  const result = await client.query({
    query: `SELECT count() AS n FROM ${ohlcvTable(options.database)} FINAL
      WHERE symbol = {symbol:String} AND timeframe = {timeframe:String}
        AND time >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND time < fromUnixTimestamp64Milli({to:Int64}, 'UTC')`,
    query_params: {
      symbol: options.symbol,
      timeframe: options.timeframe,
      from: options.fromMs,
      to: options.toMs,
    },
    format: "JSONEachRow",
  });
  const [row] = await result.json<{ n: number | string }>();
  return Number(row?.n ?? 0);
}
