import type { ClickHouseClient } from "@clickhouse/client-web";
import type { ClickHouseConfig } from "../client.ts";
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

/** Column list of {@link encodeBarsRowBinary}, in its order. */
export const BAR_INSERT_COLUMNS =
  "(symbol, asset_class, timeframe, time, open, high, low, close, volume, source, ingest_version)";

const utf8 = new TextEncoder();

/** A RowBinary String: LEB128 byte length, then the UTF-8 bytes. */
function rowBinaryString(value: string): number[] {
  const bytes = utf8.encode(value);
  const out: number[] = [];
  let n = bytes.length;
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n, ...bytes);
  return out;
}

/** Writes `value` (a safe integer) as a little-endian 64-bit two's complement integer. */
function setInt64(view: DataView, at: number, value: number): void {
  const high = Math.floor(value / 4_294_967_296);
  view.setUint32(at, value - high * 4_294_967_296, true);
  view.setInt32(at + 4, high, true);
}

/**
 * Rows `[start, end)` of `bars` as RowBinary for {@link BAR_INSERT_COLUMNS}: per row the three series
 * strings (the same bytes every row, copied from a template), the time as Int64 Unix ms (what
 * `DateTime64(3)` stores), the five prices/volume as raw little-endian Float64 (bit-exact, no text
 * round trip), then `source` and the UInt64 `ingest_version`. About 80 bytes a row, written into one
 * preallocated buffer; binary rather than TabSeparated because formatting and parsing 6 numbers a row
 * as text was most of an upload's time.
 */
export function encodeBarsRowBinary(
  meta: BarSeriesMeta,
  bars: BarColumnsInput,
  start = 0,
  end = bars.time.length,
): Uint8Array<ArrayBuffer> {
  if (!Number.isSafeInteger(meta.ingestVersion) || meta.ingestVersion < 0)
    throw new RangeError("ingestVersion must be a non-negative integer");
  const head = Uint8Array.from([
    ...rowBinaryString(meta.symbol),
    ...rowBinaryString(meta.assetClass),
    ...rowBinaryString(meta.timeframe),
  ]);
  const tailBytes = [...rowBinaryString(meta.source), 0, 0, 0, 0, 0, 0, 0, 0];
  const tail = Uint8Array.from(tailBytes);
  setInt64(new DataView(tail.buffer), tail.length - 8, meta.ingestVersion);
  const rowSize = head.length + 48 + tail.length;
  const out = new Uint8Array(Math.max(0, end - start) * rowSize);
  const view = new DataView(out.buffer);
  const { time, open, high, low, close, volume } = bars;
  const headLength = head.length;
  const tailLength = tail.length;
  let at = 0;
  for (let i = start; i < end; i++) {
    // Byte loops: for a few dozen bytes they beat Uint8Array#set, whose call costs more than the copy.
    for (let k = 0; k < headLength; k++) out[at + k] = head[k] as number;
    at += headLength;
    const t = time[i] as number;
    if (!Number.isSafeInteger(t)) throw new RangeError(`bar ${i}: time ${t} is not whole Unix milliseconds`);
    setInt64(view, at, t);
    view.setFloat64(at + 8, open[i] as number, true);
    view.setFloat64(at + 16, high[i] as number, true);
    view.setFloat64(at + 24, low[i] as number, true);
    view.setFloat64(at + 32, close[i] as number, true);
    view.setFloat64(at + 40, volume[i] as number, true);
    at += 48;
    for (let k = 0; k < tailLength; k++) out[at + k] = tail[k] as number;
    at += tailLength;
  }
  return out;
}

export interface InsertBarsOptions {
  /** Rows per INSERT; default 250,000 (about 20 MB of RowBinary). */
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
  bytes: Uint8Array<ArrayBuffer>,
  fetchFn: typeof fetch,
): Promise<void> {
  const url = new URL(connection.url);
  url.searchParams.set("query", query);
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
 * Writes bars into `ohlcv` (of `connection.database`) as RowBinary, in batches. Each batch is one
 * INSERT, so it is atomic on its own; a failure between batches leaves the earlier ones written.
 * Re-running the same write (same `ingestVersion`) writes identical rows, which the ReplacingMergeTree
 * folds into one copy.
 *
 * @returns the number of rows written
 */
export async function insertBars(
  connection: ClickHouseConfig,
  meta: BarSeriesMeta,
  bars: BarColumnsInput,
  options: InsertBarsOptions = {},
): Promise<number> {
  const total = bars.time.length;
  const batchRows = Math.max(1, options.batchRows ?? 250_000);
  const query = `INSERT INTO ${ohlcvTable(connection.database || undefined)} ${BAR_INSERT_COLUMNS} FORMAT RowBinary`;
  const fetchFn = options.fetch ?? fetch;
  let written = 0;
  for (let start = 0; start < total; start += batchRows) {
    const end = Math.min(total, start + batchRows);
    await postInsert(connection, query, encodeBarsRowBinary(meta, bars, start, end), fetchFn);
    written = end;
    await options.onBatch?.(written);
  }
  return written;
}

/**
 * Open time (Unix ms) of the newest stored bar of `symbol` at `timeframe`, or null when none is
 * stored: where an incremental sync resumes.
 */
export async function lastStoredBarTime(
  client: ClickHouseClient,
  symbol: string,
  timeframe: Timeframe,
  database?: string,
): Promise<number | null> {
  const result = await client.query({
    query: `SELECT toFloat64(toUnixTimestamp64Milli(max(time))) AS t, count() AS n
      FROM ${ohlcvTable(database)} WHERE symbol = {symbol:String} AND timeframe = {timeframe:String}`,
    query_params: { symbol, timeframe },
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
