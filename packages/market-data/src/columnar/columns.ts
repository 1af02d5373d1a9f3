/**
 * The columnar read's transport: the statement of `buildBarColumnsSql` in RowBinary, which is a LEB128
 * count followed by the six Float64 columns back to back, little-endian. After the count, the response
 * already is the bytes of the API's column layout (`columnsBinaryLayout`), so it can be sent on as
 * byte ranges (the `/columns` route) or copied into typed arrays a column at a time, never decoded
 * value by value.
 */
import type { ClickHouseClient } from "@clickhouse/client-web";
import type { BarsSql } from "../query/sql.ts";
import type { ColumnarBars } from "./rowbinary.ts";

/** The six columns, in payload order. */
export const BAR_COLUMNS = ["time", "open", "high", "low", "close", "volume"] as const;

/** One columnar response: `count` bars as six columns back to back. */
export interface BarColumnsPayload {
  count: number;
  /** Exactly `6 * 8 * count` bytes: all times, then all opens, …, then all volumes. */
  payload: Uint8Array;
}

/**
 * Reads the LEB128 element count that starts the columns statement's RowBinary output and checks that
 * the rest is exactly six columns of that many bars.
 *
 * @throws Error when the bytes are not the columns statement's output
 */
export function parseBarColumns(bytes: Uint8Array): BarColumnsPayload {
  let values = 0;
  let shift = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    values += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) {
      if (values % BAR_COLUMNS.length !== 0) {
        throw new Error(`columnar response holds ${values} values, not six columns of bars`);
      }
      const payload = bytes.subarray(i + 1);
      if (payload.length !== values * 8) {
        throw new Error(`columnar response has ${payload.length} bytes for ${values} values`);
      }
      return { count: values / BAR_COLUMNS.length, payload };
    }
    if (shift > 49) throw new Error("columnar response does not start with an element count");
  }
  throw new Error("columnar response ended before its element count");
}

/**
 * Runs the statement and reads the whole response in one native read (`Response.arrayBuffer`): a
 * JavaScript read per chunk costs far more, and workerd's local runtime hands upstream bodies over in
 * 4 KB chunks. `wait_end_of_query=1` makes the server finish the query before it sends the first byte,
 * so a failing query is an HTTP error here and never a 200 with an exception appended.
 */
export async function fetchBarColumns(client: ClickHouseClient, sql: BarsSql): Promise<BarColumnsPayload> {
  const { stream } = await client.exec({
    query: `${sql.query}\nFORMAT RowBinary`,
    query_params: sql.query_params,
    clickhouse_settings: { wait_end_of_query: 1 },
  });
  return parseBarColumns(new Uint8Array(await new Response(stream).arrayBuffer()));
}

/** The bytes of column `k` (0 = time … 5 = volume) of a payload. */
export function columnBytes(part: BarColumnsPayload, k: number): Uint8Array {
  const size = part.count * 8;
  return part.payload.subarray(k * size, (k + 1) * size);
}

/**
 * Joins consecutive payloads (the slices of one range, in time order) into six exact-length
 * Float64Arrays, keeping the first `keep` bars (default all). Each column is copied with one `set` per
 * payload. Float64Array is platform-endian; every Workers and Node platform is little-endian, like
 * RowBinary. Exact length because a view into a larger buffer would carry the slack along whenever the
 * columns are transferred or structured-cloned (e.g. into the WASM sandbox over RPC).
 */
export function joinBarColumns(parts: readonly BarColumnsPayload[], keep?: number): ColumnarBars {
  const total = parts.reduce((n, part) => n + part.count, 0);
  const count = Math.min(keep ?? total, total);
  const column = (k: number) => {
    const out = new Float64Array(count);
    const bytes = new Uint8Array(out.buffer);
    let at = 0;
    for (const part of parts) {
      if (at >= count) break;
      const n = Math.min(part.count, count - at);
      bytes.set(columnBytes(part, k).subarray(0, n * 8), at * 8);
      at += n;
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
