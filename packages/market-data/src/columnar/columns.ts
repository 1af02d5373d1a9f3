/**
 * The columnar read's transport: the bar statement (`buildBarColumnsSql`) in ClickHouse's Native
 * format, which is columnar already. A Native response is a sequence of blocks; a block is a LEB128
 * column count and row count, then, column after column, the column's name and type (LEB128-prefixed
 * strings) and its values back to back in their little-endian layout. The bar statement's six Float64
 * columns therefore arrive as runs of exactly the bytes of the API's column layout
 * (`columnsBinaryLayout`): the Worker keeps references to those runs (no value is decoded) and either
 * sends them on (the `/columns` route) or copies them into typed arrays a run at a time.
 *
 * Before Native, the statement folded the bars into one `Array(Float64)` row with six `groupArray`s
 * and `arraySort`s: the same bytes, at the price of five extra sorts of every column in the server.
 */
import type { ClickHouseClient } from "@clickhouse/client-web";
import type { BarsSql } from "../query/sql.ts";
import type { ColumnarBars } from "./rowbinary.ts";

/** The six columns, in payload order. */
export const BAR_COLUMNS = ["time", "open", "high", "low", "close", "volume"] as const;

/** The bar statement's column names (`buildBarsSql`), in the order of {@link BAR_COLUMNS}. */
const SQL_NAMES = ["t", "o", "h", "l", "c", "v"] as const;

/** The output format of the columnar statement. */
export const BAR_COLUMNS_FORMAT = "Native";

/** One columnar response: `count` bars as six columns, each in one or more runs of bytes. */
export interface BarColumnsPayload {
  count: number;
  /**
   * `chunks[k]` holds column `k`'s values in order (one run a Native block): together exactly
   * `8 * count` bytes for every `k`.
   */
  chunks: Uint8Array[][];
}

const UTF8 = new TextDecoder();

/** Reads Native's unsigned LEB128 integers and length-prefixed strings from a byte array. */
class Cursor {
  at = 0;
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  varUInt(): number {
    let value = 0;
    for (let shift = 0; shift < 50; shift += 7) {
      if (this.at >= this.bytes.length) throw new Error("Native response ended inside a number");
      const byte = this.bytes[this.at++] as number;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    throw new Error("Native response holds a number too large to be a size");
  }

  string(): string {
    return UTF8.decode(this.take(this.varUInt()));
  }

  take(length: number): Uint8Array {
    if (this.at + length > this.bytes.length) throw new Error("Native response ended inside a block");
    const out = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return out;
  }
}

/**
 * Splits the columns statement's Native output into each column's runs of bytes, checking every
 * block's shape: six Float64 columns named as the bar statement names them. Empty output (no bars) is
 * zero bars.
 *
 * @throws Error when the bytes are not the columns statement's output, or are cut short
 */
export function parseBarColumns(bytes: Uint8Array): BarColumnsPayload {
  const chunks: Uint8Array[][] = BAR_COLUMNS.map(() => []);
  const cursor = new Cursor(bytes);
  let count = 0;
  while (cursor.at < bytes.length) {
    const columns = cursor.varUInt();
    const rows = cursor.varUInt();
    if (columns !== SQL_NAMES.length) {
      throw new Error(`columnar response holds a block of ${columns} columns, not the six bar columns`);
    }
    for (let k = 0; k < SQL_NAMES.length; k++) {
      const name = cursor.string();
      const type = cursor.string();
      if (name !== SQL_NAMES[k] || type !== "Float64") {
        throw new Error(`columnar response column ${k} is ${name} ${type}, not ${SQL_NAMES[k]} Float64`);
      }
      const run = cursor.take(rows * 8);
      if (rows > 0) chunks[k]?.push(run);
    }
    count += rows;
  }
  return { count, chunks };
}

/**
 * Runs the statement and reads the whole response in one native read (`Response.arrayBuffer`): a
 * JavaScript read per chunk costs far more, and workerd's local runtime hands upstream bodies over in
 * 4 KB chunks. `wait_end_of_query=1` makes the server finish the query before it sends the first byte,
 * so a failing query is an HTTP error here and never a 200 with an exception appended.
 */
export async function fetchBarColumns(client: ClickHouseClient, sql: BarsSql): Promise<BarColumnsPayload> {
  const { stream } = await client.exec({
    query: `${sql.query}\nFORMAT ${BAR_COLUMNS_FORMAT}`,
    query_params: sql.query_params,
    clickhouse_settings: { wait_end_of_query: 1 },
  });
  return parseBarColumns(new Uint8Array(await new Response(stream).arrayBuffer()));
}

/** The runs of bytes of column `k` (0 = time … 5 = volume) of a payload, in order. */
export function columnChunks(part: BarColumnsPayload, k: number): readonly Uint8Array[] {
  return part.chunks[k] ?? [];
}

/**
 * Joins consecutive payloads (the slices of one range, in time order) into six exact-length
 * Float64Arrays, keeping the first `keep` bars (default all). Each column is copied with one `set` per
 * run of bytes. Float64Array is platform-endian; every Workers and Node platform is little-endian,
 * like Native. Exact length because a view into a larger buffer would carry the slack along whenever
 * the columns are transferred or structured-cloned (e.g. into the WASM sandbox over RPC).
 */
export function joinBarColumns(parts: readonly BarColumnsPayload[], keep?: number): ColumnarBars {
  const total = parts.reduce((n, part) => n + part.count, 0);
  const count = Math.min(keep ?? total, total);
  const column = (k: number) => {
    const out = new Float64Array(count);
    const bytes = new Uint8Array(out.buffer);
    let at = 0;
    for (const part of parts) {
      for (const run of columnChunks(part, k)) {
        if (at >= count * 8) return out;
        const n = Math.min(run.length, count * 8 - at);
        bytes.set(n === run.length ? run : run.subarray(0, n), at);
        at += n;
      }
    }
    return out;
  };
  return {
    time: column(0),
    open: column(1),
    high: column(2),
    low: column(3),
    close: column(4),
    volume: column(5),
    count,
  };
}
