/**
 * The `ticks` array of docs/compatibility.md#market-data as JSON text formatted by ClickHouse, for routes that pass it on
 * without building a candle object per bar. Formatting 44,640 candles (a month of 1m) with
 * `JSON.stringify` cost a Worker more than the query itself: most of it is turning doubles into their
 * shortest decimal form, which ClickHouse does natively (same shortest round-trip digits, so a client
 * parses the same doubles as from `queryCandles`).
 */
import type { ClickHouseClient } from "@clickhouse/client-web";
import { type BarsSql, type BarsSqlOptions, buildBarsSql, withRollupFallback } from "./sql.ts";

/**
 * The bar query projected to the wire candle: `timestamp` as ISO-8601 UTC with milliseconds
 * (`2024-01-01T00:00:00.000Z`), then open, high, low, close, volume. `+ 0` turns a negative zero into
 * zero, as `JSON.stringify` writes it.
 */
export function buildTicksJsonSql(options: BarsSqlOptions): BarsSql {
  const bars = buildBarsSql(options);
  return {
    query: `SELECT concat(replaceOne(toString(fromUnixTimestamp64Milli(toInt64(t), 'UTC')), ' ', 'T'), 'Z') AS timestamp,
      o + 0 AS open, h + 0 AS high, l + 0 AS low, c + 0 AS close, v + 0 AS volume
    FROM (${bars.query})
    ORDER BY t`,
    query_params: bars.query_params,
  };
}

/** A JSON array of candles. */
export interface TicksJson {
  /** UTF-8 JSON text of one array (`[` … `]`): the `ticks` value. */
  json: Uint8Array;
  /** Candles in the array. */
  count: number;
}

const OPEN_BRACE = 0x7b;

/**
 * Runs {@link buildTicksJsonSql} (with the rollup fallback) and collects the JSON array ClickHouse
 * writes (`JSONEachRow` with `output_format_json_array_of_rows`), counting the candles on the way: each
 * is one object and no value contains a brace, so the count is the number of `{` bytes.
 * `wait_end_of_query` makes a failing query an HTTP error rather than a truncated array.
 *
 * @example
 * const json = await queryTicksJson(client, { symbol, base, timeframe: "1h", fromMs, toMs, limit: 50_001 });
 * if (json.count > 50_000) throw tooMany();
 */
export async function queryTicksJson(client: ClickHouseClient, options: BarsSqlOptions): Promise<TicksJson> {
  return withRollupFallback(options, async (o) => {
    const sql = buildTicksJsonSql(o);
    const { stream } = await client.exec({
      query: `${sql.query}\nFORMAT JSONEachRow`,
      query_params: sql.query_params,
      clickhouse_settings: {
        wait_end_of_query: 1,
        output_format_json_array_of_rows: 1,
        output_format_json_quote_64bit_floats: 0,
        output_format_json_quote_denormals: 0,
      },
    });
    // One native read of the whole body: a JavaScript read per chunk cost workerd's local runtime
    // tens of milliseconds on a month of 1m candles (it hands upstream bodies over in 4 KB chunks).
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    let count = 0;
    for (let at = bytes.indexOf(OPEN_BRACE); at !== -1; at = bytes.indexOf(OPEN_BRACE, at + 1)) count++;
    return { json: bytes, count };
  });
}
