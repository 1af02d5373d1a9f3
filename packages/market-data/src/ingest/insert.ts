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

const encoder = new TextEncoder();

/** ClickHouse `String` in RowBinary: LEB128 length, then the bytes. */
function stringBytes(value: string): Uint8Array {
  const body = encoder.encode(value);
  const head: number[] = [];
  let n = body.length;
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n > 0) byte |= 0x80;
    head.push(byte);
  } while (n > 0);
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

/** Column list of {@link encodeBarsRowBinary}, in its byte order. */
export const ROWBINARY_BAR_COLUMNS =
  "(symbol, asset_class, timeframe, time, open, high, low, close, volume, source, ingest_version)";

/**
 * Rows `[start, end)` of `bars` as RowBinary for {@link ROWBINARY_BAR_COLUMNS}: the cheapest format for
 * ClickHouse to ingest (no parsing, 8 bytes per number). `LowCardinality(String)` columns take plain
 * `String` values in RowBinary; `DateTime64(3)` is the Int64 millisecond count.
 */
export function encodeBarsRowBinary(
  meta: BarSeriesMeta,
  bars: BarColumnsInput,
  start = 0,
  end = bars.time.length,
): Uint8Array<ArrayBuffer> {
  const prefix = [meta.symbol, meta.assetClass, meta.timeframe].map(stringBytes);
  const source = stringBytes(meta.source);
  const prefixBytes = prefix.reduce((n, p) => n + p.length, 0);
  const rowBytes = prefixBytes + 8 + 5 * 8 + source.length + 8;
  const rows = Math.max(0, end - start);
  const out = new Uint8Array(rows * rowBytes);
  const view = new DataView(out.buffer);
  // The constant part of a row is written once and copied; only the numbers differ.
  const head = new Uint8Array(prefixBytes);
  let at = 0;
  for (const p of prefix) {
    head.set(p, at);
    at += p.length;
  }
  const version = BigInt(meta.ingestVersion);
  let pos = 0;
  for (let i = start; i < end; i++) {
    out.set(head, pos);
    pos += prefixBytes;
    view.setBigInt64(pos, BigInt(bars.time[i] as number), true);
    view.setFloat64(pos + 8, bars.open[i] as number, true);
    view.setFloat64(pos + 16, bars.high[i] as number, true);
    view.setFloat64(pos + 24, bars.low[i] as number, true);
    view.setFloat64(pos + 32, bars.close[i] as number, true);
    view.setFloat64(pos + 40, bars.volume[i] as number, true);
    pos += 48;
    out.set(source, pos);
    pos += source.length;
    view.setBigUint64(pos, version, true);
    pos += 8;
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
 * One RowBinary INSERT over ClickHouse's HTTP interface. `@clickhouse/client-web` only sends JSON
 * formats (its `exec` drops `values` on the web), so the bytes go out with a plain fetch, credentials
 * in the `X-ClickHouse-User` / `X-ClickHouse-Key` headers.
 */
async function postRowBinary(
  connection: ClickHouseConfig,
  table: string,
  bytes: Uint8Array<ArrayBuffer>,
  fetchFn: typeof fetch,
): Promise<void> {
  const url = new URL(connection.url);
  url.searchParams.set("query", `INSERT INTO ${table} ${ROWBINARY_BAR_COLUMNS} FORMAT RowBinary`);
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
  const table = ohlcvTable(connection.database || undefined);
  const fetchFn = options.fetch ?? fetch;
  let written = 0;
  for (let start = 0; start < total; start += batchRows) {
    const end = Math.min(total, start + batchRows);
    await postRowBinary(connection, table, encodeBarsRowBinary(meta, bars, start, end), fetchFn);
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
