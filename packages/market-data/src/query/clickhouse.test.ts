import { type ClickHouseClient, createClient } from "@clickhouse/client-web";
import { REPRESENTABLE_TIME } from "@quantago/contracts";
import { rng } from "@quantago/strategies/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  candlesOfRows,
  DAY,
  dedupe,
  HOUR,
  insertRawBars,
  MIN,
  makeBars,
  type RawBar,
  range,
  referenceCandles,
  utc,
} from "../../test-fixtures/bars.ts";
import { openTestClickHouse, type TestClickHouse } from "../../test-fixtures/clickhouse.ts";
import { readBarsColumnar } from "../columnar/read.ts";
import { TIMEFRAMES, type Timeframe } from "../timeframes.ts";
import { baseTimeframe, type Candle, hasBars, queryCandles, withBaseTimeframe } from "./candles.ts";
import { listSymbols } from "./catalog.ts";
import { buildBarsSql, TimeframeTooFineError, withRollupFallback } from "./sql.ts";
import { queryTicksJson } from "./ticks-json.ts";

// A real engine (chdb through the devstack HTTP server, or CLICKHOUSE_URL) holding raw bars with gaps
// and re-ingested ranges; every result is checked against a reference computed here in plain JS.

const BTC = { symbol: "BTC-USD", asset_class: "crypto", timeframe: "1m", source: "binance" };
const BTC_START = utc(2024, 1, 24, 21, 37);
const BTC_END = utc(2024, 2, 7, 2, 11);
const gapRand = rng(7);
const btcTimes = range(BTC_START, BTC_END, MIN).filter(
  (t) =>
    !(t >= utc(2024, 1, 27, 5) && t < utc(2024, 1, 27, 8)) && // three missing hours
    !(t >= utc(2024, 1, 30) && t < utc(2024, 1, 31)) && // a missing day
    gapRand() > 0.02, // sparse missing minutes
);
const btcV1 = makeBars({ ...BTC, ingest_version: 1 }, btcTimes, 1, 42_000);
const btcV2 = makeBars(
  { ...BTC, ingest_version: 2 },
  range(utc(2024, 1, 29, 10), utc(2024, 1, 29, 14), MIN),
  2,
  43_000,
);
const btcV3 = makeBars(
  { ...BTC, ingest_version: 3 },
  range(utc(2024, 1, 29, 11), utc(2024, 1, 29, 11, 30), MIN),
  3,
  44_000,
);
// A late batch carrying an older version: must lose against v2.
const btcV0 = makeBars(
  { ...BTC, ingest_version: 0 },
  range(utc(2024, 1, 29, 12), utc(2024, 1, 29, 12, 10), MIN),
  4,
  1,
);
// Re-ingested across the month boundary (two partitions).
const btcV2b = makeBars(
  { ...BTC, ingest_version: 2, source: "yahoo" },
  range(utc(2024, 1, 31, 23, 30), utc(2024, 2, 1, 0, 30), MIN),
  5,
  45_000,
);
// The same bars written twice with the same version (an idempotent retry).
const btcRetry = btcV1.filter((b) => b.time >= utc(2024, 2, 2) && b.time < utc(2024, 2, 2, 1));

// ETH-USD: daily history plus one hour of minute bars: the base is the finest, 1m.
const ETH = { symbol: "ETH-USD", asset_class: "crypto", source: "binance", ingest_version: 1 };
const ethDaily = makeBars(
  { ...ETH, timeframe: "1d" },
  range(utc(2024, 1, 1), utc(2024, 1, 21), DAY),
  11,
  2_300,
);
const ethMinutes = makeBars(
  { ...ETH, timeframe: "1m" },
  range(utc(2024, 1, 25), utc(2024, 1, 25, 1), MIN),
  12,
  2_200,
);

// AAPL: hourly bars only, US session hours on weekdays.
const aaplTimes = range(utc(2024, 1, 22), utc(2024, 1, 27), HOUR).filter((t) => {
  const d = new Date(t);
  return d.getUTCDay() >= 1 && d.getUTCDay() <= 5 && d.getUTCHours() >= 14 && d.getUTCHours() < 21;
});
const aapl = makeBars(
  { symbol: "AAPL", asset_class: "stock", timeframe: "1h", source: "yahoo", ingest_version: 1 },
  aaplTimes,
  21,
  190,
);

