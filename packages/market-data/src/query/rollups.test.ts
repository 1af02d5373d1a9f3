// Rollups against a real engine: the candles read from `ohlcv_rollup` must be the reference's, bit for
// bit, after writes, re-ingestion, hand-made inserts that skip the refresh, and the migration backfill.
import type { ClickHouseClient } from "@clickhouse/client-web";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  candlesOfRows,
  dedupe,
  insertRawBars,
  MIN,
  makeBars,
  type RawBar,
  range,
  referenceCandles,
  utc,
} from "../../test-fixtures/bars.ts";
import { openTestClickHouse, type TestClickHouse } from "../../test-fixtures/clickhouse.ts";
import { insertBars } from "../ingest/insert.ts";
import { applyClickHouseMigrations } from "../schema/apply.ts";
import { clickHouseMigrations, ROLLUP_PAIRS_V2 } from "../schema/migrations.ts";
import { TIMEFRAMES, type Timeframe } from "../timeframes.ts";
import { queryCandles } from "./candles.ts";
import { listSymbols } from "./catalog.ts";
import {
  isStaleRollupError,
  ROLLUP_TIMEFRAMES,
  rebuildAllRollups,
  refreshStaleRollups,
  rollupBases,
  wholeBuckets,
} from "./rollups.ts";
import { buildBarsSql } from "./sql.ts";

describe("rollup definitions", () => {
  it("migration 2 invalidates exactly the pairs that are rolled up", () => {
    const pairs = ROLLUP_TIMEFRAMES.flatMap((tf) => rollupBases(tf).map((base) => `${tf}<-${base}`));
    expect(ROLLUP_PAIRS_V2.map(([tf, base]) => `${tf}<-${base}`)).toEqual(pairs);
  });

  it("finds the whole buckets inside a range", () => {
    const from = utc(2025, 1, 1, 0, 30);
    expect(wholeBuckets("1h", from, utc(2025, 1, 1, 3, 10))).toEqual({
      from: utc(2025, 1, 1, 1),
      to: utc(2025, 1, 1, 3),
    });
    expect(wholeBuckets("1h", utc(2025, 1, 1), utc(2025, 1, 1, 2))).toEqual({
      from: utc(2025, 1, 1),
      to: utc(2025, 1, 1, 2),
    });
    expect(wholeBuckets("1h", from, utc(2025, 1, 1, 1, 10))).toBeNull();
    // 2025-01-01 is a Wednesday: the first whole week starts on Monday the 6th.
    expect(wholeBuckets("1w", utc(2025, 1, 1), utc(2025, 1, 21))).toEqual({
      from: utc(2025, 1, 6),
      to: utc(2025, 1, 20),
    });
  });
});

const SOL = { symbol: "SOL-USD", asset_class: "crypto", timeframe: "1m", source: "binance" };
const START = utc(2025, 3, 5, 13, 7); // a Wednesday afternoon
const END = utc(2025, 3, 24, 8, 3);
const solTimes = range(START, END, MIN).filter(
  (t) =>
    !(t >= utc(2025, 3, 9, 2) && t < utc(2025, 3, 9, 7)) && !(t >= utc(2025, 3, 15) && t < utc(2025, 3, 16)),
);
const v1 = makeBars({ ...SOL, ingest_version: 1 }, solTimes, 21, 130);
// A re-ingested stretch across an hour, a 4h and a day boundary, with new values.
const v2 = makeBars(
  { ...SOL, ingest_version: 2 },
  range(utc(2025, 3, 11, 22, 41), utc(2025, 3, 12, 1, 13), MIN),
  22,
  150,
);
// Written by hand (no refresh): its buckets stay marked stale until a refresh.
const v3 = makeBars(
  { ...SOL, ingest_version: 3 },
  range(utc(2025, 3, 18, 9, 59), utc(2025, 3, 18, 10, 3), MIN),
  23,
  90,
);

// Later than everything else, by hand: moves the last bar and the count in the catalog.
const v4 = makeBars({ ...SOL, ingest_version: 4 }, range(END, END + 5 * MIN, MIN), 24, 120);

const RANGES = {
  whole: { from: START, to: END },
  aligned: { from: utc(2025, 3, 10), to: utc(2025, 3, 24) },
  odd: { from: utc(2025, 3, 6, 17, 31, 12), to: utc(2025, 3, 22, 3, 2) },
};

let ch: TestClickHouse;
let client: ClickHouseClient;
let database: string;

beforeAll(async () => {
  ch = await openTestClickHouse();
  client = ch.client;
  database = ch.database;
  // Keep tombstones and refreshed rows in separate parts, so reads really meet both.
  await client.command({ query: `SYSTEM STOP MERGES ${database}.ohlcv_rollup` });
}, 120_000);

