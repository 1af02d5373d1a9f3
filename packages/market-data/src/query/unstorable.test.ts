// One bar outside REPRESENTABLE_TIME, written by a foreign writer (our writers refuse it), must not
// break any read: the catalog, candles at every timeframe, the rollup repair and rebuild.
import type { ClickHouseClient } from "@clickhouse/client-web";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIN, makeBars, type RawBar, range, referenceCandles, utc } from "../../test-fixtures/bars.ts";
import { openTestClickHouse, type TestClickHouse } from "../../test-fixtures/clickhouse.ts";
import { insertBars, lastStoredBarTime } from "../ingest/insert.ts";
import { queryCandles } from "./candles.ts";
import { listSymbols } from "./catalog.ts";
import { ROLLUP_TIMEFRAMES, rebuildAllRollups, refreshStaleRollups } from "./rollups.ts";

const SYMBOL = "BAD-USD";
const META = { symbol: SYMBOL, asset_class: "crypto", timeframe: "1m", source: "csv", ingest_version: 1 };
const good = makeBars(META, range(utc(2025, 5, 6, 22), utc(2025, 5, 9, 3), MIN), 5, 100);
/** Past JavaScript's largest date, year 0, and a time ClickHouse's column holds but its buckets do not. */
const BAD_TIMES = [9_000_000_000_000_000, -62_167_219_200_000, utc(1900, 1, 1), utc(2150, 6, 3)];

let ch: TestClickHouse;
let client: ClickHouseClient;

/** Writes one bar straight into ohlcv as a foreign writer could: the time goes in as Int64 ms. */
async function insertRawBarAt(time: number) {
  await client.command({
    query: `INSERT INTO ${ch.database}.ohlcv (symbol, asset_class, timeframe, time, open, high, low, close, volume, source, ingest_version)
      SELECT {symbol:String}, 'crypto', '1m', fromUnixTimestamp64Milli({time:Int64}, 'UTC'), 1, 1, 1, 1, 1, 'csv', 1`,
    query_params: { symbol: SYMBOL, time },
  });
}

beforeAll(async () => {
  ch = await openTestClickHouse();
  client = ch.client;
  const column = (k: keyof RawBar) => good.map((b) => b[k] as number);
  await insertBars(
    { url: ch.url, database: ch.database },
    { symbol: SYMBOL, assetClass: "crypto", timeframe: "1m", source: "csv", ingestVersion: 1 },
    {
      time: column("time"),
      open: column("open"),
      high: column("high"),
      low: column("low"),
      close: column("close"),
      volume: column("volume"),
    },
  );
  for (const t of BAD_TIMES) await insertRawBarAt(t);
}, 120_000);

afterAll(async () => {
  await ch?.close();
});

const expectedSeries = {
  symbol: SYMBOL,
  assetClass: "crypto",
  source: "csv",
  timeframe: "1m",
  firstBar: new Date(good[0]?.time as number).toISOString(),
  lastBar: new Date(good.at(-1)?.time as number).toISOString(),
  barCount: good.length,
};

async function expectReadsIntact() {
  expect(await listSymbols(client, { database: ch.database })).toEqual([expectedSeries]);
  // Where an incremental sync resumes: the last storable bar.
  expect(await lastStoredBarTime(client, SYMBOL, "1m", ch.database)).toBe(good.at(-1)?.time);
  // The widest range a caller could ask for: every stored bar, the unstorable ones included.
  const wide = { from: -8.64e15, to: 8.64e15 };
  for (const timeframe of ["1m", ...ROLLUP_TIMEFRAMES] as const) {
    const page = await queryCandles(client, {
      database: ch.database,
      symbol: SYMBOL,
      timeframe,
      ...wide,
      limit: 10_000,
    });
    expect(page.candles, timeframe).toEqual(
      referenceCandles(good, SYMBOL, "1m", timeframe, -Infinity, Infinity),
    );
  }
}

describe("a stored bar outside the representable range", () => {
  it("is skipped by the catalog and by candle reads, which still answer", async () => {
    await expectReadsIntact();
  });

  it("is skipped by the rollup repair and by a full rebuild", async () => {
    await refreshStaleRollups(client, ch.database);
    await expectReadsIntact();
    await rebuildAllRollups(client, ch.database);
    await expectReadsIntact();
    // The rebuild wrote no rollup row for an unstorable bar, at any bucket.
    const result = await client.query({
      query: `SELECT count() AS n FROM ${ch.database}.ohlcv_rollup FINAL
        WHERE symbol = {symbol:String} AND stale = 0 AND (toUnixTimestamp64Milli(last_time) > {last:Int64} OR toUnixTimestamp64Milli(first_time) < {first:Int64})`,
      query_params: { symbol: SYMBOL, first: good[0]?.time as number, last: good.at(-1)?.time as number },
      format: "JSONEachRow",
    });
    expect((await result.json<{ n: number | string }>()).map((r) => Number(r.n))).toEqual([0]);
  });
});