// EUR/USD: five-minute bars (a symbol with a slash as a bound parameter).
const eurusd = makeBars(
  { symbol: "EUR/USD", asset_class: "forex", timeframe: "5m", source: "yahoo", ingest_version: 1 },
  range(utc(2024, 1, 25), utc(2024, 1, 26), 5 * MIN),
  31,
  1.09,
);

const batches: RawBar[][] = [
  btcV1.slice(0, 9_000),
  btcV1.slice(9_000),
  btcV2,
  btcV3,
  btcV0,
  btcV2b,
  btcRetry,
  ethDaily,
  ethMinutes,
  aapl,
  eurusd,
];

const ALL = dedupe(batches.flat());
const reference = (symbol: string, base: string, timeframe: Timeframe, from: number, to: number) =>
  referenceCandles(ALL, symbol, base, timeframe, from, to);

// ---- setup ---------------------------------------------------------------------------------------

let ch: TestClickHouse;
let client: ClickHouseClient;
let database: string;

beforeAll(async () => {
  ch = await openTestClickHouse();
  client = ch.client;
  database = ch.database;
  for (const batch of batches) await insertRawBars(client, database, batch);
}, 120_000);

afterAll(async () => {
  await ch?.close();
});

const WIDE = { from: utc(2024, 1, 1), to: utc(2024, 3, 1) };
const ODD = { from: utc(2024, 1, 25, 3, 17, 30), to: utc(2024, 2, 6, 19, 43) };