afterAll(async () => {
  await ch?.close();
});

function columns(bars: RawBar[]) {
  return {
    time: bars.map((b) => b.time),
    open: bars.map((b) => b.open),
    high: bars.map((b) => b.high),
    low: bars.map((b) => b.low),
    close: bars.map((b) => b.close),
    volume: bars.map((b) => b.volume),
  };
}

async function write(bars: RawBar[], version: number) {
  await insertBars(
    { url: ch.url, database },
    {
      symbol: SOL.symbol,
      assetClass: SOL.asset_class,
      timeframe: "1m",
      source: SOL.source,
      ingestVersion: version,
    },
    columns(bars),
  );
}

/** The bar query as is, with no fallback: a stale rollup bucket makes it throw. */
async function direct(timeframe: Timeframe, from: number, to: number) {
  const sql = buildBarsSql({ database, symbol: SOL.symbol, base: "1m", timeframe, fromMs: from, toMs: to });
  const rows = await (await client.query({ ...sql, format: "JSONCompactEachRow" })).json<number[]>();
  return {
    usesRollup: sql.query.includes("ohlcv_rollup"),
    candles: candlesOfRows(rows),
  };
}

async function expectAllMatch(stored: RawBar[]) {
  const rows = dedupe(stored);
  for (const timeframe of TIMEFRAMES) {
    for (const { from, to } of Object.values(RANGES)) {
      const read = await direct(timeframe, from, to);
      expect(read.usesRollup).toBe((ROLLUP_TIMEFRAMES as readonly string[]).includes(timeframe));
      expect(read.candles, `${timeframe} ${new Date(from).toISOString()}`).toEqual(
        referenceCandles(rows, SOL.symbol, "1m", timeframe, from, to),
      );
    }
  }
}

