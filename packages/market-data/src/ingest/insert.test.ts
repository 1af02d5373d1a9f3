import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestClickHouse, type TestClickHouse } from "../../test-fixtures/clickhouse.ts";
import { readBarsColumnar } from "../columnar/read.ts";
import { countStoredBars, writeSyntheticBars } from "../synthetic.ts";
import { countBarsInRange, insertBars, lastStoredBarTime } from "./insert.ts";

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