describe("queryCandles against ClickHouse", () => {
  it.each(TIMEFRAMES)(
    "aggregates 1m bars to %s exactly like the reference (whole range)",
    async (timeframe) => {
      const result = await queryCandles(client, {
        database,
        symbol: "BTC-USD",
        timeframe,
        ...WIDE,
        limit: 100_000,
      });
      expect(result.baseTimeframe).toBe("1m");
      expect(result.truncated).toBe(false);
      expect(result.nextFrom).toBeNull();
      expect(result.candles).toEqual(reference("BTC-USD", "1m", timeframe, WIDE.from, WIDE.to));
    },
  );

  it.each(TIMEFRAMES)(
    "keeps partial first and last %s buckets for a range inside buckets",
    async (timeframe) => {
      const result = await queryCandles(client, {
        database,
        symbol: "BTC-USD",
        timeframe,
        ...ODD,
        limit: 100_000,
      });
      const expected = reference("BTC-USD", "1m", timeframe, ODD.from, ODD.to);
      expect(result.candles).toEqual(expected);
      // Aggregated, the first bucket starts before `from` (it is partial); at the base timeframe the
      // first bar is the first one opening at or after `from`.
      const first = Date.parse(result.candles[0]?.timestamp ?? "");
      if (timeframe === "1m") expect(first).toBeGreaterThanOrEqual(ODD.from);
      else expect(first).toBeLessThan(ODD.from);
      expect(Date.parse(result.candles.at(-1)?.timestamp ?? "")).toBeLessThan(ODD.to);
    },
  );

  it("labels weeks by their Monday and days by UTC midnight", async () => {
    const weeks = await queryCandles(client, { database, symbol: "BTC-USD", timeframe: "1w", ...WIDE });
    expect(weeks.candles.map((c) => c.timestamp)).toEqual([
      "2024-01-22T00:00:00.000Z",
      "2024-01-29T00:00:00.000Z",
      "2024-02-05T00:00:00.000Z",
    ]);
    const days = await queryCandles(client, { database, symbol: "BTC-USD", timeframe: "1d", ...WIDE });
    expect(days.candles.every((c) => c.timestamp.endsWith("T00:00:00.000Z"))).toBe(true);
  });

  it("leaves gaps empty instead of inventing buckets", async () => {
    const hours = await queryCandles(client, {
      database,
      symbol: "BTC-USD",
      timeframe: "1h",
      from: utc(2024, 1, 27, 3),
      to: utc(2024, 1, 27, 10),
    });
    expect(hours.candles.map((c) => c.timestamp.slice(11, 16))).toEqual(["03:00", "04:00", "08:00", "09:00"]);
    const days = await queryCandles(client, { database, symbol: "BTC-USD", timeframe: "1d", ...WIDE });
    expect(days.candles.map((c) => c.timestamp.slice(0, 10))).not.toContain("2024-01-30");
  });

  it("returns only the newest ingest_version of re-ingested bars", async () => {
    const minutes = await queryCandles(client, {
      database,
      symbol: "BTC-USD",
      timeframe: "1m",
      from: utc(2024, 1, 29, 10),
      to: utc(2024, 1, 29, 14),
    });
    expect(minutes.candles).toHaveLength(240); // v2 filled the sparse gaps of v1 in that window
    const byTime = new Map(minutes.candles.map((c) => [Date.parse(c.timestamp), c]));
    expect(byTime.get(utc(2024, 1, 29, 10))?.open).toBe(btcV2[0]?.open);
    expect(byTime.get(utc(2024, 1, 29, 11))?.open).toBe(btcV3[0]?.open);
    expect(byTime.get(utc(2024, 1, 29, 12))?.open).toBe(btcV2[120]?.open); // v0 lost
    const boundary = await queryCandles(client, {
      database,
      symbol: "BTC-USD",
      timeframe: "1m",
      from: utc(2024, 1, 31, 23, 30),
      to: utc(2024, 2, 1, 0, 30),
    });
    expect(boundary.candles.map((c) => c.open)).toEqual(btcV2b.map((b) => b.open));
    const retried = await queryCandles(client, {
      database,
      symbol: "BTC-USD",
      timeframe: "1m",
      from: utc(2024, 2, 2),
      to: utc(2024, 2, 2, 1),
    });
    expect(retried.candles).toHaveLength(btcRetry.length);
  });

  it("treats the range as [from, to)", async () => {
    const t = btcV1[500]?.time ?? 0;
    const one = await queryCandles(client, {
      database,
      symbol: "BTC-USD",
      timeframe: "1m",
      from: t,
      to: t + MIN,
    });
    expect(one.candles.map((c) => Date.parse(c.timestamp))).toEqual([t]);
    const none = await queryCandles(client, {
      database,
      symbol: "BTC-USD",
      timeframe: "1m",
      from: t + 1,
      to: t + MIN,
    });
    expect(none.candles).toEqual([]);
  });

  it("fetches limit + 1 to flag truncation, and nextFrom pages through without gaps or overlap", async () => {
    const full = reference("BTC-USD", "1m", "4h", ODD.from, ODD.to);
    const first = await queryCandles(client, {
      database,
      symbol: "BTC-USD",
      timeframe: "4h",
      ...ODD,
      limit: 7,
    });
    expect(first.truncated).toBe(true);
    expect(first.candles).toEqual(full.slice(0, 7));
    expect(first.nextFrom).toBe(new Date(Date.parse(full[6]?.timestamp ?? "") + 4 * HOUR).toISOString());

    const pages: Candle[] = [...first.candles];
    let from = first.nextFrom;
    while (from !== null) {
      const page = await queryCandles(client, {
        database,
        symbol: "BTC-USD",
        timeframe: "4h",
        from,
        to: ODD.to,
        limit: 7,
      });
      pages.push(...page.candles);
      from = page.nextFrom;
    }
    expect(pages).toEqual(full);

    const exact = await queryCandles(client, {
      database,
      symbol: "BTC-USD",
      timeframe: "4h",
      ...ODD,
      limit: full.length,
    });
    expect(exact.truncated).toBe(false);
    expect(exact.nextFrom).toBeNull();
    expect(exact.candles).toHaveLength(full.length);
  });

  it("answers an unknown symbol with no candles, and binds hostile strings as values", async () => {
    for (const symbol of ["NOPE", "BTC-USD' OR 1=1 --", "x\\'; DROP TABLE ohlcv"]) {
      const result = await queryCandles(client, { database, symbol, timeframe: "1h", ...WIDE });
      expect(result).toEqual({ candles: [], truncated: false, nextFrom: null, baseTimeframe: null });
    }
    // With the base forced, the bar query itself also binds the symbol.
    const forced = await queryCandles(client, {
      database,
      symbol: "BTC-USD' OR '1'='1",
      timeframe: "1h",
      base: "1m",
      ...WIDE,
    });
    expect(forced.candles).toEqual([]);
  });

  it("rejects a timeframe finer than the stored base with TimeframeTooFineError", async () => {
    await expect(
      queryCandles(client, { database, symbol: "AAPL", timeframe: "15m", ...WIDE }),
    ).rejects.toBeInstanceOf(TimeframeTooFineError);
    await expect(
      queryCandles(client, { database, symbol: "AAPL", timeframe: "15m", ...WIDE }),
    ).rejects.toMatchObject({
      requested: "15m",
      base: "1h",
    });
    const daily = await queryCandles(client, { database, symbol: "AAPL", timeframe: "1d", ...WIDE });
    expect(daily.candles).toEqual(reference("AAPL", "1h", "1d", WIDE.from, WIDE.to));
    const fx = await queryCandles(client, { database, symbol: "EUR/USD", timeframe: "30m", ...WIDE });
    expect(fx.candles).toEqual(reference("EUR/USD", "5m", "30m", WIDE.from, WIDE.to));
  });

  it("validates arguments", async () => {
    const q = { database, symbol: "BTC-USD", timeframe: "1h" as const };
    await expect(queryCandles(client, { ...q, from: WIDE.to, to: WIDE.from })).rejects.toThrow(RangeError);
    await expect(queryCandles(client, { ...q, from: "yesterday", to: WIDE.to })).rejects.toThrow(RangeError);
    await expect(queryCandles(client, { ...q, ...WIDE, limit: 0 })).rejects.toThrow(RangeError);
    await expect(queryCandles(client, { ...q, ...WIDE, database: "x; DROP" })).rejects.toThrow(RangeError);
  });

  it("does not depend on the session time zone", async () => {
    const tokyo = createClient({
      url: ch.url,
      username: process.env.CLICKHOUSE_USERNAME ?? "default",
      password: process.env.CLICKHOUSE_PASSWORD ?? "",
      database: "default",
      clickhouse_settings: { session_timezone: "Asia/Kolkata" },
    });
    try {
      for (const timeframe of ["1h", "4h", "1d", "1w"] as const) {
        const result = await queryCandles(tokyo, { database, symbol: "BTC-USD", timeframe, ...ODD });
        expect(result.candles).toEqual(reference("BTC-USD", "1m", timeframe, ODD.from, ODD.to));
      }
    } finally {
      await tokyo.close();
    }
  });
});

