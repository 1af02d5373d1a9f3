// deleteBars against a real engine: afterwards every read, straight from the rollups with no
// fallback, equals aggregating the remaining base bars, and the catalog counts what is left.
import type { ClickHouseClient } from "@clickhouse/client-web";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  candlesOfRows,
  DAY,
  MIN,
  makeBars,
  type RawBar,
  range,
  referenceCandles,
  utc,
} from "../../test-fixtures/bars.ts";
import { openTestClickHouse, type TestClickHouse } from "../../test-fixtures/clickhouse.ts";
import { baseTimeframe } from "../query/candles.ts";
import { listSymbols } from "../query/catalog.ts";
import { ROLLUP_TIMEFRAMES } from "../query/rollups.ts";
import { buildBarsSql } from "../query/sql.ts";
import type { Timeframe } from "../timeframes.ts";
import { deleteBars } from "./delete.ts";
import { insertBars } from "./insert.ts";

const ETH = {
  symbol: "ETH-USD",
  asset_class: "crypto",
  timeframe: "1m",
  source: "binance",
  ingest_version: 1,
};
const ADA = { ...ETH, symbol: "ADA-USD" };
// Wednesday 2025-04-02 09:13 to Monday 2025-04-28 17:40: four partial and whole weeks.
const eth = makeBars(ETH, range(utc(2025, 4, 2, 9, 13), utc(2025, 4, 28, 17, 40), MIN), 31, 1800);
const ada = makeBars(ADA, range(utc(2025, 4, 10), utc(2025, 4, 12), MIN), 32, 0.6);
const WIDE = { from: utc(2025, 3, 1), to: utc(2025, 6, 1) };
const ODD = { from: utc(2025, 4, 3, 7, 31), to: utc(2025, 4, 27, 3, 2) };

let ch: TestClickHouse;
let client: ClickHouseClient;

async function write(bars: RawBar[]) {
  const col = (k: keyof RawBar) => bars.map((b) => b[k] as number);
  const [first] = bars as [RawBar];
  await insertBars(
    { url: ch.url, database: ch.database },
    {
      symbol: first.symbol,
      assetClass: first.asset_class,
      timeframe: "1m",
      source: first.source,
      ingestVersion: 1,
    },
    {
      time: col("time"),
      open: col("open"),
      high: col("high"),
      low: col("low"),
      close: col("close"),
      volume: col("volume"),
    },
  );
}

/** The bar query as is: a rollup bucket left stale makes it throw, one left behind adds a candle. */
async function direct(symbol: string, timeframe: Timeframe, from: number, to: number) {
  const sql = buildBarsSql({ database: ch.database, symbol, base: "1m", timeframe, fromMs: from, toMs: to });
  const rows = await (await client.query({ ...sql, format: "JSONCompactEachRow" })).json<number[]>();
  return candlesOfRows(rows);
}

async function expectReadsMatch(symbol: string, remaining: RawBar[]) {
  for (const timeframe of ["1m", ...ROLLUP_TIMEFRAMES] as const) {
    for (const { from, to } of [WIDE, ODD]) {
      expect(await direct(symbol, timeframe, from, to), `${symbol} ${timeframe}`).toEqual(
        referenceCandles(remaining, symbol, "1m", timeframe, from, to),
      );
    }
  }
}

function catalogEntry(bars: RawBar[]) {
  const [first] = bars as [RawBar];
  return {
    symbol: first.symbol,
    assetClass: "crypto",
    source: "binance",
    timeframe: "1m",
    firstBar: new Date(first.time).toISOString(),
    lastBar: new Date(bars.at(-1)?.time as number).toISOString(),
    barCount: bars.length,
  };
}

beforeAll(async () => {
  ch = await openTestClickHouse();
  client = ch.client;
  // Merges stay on: a lightweight DELETE is a mutation, which the merge pool runs.
  await write(eth);
  await write(ada);
}, 120_000);

afterAll(async () => {
  await ch?.close();
});

