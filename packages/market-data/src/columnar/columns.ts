/**
 * The columnar read's transport: the statement of `buildBarColumnsSql` in RowBinary, which is a LEB128
 * count followed by the six Float64 columns back to back, little-endian. Once the count is read, the
 * rest of the response already is the bytes of the API's column layout (`columnsBinaryLayout`), so it
 * can be passed on as it arrives (the `/columns` route) or copied into typed arrays a chunk at a time
 * (`readBarsColumnar`), never decoded value by value.
 */
import type { ClickHouseClient } from "@clickhouse/client-web";
import type { BarsSql } from "../query/sql.ts";
import type { ColumnarBars } from "./rowbinary.ts";

/** The six columns, in payload order. */
export const BAR_COLUMNS = ["time", "open", "high", "low", "close", "volume"] as const;

/** An opened columnar response whose column bytes have not been read yet. */
export interface BarColumnsResponse {
  /** Bars in the response: the payload is exactly `6 * 8 * count` bytes. */
  count: number;
  /** The first payload bytes (what arrived with the count); `rest` continues after them. */
  head: Uint8Array;
  /** The remaining payload bytes, to be consumed or cancelled. */
  rest: ReadableStream<Uint8Array>;
}

/**
 * Runs the statement and reads just far enough to know the bar count (see startBarColumns). `wait_end_of_query=1` makes the
 * server finish the query before it sends the first byte, so a failing query is an HTTP error here
 * and never a 200 with an exception appended to the payload.
 *
 * @throws Error when the response does not start like the columns statement's output
 */
export async function openBarColumns(client: ClickHouseClient, sql: BarsSql): Promise<BarColumnsResponse> {
  const { stream } = await client.exec({
    query: `${sql.query}\nFORMAT RowBinary`,
    query_params: sql.query_params,
    clickhouse_settings: { wait_end_of_query: 1 },
  });
  return startBarColumns(stream);
}

/**
 * Reads the LEB128 element count that starts the columns statement's RowBinary output (it may be split
 * across chunks) and hands back the rest of the stream unread.
 *
 * @throws Error when the stream does not start with a count of six equal columns
 */
export async function startBarColumns(stream: ReadableStream<Uint8Array>): Promise<BarColumnsResponse> {
  const reader = stream.getReader();
  let values = 0;
  let shift = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) throw new Error("columnar response ended before its element count");
      for (let i = 0; i < value.length; i++) {
        const byte = value[i] as number;
        values += (byte & 0x7f) * 2 ** shift;
        shift += 7;
        if (byte < 0x80) {
          if (values % BAR_COLUMNS.length !== 0) {
            throw new Error(`columnar response holds ${values} values, not six columns of bars`);
          }
          reader.releaseLock();
          return { count: values / BAR_COLUMNS.length, head: value.subarray(i + 1), rest: stream };
        }
        if (shift > 49) throw new Error("columnar response does not start with an element count");
      }
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw error;
  }
}

/**
 * Reads the payload into six exact-length Float64Arrays, keeping the first `keep` bars (default all).
 * Each chunk is copied with at most a few `set` calls, whatever the column boundaries inside it.
 * Float64Array is platform-endian; every Workers and Node platform is little-endian, like RowBinary.
 *
 * @throws Error when the payload is shorter or longer than `count` bars
 */
export async function readBarColumns(
  response: BarColumnsResponse,
  keep = response.count,
): Promise<ColumnarBars> {
  const { count } = response;
  const columnBytes = count * 8;
  const full = BAR_COLUMNS.map(() => new Uint8Array(columnBytes));
  let at = 0; // payload bytes written so far
  const take = (chunk: Uint8Array) => {
    if (at + chunk.length > BAR_COLUMNS.length * columnBytes) {
      throw new Error(`columnar response is longer than its ${count} bars`);
    }
    let from = 0;
    while (from < chunk.length) {
      const column = Math.floor(at / columnBytes);
      const offset = at - column * columnBytes;
      const n = Math.min(chunk.length - from, columnBytes - offset);
      (full[column] as Uint8Array).set(chunk.subarray(from, from + n), offset);
      from += n;
      at += n;
    }
  };
  take(response.head);
  const reader = response.rest.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      take(value);
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw error;
  } finally {
    reader.releaseLock();
  }
  if (at !== BAR_COLUMNS.length * columnBytes) {
    throw new Error(`columnar response ended after ${at} of ${BAR_COLUMNS.length * columnBytes} bytes`);
  }
  const n = Math.min(keep, count);
  // Exact-length buffers: a view into a larger buffer would carry the slack along whenever the columns
  // are transferred or structured-cloned (e.g. into the WASM sandbox over RPC).
  const column = (i: number) => {
    const bytes = full[i] as Uint8Array;
    return new Float64Array(n === count ? bytes.buffer : bytes.buffer.slice(0, n * 8));
  };
  return {
    time: column(0),
    open: column(1),
    high: column(2),
    low: column(3),
    close: column(4),
    volume: column(5),
    count: n,
  };
}