describe("baseTimeframe and listSymbols", () => {
  it("picks the finest stored timeframe", async () => {
    expect(await baseTimeframe(client, "BTC-USD", { database })).toBe("1m");
    expect(await baseTimeframe(client, "ETH-USD", { database })).toBe("1m");
    expect(await baseTimeframe(client, "AAPL", { database })).toBe("1h");
    expect(await baseTimeframe(client, "EUR/USD", { database })).toBe("5m");
    expect(await baseTimeframe(client, "NOPE", { database })).toBeNull();
  });

  it("lists every series with deduplicated counts", async () => {
    const iso = (t: number) => new Date(t).toISOString();
    const series = (symbol: string, timeframe: string) =>
      ALL.filter((b) => b.symbol === symbol && b.timeframe === timeframe).sort((a, b) => a.time - b.time);
    const btc = series("BTC-USD", "1m");
    const expected = [
      ["AAPL", "stock", "yahoo", "1h", series("AAPL", "1h")],
      ["BTC-USD", "crypto", "binance", "1m", btc],
      ["ETH-USD", "crypto", "binance", "1m", series("ETH-USD", "1m")],
      ["ETH-USD", "crypto", "binance", "1d", series("ETH-USD", "1d")],
      ["EUR/USD", "forex", "yahoo", "5m", series("EUR/USD", "5m")],
    ] as const;
    expect(await listSymbols(client, { database })).toEqual(
      expected.map(([symbol, assetClass, source, timeframe, bars]) => ({
        symbol,
        assetClass,
        source,
        timeframe,
        firstBar: iso(bars[0]?.time ?? 0),
        lastBar: iso(bars.at(-1)?.time ?? 0),
        barCount: bars.length,
      })),
    );
    // The raw table really holds duplicates, so the count above is the deduplicated one.
    const raw = await client.query({
      query: `SELECT count() AS n FROM ${database}.ohlcv WHERE symbol = 'BTC-USD'`,
      format: "JSONEachRow",
    });
    expect(Number((await raw.json<{ n: string }>())[0]?.n)).toBeGreaterThan(btc.length);
  });
});

