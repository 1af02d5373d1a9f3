import { REPRESENTABLE_TIME } from "@quantago/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestClickHouse, type TestClickHouse } from "../../test-fixtures/clickhouse.ts";
import { readBarsColumnar } from "../columnar/read.ts";
import { countStoredBars, writeSyntheticBars } from "../synthetic.ts";
import { countBarsInRange, encodeBarsRowBinary, insertBars, lastStoredBarTime } from "./insert.ts";

const T0 = Date.UTC(2024, 0, 1);

describe("insertBars", () => {
  let ch: TestClickHouse;
  beforeAll(async () => {
    ch = await openTestClickHouse();
  }, 120_000);
  afterAll(async () => {
    await ch?.close();
  });
  const conn = () => ({
    url: ch.url,
    username: process.env.CLICKHOUSE_USERNAME,
    password: process.env.CLICKHOUSE_PASSWORD,
    database: ch.database,
  });

  it("writes bars exactly, in batches, and a repeat folds into one copy", async () => {
    const n = 2_500;
    const time = Float64Array.from({ length: n }, (_, i) => T0 + i * 60_000);
    const open = Float64Array.from({ length: n }, (_, i) => 100 + i / 7);
    const bars = {
      time,
      open,
      high: open.map((x) => x + 1),
      low: open.map((x) => x - 1),
      close: open,
      volume: open,
    };
    const meta = {
      symbol: "RB-TEST",
      assetClass: "crypto",
      timeframe: "1m" as const,
      source: "csv",
      ingestVersion: 5,
    };
    const batches: number[] = [];
    const written = await insertBars(conn(), meta, bars, {
      batchRows: 1_000,
      onBatch: (rows) => {
        batches.push(rows);
      },
    });
    expect(written).toBe(n);
    expect(batches).toEqual([1_000, 2_000, 2_500]);
    await insertBars(conn(), meta, bars);
    expect(await countStoredBars(ch.client, "RB-TEST", ch.database)).toBe(n);
    const back = await readBarsColumnar(ch.client, {
      symbol: "RB-TEST",
      timeframe: "1m",
      from: T0,
      to: T0 + n * 60_000,
      database: ch.database,
    });
    expect(back.time).toEqual(time);
    expect(back.open).toEqual(open);
    expect(await lastStoredBarTime(ch.client, "RB-TEST", "1m", ch.database)).toBe(T0 + (n - 1) * 60_000);
    expect(await lastStoredBarTime(ch.client, "NOPE", "1m", ch.database)).toBeNull();
    expect(
      await countBarsInRange(ch.client, {
        symbol: "RB-TEST",
        timeframe: "1m",
        fromMs: T0,
        toMs: T0 + 10 * 60_000,
        database: ch.database,
      }),
    ).toBe(10);
  });

  it("stores every value bit-identically (RowBinary), including payloads holding the bytes 0a 0a", async () => {
    const time = [
      REPRESENTABLE_TIME.fromMs, // the earliest storable time
      Date.UTC(2023, 0, 20, 11, 56),
      Date.UTC(2023, 0, 20, 11, 57), // Int64 LE e0 0a 0a cf 85 01 00 00
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      REPRESENTABLE_TIME.toMs - 1, // the latest
    ];
    const values = [0.1 + 0.2, 1 / 3, 5e-324, Number.MAX_VALUE, 123456789.12345679, 0, 2 ** 53, 1e-300];
    const col = (shift: number) =>
      Float64Array.from(time, (_, i) => values[(i + shift) % values.length] as number);
    const bars = { time, open: col(0), high: col(1), low: col(2), close: col(3), volume: col(4) };
    // Series values travel as query parameters: escapes, quotes, non-ASCII and a long one must survive.
    const meta = {
      symbol: "RT-€\t\\Ä'",
      assetClass: "x".repeat(130),
      timeframe: "1m" as const,
      source: "csv",
      ingestVersion: 2 ** 40 + 7,
    };
    expect(await insertBars(conn(), meta, bars, { batchRows: 3 })).toBe(time.length);
    const result = await ch.client.query({
      query: `SELECT toString(toUnixTimestamp64Milli(time)) AS t, toString(reinterpretAsUInt64(open)) AS o,
          toString(reinterpretAsUInt64(high)) AS h, toString(reinterpretAsUInt64(low)) AS l,
          toString(reinterpretAsUInt64(close)) AS c, toString(reinterpretAsUInt64(volume)) AS v,
          asset_class, timeframe, source, toString(ingest_version) AS version
        FROM ${ch.database}.ohlcv WHERE symbol = {symbol:String} ORDER BY time`,
      query_params: { symbol: meta.symbol },
      format: "JSONEachRow",
    });
    const bits = (x: number) => String(new BigUint64Array(new Float64Array([x]).buffer)[0]);
    expect(await result.json()).toEqual(
      time.map((t, i) => ({
        t: String(t),
        o: bits(bars.open[i] as number),
        h: bits(bars.high[i] as number),
        l: bits(bars.low[i] as number),
        c: bits(bars.close[i] as number),
        v: bits(bars.volume[i] as number),
        asset_class: meta.assetClass,
        timeframe: "1m",
        source: "csv",
        version: String(meta.ingestVersion),
      })),
    );
    expect(() => encodeBarsRowBinary({ ...bars, time: [1.5, 2, 3, 4, 5] })).toThrow(RangeError);
    // Negative Unix ms encode as two's complement Int64 (the encoder itself has no range).
    expect([...encodeBarsRowBinary({ ...bars, time: [-2, 0, 0, 0, 0] }, 0, 1).subarray(0, 8)]).toEqual([
      0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    ]);
  });

  it("refuses a write holding a time the store cannot hold, before writing any of it", async () => {
    const meta = {
      symbol: "RANGE",
      assetClass: "stock",
      timeframe: "1m" as const,
      source: "csv",
      ingestVersion: 1,
    };
    for (const bad of [
      9_000_000_000_000_000,
      -62_167_219_200_000,
      Date.UTC(1960, 0, 1),
      REPRESENTABLE_TIME.toMs,
    ]) {
      const time = [Date.UTC(2024, 0, 1), bad];
      const bars = { time, open: [1, 1], high: [1, 1], low: [1, 1], close: [1, 1], volume: [1, 1] };
      await expect(insertBars(conn(), meta, bars, { batchRows: 1 }), String(bad)).rejects.toThrow(
        /^bar 1: time -?\d+ is outside the storable range 1970-01-05T00:00:00.000Z \(inclusive\) to 2100-01-01T00:00:00.000Z \(exclusive\)$/,
      );
    }
    expect(
      await countBarsInRange(ch.client, {
        symbol: "RANGE",
        timeframe: "1m",
        fromMs: 0,
        toMs: 2 ** 52,
        database: ch.database,
      }),
    ).toBe(0);
  });

  it("synthetic chunks with consecutive start indexes equal one big write", async () => {
    const base = {
      assetClass: "crypto" as const,
      fromMs: T0,
      seed: 3,
      database: ch.database,
      timeframe: "1h" as const,
    };
    await writeSyntheticBars(ch.client, { ...base, symbol: "SYN-ONE", count: 300 });
    for (const startIndex of [0, 100, 200])
      await writeSyntheticBars(ch.client, { ...base, symbol: "SYN-CHUNKED", count: 100, startIndex });
    const read = (symbol: string) =>
      readBarsColumnar(ch.client, {
        symbol,
        timeframe: "1h",
        from: T0,
        to: T0 + 300 * 3_600_000,
        database: ch.database,
      });
    const one = await read("SYN-ONE");
    const chunked = await read("SYN-CHUNKED");
    expect(one.count).toBe(300);
    expect(chunked.time).toEqual(one.time);
    expect(chunked.close).toEqual(one.close);
    expect(chunked.open).toEqual(one.open);
  });
});