describe("deleteBars", () => {
  // Odd edges inside hours, days and weeks, and the whole week of 2025-04-14 with the days around it:
  // buckets of every rollup timeframe end up partial and empty.
  const cut = { from: utc(2025, 4, 11, 16, 47), to: utc(2025, 4, 22, 5, 13) };
  let remaining = eth.filter((b) => b.time < cut.from || b.time >= cut.to);

  it("removes the range and keeps every rollup and the catalog exact", async () => {
    expect(
      await deleteBars(client, { symbol: ETH.symbol, fromMs: cut.from, toMs: cut.to }, ch.database),
    ).toEqual({
      series: [{ timeframe: "1m", deletedBars: eth.length - remaining.length, seriesRemoved: false }],
    });
    await expectReadsMatch(ETH.symbol, remaining);
    await expectReadsMatch(ADA.symbol, ada);
    expect(await listSymbols(client, { database: ch.database })).toEqual([
      catalogEntry(ada),
      catalogEntry(remaining),
    ]);
  });

  it("removes the first and the last bars, moving the catalog's bounds", async () => {
    const ends = { from: utc(2025, 4, 27, 12), to: utc(2025, 5, 1) };
    await deleteBars(
      client,
      { symbol: ETH.symbol, timeframe: "1m", fromMs: utc(2025, 1, 1), toMs: utc(2025, 4, 2, 10) },
      ch.database,
    );
    await deleteBars(
      client,
      { symbol: ETH.symbol, timeframe: "1m", fromMs: ends.from, toMs: ends.to },
      ch.database,
    );
    remaining = remaining.filter((b) => b.time >= utc(2025, 4, 2, 10) && b.time < ends.from);
    await expectReadsMatch(ETH.symbol, remaining);
    expect(await listSymbols(client, { database: ch.database })).toEqual([
      catalogEntry(ada),
      catalogEntry(remaining),
    ]);
    // Deleting where nothing is stored changes nothing.
    expect(
      await deleteBars(client, { symbol: ETH.symbol, fromMs: cut.from, toMs: cut.to }, ch.database),
    ).toEqual({
      series: [{ timeframe: "1m", deletedBars: 0, seriesRemoved: false }],
    });
    await expectReadsMatch(ETH.symbol, remaining);
  });

  it("removes a whole series from the catalog and from the base-timeframe lookup", async () => {
    expect(
      await deleteBars(client, { symbol: ETH.symbol, fromMs: WIDE.from, toMs: WIDE.to }, ch.database),
    ).toEqual({
      series: [{ timeframe: "1m", deletedBars: remaining.length, seriesRemoved: true }],
    });
    await expectReadsMatch(ETH.symbol, []);
    expect(await baseTimeframe(client, ETH.symbol, { database: ch.database })).toBeNull();
    expect(await listSymbols(client, { database: ch.database })).toEqual([catalogEntry(ada)]);
    const left = await client.query({
      query: `SELECT count() AS n FROM ${ch.database}.ohlcv_rollup FINAL WHERE symbol = {symbol:String}`,
      query_params: { symbol: ETH.symbol },
      format: "JSONEachRow",
    });
    expect((await left.json<{ n: number | string }>()).map((r) => Number(r.n))).toEqual([0]);
  });

  it("removes a bar stored outside the representable range", async () => {
    await client.command({
      query: `INSERT INTO ${ch.database}.ohlcv (symbol, asset_class, timeframe, time, open, high, low, close, volume, source, ingest_version)
        SELECT 'ADA-USD', 'crypto', '1m', fromUnixTimestamp64Milli(toInt64(9000000000000000), 'UTC'), 1, 1, 1, 1, 1, 'csv', 1`,
    });
    expect(
      await deleteBars(
        client,
        { symbol: ADA.symbol, fromMs: utc(2100, 1, 1), toMs: 2 ** 53 - 1 },
        ch.database,
      ),
    ).toEqual({ series: [{ timeframe: "1m", deletedBars: 1, seriesRemoved: false }] });
    await expectReadsMatch(ADA.symbol, ada);
    expect(await listSymbols(client, { database: ch.database })).toEqual([catalogEntry(ada)]);
  });

  it("refuses an empty or inverted range", async () => {
    for (const [from, to] of [
      [DAY, DAY],
      [2 * DAY, DAY],
      [0.5, DAY],
    ] as const)
      await expect(
        deleteBars(client, { symbol: ADA.symbol, fromMs: from, toMs: to }, ch.database),
      ).rejects.toThrow(RangeError);
  });
});