/** Stores bars of `symbol` at `timeframe` at the given times (a test series of its own). */
function insertSeries(symbol: string, timeframe: string, times: number[]) {
  return insertRawBars(
    client,
    database,
    makeBars({ symbol, asset_class: "crypto", timeframe, source: "test", ingest_version: 1 }, times, 5, 10),
  );
}

// After "baseTimeframe and listSymbols": the series written here would show up in that catalog.
describe("withBaseTimeframe", () => {
  it("reads with the looked-up base, guessing it from the last request and redoing a wrong guess", async () => {
    const symbol = "SPEC-USD";
    const insert = (timeframe: string, times: number[]) => insertSeries(symbol, timeframe, times);
    const calls: string[] = [];
    const read = async (base: Timeframe) => {
      calls.push(base);
      if (base === "1h") throw new Error("read with 1h");
      return `read with ${base}`;
    };
    expect(await withBaseTimeframe(client, symbol, { database }, read)).toEqual({ base: null });
    expect(calls).toEqual([]);

    await insert("5m", range(utc(2024, 5, 1), utc(2024, 5, 2), 5 * MIN));
    expect(await withBaseTimeframe(client, symbol, { database }, read)).toEqual({
      base: "5m",
      result: "read with 5m",
    });
    expect(calls).toEqual(["5m"]); // nothing to guess from yet: lookup, then read
    await withBaseTimeframe(client, symbol, { database }, read);
    expect(calls).toEqual(["5m", "5m"]); // a right guess: one read, no second round

    // Coarser data does not change the base; finer data does, and the wrong guess is redone.
    await insert("1h", range(utc(2024, 5, 2), utc(2024, 5, 3), HOUR));
    await withBaseTimeframe(client, symbol, { database }, read);
    expect(calls).toEqual(["5m", "5m", "5m"]);
    await insert("1m", range(utc(2024, 5, 3), utc(2024, 5, 3, 1), MIN));
    expect(await withBaseTimeframe(client, symbol, { database }, read)).toEqual({
      base: "1m",
      result: "read with 1m",
    });
    expect(calls).toEqual(["5m", "5m", "5m", "5m", "1m"]);

    // The error of a wrong guess is dropped; the error of the right base is the caller's.
    const failing = async (base: Timeframe) => {
      calls.push(base);
      throw new Error(`failed with ${base}`);
    };
    await expect(withBaseTimeframe(client, symbol, { database }, failing)).rejects.toThrow("failed with 1m");
  });
});

describe("hasBars", () => {
  it("answers for the symbol's current base, also when the base last seen was another", async () => {
    const symbol = "SPEC-PRESENT";
    const insert = (timeframe: string, times: number[]) => insertSeries(symbol, timeframe, times);
    const present = (timeframe: Timeframe, from: number, to: number) =>
      hasBars(client, { database, symbol, timeframe, from: new Date(from), to: new Date(to) });
    expect(await present("1h", utc(2024, 5, 1), utc(2024, 5, 2))).toBe(false); // nothing stored

    await insert("5m", range(utc(2024, 5, 1), utc(2024, 5, 2), 5 * MIN));
    expect(await present("1h", utc(2024, 5, 1), utc(2024, 5, 2))).toBe(true);
    expect(await present("1h", utc(2024, 5, 2), utc(2024, 5, 3))).toBe(false); // after the last bar
    await expect(present("1m", utc(2024, 5, 1), utc(2024, 5, 2))).rejects.toThrow(TimeframeTooFineError);

    // Finer bars make 1m the base: the check made with the 5m last seen (no 5m bars on May 3) is
    // redone with 1m.
    await insert("1m", range(utc(2024, 5, 3), utc(2024, 5, 3, 1), MIN));
    expect(await present("1h", utc(2024, 5, 3), utc(2024, 5, 4))).toBe(true);
    expect(await present("1m", utc(2024, 5, 3), utc(2024, 5, 4))).toBe(true);
  });
});