describe("rollups against ClickHouse", () => {
  it("serve every coarse timeframe bit-identical to aggregating the base bars", async () => {
    await write(v1, 1);
    await expectAllMatch(v1);
  });

  it("follow a re-ingested range at once", async () => {
    await write(v2, 2);
    const tombstones = await client.query({
      query: `SELECT count() AS n FROM ${database}.ohlcv_rollup WHERE symbol = 'SOL-USD' AND stale = 1`,
      format: "JSONEachRow",
    });
    // Unmerged tombstones are still there; FINAL lets the refreshed rows win over them.
    expect(Number((await tombstones.json<{ n: string }>())[0]?.n)).toBeGreaterThan(0);
    await expectAllMatch([...v1, ...v2]);
  });

  it("summarise each series for the catalog, scanning only a series with a stale week", async () => {
    const scans: string[] = [];
    const watched = {
      query: (params: Parameters<ClickHouseClient["query"]>[0]) => {
        if (params.query.includes("uniqExact")) scans.push(String(params.query_params?.symbol));
        return client.query(params);
      },
    } as ClickHouseClient;
    const expected = (bars: RawBar[]) => {
      const rows = dedupe(bars).sort((a, b) => a.time - b.time);
      return {
        symbol: SOL.symbol,
        assetClass: "crypto",
        source: "binance",
        timeframe: "1m",
        firstBar: new Date(rows[0]?.time ?? 0).toISOString(),
        lastBar: new Date(rows.at(-1)?.time ?? 0).toISOString(),
        barCount: rows.length,
      };
    };
    expect(await listSymbols(watched, { database })).toEqual([expected([...v1, ...v2])]);
    expect(scans).toEqual([]);
    // A hand-made write leaves a stale week: that series is counted from its bars, still exactly.
    await insertRawBars(client, database, v4);
    expect(await listSymbols(watched, { database })).toEqual([expected([...v1, ...v2, ...v4])]);
    expect(scans).toEqual([SOL.symbol]);
    await refreshStaleRollups(client, database);
  });

  it("stay exact after a write that skipped the refresh, and recover with one", async () => {
    await insertRawBars(client, database, v3);
    const stored = dedupe([...v1, ...v2, ...v3]);
    const { from, to } = RANGES.odd;
    const stale = await direct("1h", from, to).catch((error: unknown) => error);
    expect(isStaleRollupError(stale)).toBe(true);
    // Public reads fall back to aggregating on read: still the reference.
    const read = await queryCandles(client, {
      database,
      symbol: SOL.symbol,
      timeframe: "1h",
      from,
      to,
      limit: 10_000,
    });
    expect(read.candles).toEqual(referenceCandles(stored, SOL.symbol, "1m", "1h", from, to));
    // Buckets the hand-made write did not touch are served from rollups meanwhile.
    await expect(direct("1h", utc(2025, 3, 10), utc(2025, 3, 17))).resolves.toMatchObject({
      usesRollup: true,
    });

    // The periodic repair finds the tombstones the hand-made write left and refreshes their span.
    expect(await refreshStaleRollups(client, database)).toEqual([
      { symbol: SOL.symbol, base: "1m", fromMs: utc(2025, 3, 17), toMs: utc(2025, 3, 18, 10) + 1 },
    ]);
    expect(await refreshStaleRollups(client, database)).toEqual([]);
    await expectAllMatch([...v1, ...v2, ...v3]);
  });

  it("are backfilled for bars stored before the rollup migration", async () => {
    const old = `${database}_before_rollups`;
    const first = clickHouseMigrations.filter((m) => m.version === 1);
    await applyClickHouseMigrations(client, old, first);
    await insertRawBars(client, old, v1);
    const daily = makeBars(
      { symbol: "ETH-USD", asset_class: "crypto", timeframe: "1d", source: "binance", ingest_version: 1 },
      range(utc(2025, 3, 1), utc(2025, 4, 1), 24 * 60 * MIN),
      31,
      2_000,
    );
    await insertRawBars(client, old, daily);
    expect(await applyClickHouseMigrations(client, old)).toEqual([2]);
    // A daily series is rolled up to weeks only; the minute series to every rollup timeframe.
    const kinds = await client.query({
      query: `SELECT symbol, base, groupArray(DISTINCT timeframe) AS timeframes, max(stale) AS stale
        FROM ${old}.ohlcv_rollup GROUP BY symbol, base ORDER BY symbol`,
      format: "JSONEachRow",
    });
    expect(
      (await kinds.json<{ symbol: string; base: string; timeframes: string[]; stale: number }>()).map(
        (r) => ({
          ...r,
          timeframes: [...r.timeframes].sort(),
        }),
      ),
    ).toEqual([
      { symbol: "ETH-USD", base: "1d", timeframes: ["1w"], stale: 0 },
      { symbol: "SOL-USD", base: "1m", timeframes: ["1d", "1h", "1w", "4h"], stale: 0 },
    ]);
    const weeks = buildBarsSql({
      database: old,
      symbol: "ETH-USD",
      base: "1d",
      timeframe: "1w",
      fromMs: utc(2025, 3, 1),
      toMs: utc(2025, 4, 1),
    });
    expect(weeks.query).toContain("ohlcv_rollup");
    const weekRows = await (await client.query({ ...weeks, format: "JSONCompactEachRow" })).json<number[]>();
    expect(weekRows.map((r) => r[5])).toEqual(
      referenceCandles(daily, "ETH-USD", "1d", "1w", utc(2025, 3, 1), utc(2025, 4, 1)).map((c) => c.volume),
    );
    const { from, to } = RANGES.odd;
    for (const timeframe of ["1h", "1d"] as const) {
      const sql = buildBarsSql({
        database: old,
        symbol: SOL.symbol,
        base: "1m",
        timeframe,
        fromMs: from,
        toMs: to,
      });
      const rows = await (await client.query({ ...sql, format: "JSONCompactEachRow" })).json<number[]>();
      expect(rows.map((r) => r[5])).toEqual(
        referenceCandles(v1, SOL.symbol, "1m", timeframe, from, to).map((c) => c.volume),
      );
    }
    const series = await client.query({
      query: `SELECT symbol, timeframe FROM ${old}.ohlcv_series ORDER BY symbol`,
      format: "JSONEachRow",
    });
    expect(await series.json()).toEqual([
      { symbol: "ETH-USD", timeframe: "1d" },
      { symbol: "SOL-USD", timeframe: "1m" },
    ]);
    // A lost rollup table (or bars attached without an INSERT) is invisible to the views: whole
    // buckets go missing from coarse reads until everything is rebuilt.
    const hourly = async () => {
      const sql = buildBarsSql({
        database: old,
        symbol: SOL.symbol,
        base: "1m",
        timeframe: "1h",
        fromMs: from,
        toMs: to,
      });
      return (await (await client.query({ ...sql, format: "JSONCompactEachRow" })).json<number[]>()).length;
    };
    const complete = await hourly();
    await client.command({ query: `TRUNCATE TABLE ${old}.ohlcv_rollup` });
    expect(await hourly()).toBeLessThan(complete);
    await rebuildAllRollups(client, old);
    expect(await hourly()).toBe(complete);
    await client.command({ query: `DROP DATABASE ${old}` });
  });
});
