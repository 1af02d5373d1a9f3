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

/** Column list of {@link encodeBarsTsv}, in its order. */
export const BAR_INSERT_COLUMNS =
  "(symbol, asset_class, timeframe, time, open, high, low, close, volume, source, ingest_version)";

/** A TabSeparated field: backslash, tab and newline escaped. Symbols never hold them; this is a guard. */
function tsvField(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll("\t", "\\t").replaceAll("\n", "\\n");
}

/**
 * Rows `[start, end)` of `bars` as TabSeparated for {@link BAR_INSERT_COLUMNS}. Text, not RowBinary:
 * the dev stack's embedded engine (chdb behind packages/devstack) misreads RowBinary payloads that
 * contain the bytes `0a 0a` (measured: any batch holding 2023-01-20T11:57Z as Int64 ms fails), and
 * prices written with JavaScript's shortest round-trip form parse back to the identical Float64.
 * Times go as Unix seconds with three decimals, which `DateTime64(3)` reads exactly.
 */
export function encodeBarsTsv(
  meta: BarSeriesMeta,
  bars: BarColumnsInput,
  start = 0,
  end = bars.time.length,
): Uint8Array<ArrayBuffer> {
  if (!Number.isSafeInteger(meta.ingestVersion) || meta.ingestVersion < 0)
    throw new RangeError("ingestVersion must be a non-negative integer");
  const head = `${tsvField(meta.symbol)}\t${tsvField(meta.assetClass)}\t${tsvField(meta.timeframe)}\t`;
  const tail = `\t${tsvField(meta.source)}\t${meta.ingestVersion}\n`;
  const parts: string[] = [];
  for (let i = start; i < end; i++) {
    const t = bars.time[i] as number;
    const ms = ((t % 1000) + 1000) % 1000;
    const seconds = (t - ms) / 1000;
    parts.push(
      `${head}${seconds}.${ms < 10 ? "00" : ms < 100 ? "0" : ""}${ms}\t${bars.open[i]}\t${bars.high[i]}\t${bars.low[i]}\t${bars.close[i]}\t${bars.volume[i]}${tail}`,
    );
  }
  return new TextEncoder().encode(parts.join("")) as Uint8Array<ArrayBuffer>;
}

export interface InsertBarsOptions {
  /** Rows per INSERT; default 250,000 (about 25 MB of text). */
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
 * Writes bars into `ohlcv` (of `connection.database`) as TabSeparated, in batches. Each batch is one
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
  const query = `INSERT INTO ${ohlcvTable(connection.database || undefined)} ${BAR_INSERT_COLUMNS} FORMAT TabSeparated`;
  const fetchFn = options.fetch ?? fetch;
  let written = 0;
  for (let start = 0; start < total; start += batchRows) {
    const end = Math.min(total, start + batchRows);
    await postInsert(connection, query, encodeBarsTsv(meta, bars, start, end), fetchFn);
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