describe("readBarsColumnar against ClickHouse", () => {
  it.each(TIMEFRAMES)("decodes %s bars bit-identical to ClickHouse's JSON output", async (timeframe) => {
    // The same statement as JSON: both library paths use binary transports, this is the cross-check.
    const options = {
      database,
      symbol: "BTC-USD",
      base: "1m" as const,
      timeframe,
      fromMs: ODD.from,
      toMs: ODD.to,
    };
    const rows = await withRollupFallback(options, async (o) =>
      (await client.query({ ...buildBarsSql(o), format: "JSONCompactEachRow" })).json<number[]>(),
    );
    const json = {
      candles: candlesOfRows(rows),
    };
    expect(json.candles.length).toBeGreaterThan(0);
    const limit = 100_000;
    expect(
      (await queryCandles(client, { database, symbol: "BTC-USD", timeframe, ...ODD, limit })).candles,
    ).toEqual(json.candles);
    const bars = await readBarsColumnar(client, { database, symbol: "BTC-USD", timeframe, ...ODD });
    expect(bars.count).toBe(json.candles.length);
    expect(bars.truncated).toBe(false);
    expect(bars.baseTimeframe).toBe("1m");
    for (const column of [bars.time, bars.open, bars.high, bars.low, bars.close, bars.volume]) {
      expect(column).toBeInstanceOf(Float64Array);
      expect(column.length).toBe(bars.count);
    }
    const mismatches: string[] = [];
    json.candles.forEach((c, i) => {
      const row = [bars.time[i], bars.open[i], bars.high[i], bars.low[i], bars.close[i], bars.volume[i]];
      const want = [Date.parse(c.timestamp), c.open, c.high, c.low, c.close, c.volume];
      // Object.is: same double bit for bit (JSON output round-trips shortest decimal forms exactly).
      if (!row.every((v, k) => Object.is(v, want[k]))) mismatches.push(`${i}: ${row} != ${want}`);
    });
    expect(mismatches).toEqual([]);
  });

  it("returns exact-length columns and flags a limit", async () => {
    const all = await readBarsColumnar(client, { database, symbol: "BTC-USD", timeframe: "1h", ...ODD });
    const cut = await readBarsColumnar(client, {
      database,
      symbol: "BTC-USD",
      timeframe: "1h",
      ...ODD,
      limit: 10,
    });
    expect(cut.count).toBe(10);
    expect(cut.truncated).toBe(true);
    expect(cut.time.length).toBe(10);
    expect(cut.time.buffer.byteLength).toBe(80);
    expect([...cut.close]).toEqual([...all.close.subarray(0, 10)]);
    const exact = await readBarsColumnar(client, {
      database,
      symbol: "BTC-USD",
      timeframe: "1h",
      ...ODD,
      limit: all.count,
    });
    expect(exact.truncated).toBe(false);
    expect(exact.count).toBe(all.count);
  });

  it("returns empty columns for an unknown symbol and rejects a too-fine timeframe", async () => {
    const none = await readBarsColumnar(client, { database, symbol: "NOPE", timeframe: "1m", ...WIDE });
    expect(none.count).toBe(0);
    expect(none.time.length).toBe(0);
    expect(none.baseTimeframe).toBeNull();
    await expect(
      readBarsColumnar(client, { database, symbol: "AAPL", timeframe: "5m", ...WIDE }),
    ).rejects.toBeInstanceOf(TimeframeTooFineError);
  });

  it("surfaces a server error instead of decoding it as bars", async () => {
    // A table that does not exist: the error must arrive as an exception, not as garbage rows.
    await expect(
      readBarsColumnar(client, {
        database: "no_such_db_here",
        symbol: "BTC-USD",
        timeframe: "1h",
        base: "1m",
        ...WIDE,
      }),
    ).rejects.toThrow(/no_such_db_here|UNKNOWN_DATABASE|doesn't exist|does not exist/i);
  });
});

describe("queryTicksJson against ClickHouse", () => {
  const parse = (json: Uint8Array) => JSON.parse(new TextDecoder().decode(json)) as Candle[];

  it.each(TIMEFRAMES)("formats %s candles that parse to exactly queryCandles' values", async (timeframe) => {
    const expected = reference("BTC-USD", "1m", timeframe, ODD.from, ODD.to);
    const json = await queryTicksJson(client, {
      database,
      symbol: "BTC-USD",
      base: "1m",
      timeframe,
      fromMs: ODD.from,
      toMs: ODD.to,
    });
    expect(json.count).toBe(expected.length);
    const candles = parse(json.json);
    // Key order too: the wire object is built by ClickHouse, not by us.
    expect(candles.map((c) => Object.keys(c).join())).toEqual(
      expected.map(() => "timestamp,open,high,low,close,volume"),
    );
    const bits = (c: Candle) => [c.timestamp, c.open, c.high, c.low, c.close, c.volume];
    const mismatches = candles.filter((c, i) => {
      const want = bits(expected[i] as Candle);
      return !bits(c).every((v, k) => Object.is(v, want[k]));
    });
    expect(mismatches).toEqual([]);
  });

  it("counts past a limit and writes an empty array for an empty range", async () => {
    const cut = await queryTicksJson(client, {
      database,
      symbol: "BTC-USD",
      base: "1m",
      timeframe: "1h",
      ...{ fromMs: WIDE.from, toMs: WIDE.to },
      limit: 11,
    });
    expect(cut.count).toBe(11);
    expect(parse(cut.json)).toHaveLength(11);
    const empty = await queryTicksJson(client, {
      database,
      symbol: "BTC-USD",
      base: "1m",
      timeframe: "1m",
      fromMs: utc(2030, 1, 1),
      toMs: utc(2030, 1, 2),
    });
    expect(empty.count).toBe(0);
    expect(parse(empty.json)).toEqual([]);
  });
});

describe("buildBarsSql", () => {
  it("interpolates nothing but the whitelisted bucket and the validated table", () => {
    const T = Date.UTC(2024, 0, 1);
    const sql = buildBarsSql({
      database: "market_data",
      symbol: "EVIL' --",
      base: "1m",
      timeframe: "1w",
      fromMs: T,
      toMs: T + 1,
      limit: 5,
    });
    expect(sql.query).not.toContain("EVIL");
    expect(sql.query).toContain("market_data.ohlcv FINAL");
    expect(sql.query).toContain("toStartOfWeek(time, 1, 'UTC')");
    expect(sql.query_params).toEqual({ symbol: "EVIL' --", base: "1m", from: T, to: T + 1, limit: 5 });
    expect(() =>
      buildBarsSql({ symbol: "X", base: "1m", timeframe: "2h" as Timeframe, fromMs: 0, toMs: 1 }),
    ).toThrow(RangeError);
  });

  it("reads only storable times, whatever range it is given", () => {
    const { fromMs, toMs } = REPRESENTABLE_TIME;
    const params = (from: number, to: number) =>
      buildBarsSql({ symbol: "X", base: "1m", timeframe: "1m", fromMs: from, toMs: to }).query_params;
    expect(params(0, 9_000_000_000_000_000)).toMatchObject({ from: fromMs, to: toMs });
    expect(params(-62_167_219_200_000, 0)).toMatchObject({ from: fromMs, to: fromMs });
    expect(params(toMs + 5, toMs + 9)).toMatchObject({ from: toMs + 5, to: toMs + 5 });
    expect(params(fromMs + 60_000, toMs - 60_000)).toMatchObject({
      from: fromMs + 60_000,
      to: toMs - 60_000,
    });
  });
});
