import { env } from "cloudflare:workers";
import { MAX_TICKS_PER_RESPONSE } from "@quantago/contracts";
import { readBarsColumnar, sliceBoundaries, writeSyntheticBars } from "@quantago/market-data";
import { beforeAll, describe, expect, it } from "vitest";
import { scheduledRollupRepair } from "../src/scheduled.ts";
import { api, expectError, testClickHouse } from "./helpers.ts";
import { BINANCE_PAGE_START } from "./recorded-providers.ts";

const MIN = 60_000;
const START = Date.UTC(2025, 0, 6, 0, 0); // a Monday
const SYMBOL = `MD${crypto.randomUUID().slice(0, 6).toUpperCase()}`;
/** 3 days of 1m bars with a 90-minute gap on day 2, so some hourly buckets are partial or missing. */
const GAP_FROM = START + 26 * 60 * MIN;
const GAP_TO = GAP_FROM + 90 * MIN;

interface Bar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}
const bars: Bar[] = [];
for (let t = START; t < START + 3 * 24 * 60 * MIN; t += MIN) {
  if (t >= GAP_FROM && t < GAP_TO) continue;
  const i = (t - START) / MIN;
  const open = 100 + Math.sin(i / 50) * 5;
  bars.push({
    time: t,
    open,
    high: open + 1 + (i % 3),
    low: open - 1 - (i % 5),
    close: open + 0.25,
    volume: 1 + (i % 7),
  });
}

/** Reference aggregation in plain JS: first open, max high, min low, last close, sum volume. */
function aggregate(from: number, to: number, bucketMs: number) {
  const out = new Map<number, Bar>();
  for (const b of bars.filter((x) => x.time >= from && x.time < to)) {
    const key = Math.floor(b.time / bucketMs) * bucketMs;
    const cur = out.get(key);
    if (!cur) out.set(key, { ...b, time: key });
    else {
      cur.high = Math.max(cur.high, b.high);
      cur.low = Math.min(cur.low, b.low);
      cur.close = b.close;
      cur.volume += b.volume;
    }
  }
  return [...out.values()].map((b) => ({
    timestamp: new Date(b.time).toISOString(),
    open: b.open,
    high: b.high,
    low: b.low,
    close: b.close,
    volume: b.volume,
  }));
}

function ticks(params: Record<string, string>) {
  return api(`/api/market-data/ticks?${new URLSearchParams(params)}`);
}

beforeAll(async () => {
  const ch = testClickHouse();
  try {
    await ch.insert({
      table: "ohlcv",
      format: "JSONEachRow",
      values: bars.map((b) => ({
        symbol: SYMBOL,
        asset_class: "stock",
        timeframe: "1m",
        time: b.time,
        open: b.open,
        high: b.high,
        low: b.low,
        close: b.close,
        volume: b.volume,
        source: "test",
        ingest_version: 1,
      })),
      clickhouse_settings: { date_time_input_format: "best_effort" },
    });
  } finally {
    await ch.close();
  }
});

describe("GET /api/market-data/ticks from ClickHouse", () => {
  it("aggregates stored 1m bars to 1h without a session, ClickHouse being the default provider", async () => {
    const from = START + 30 * MIN; // partial first bucket
    const to = START + 30 * 60 * MIN + 15 * MIN; // partial last bucket, gap inside
    const res = await ticks({
      symbol: SYMBOL,
      startDate: new Date(from).toISOString(),
      endDate: new Date(to).toISOString(),
      timeframe: "1h",
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      provider: string;
      assetClass: string;
      timeframe: string;
      ticks: unknown[];
    };
    expect(body).toMatchObject({
      symbol: SYMBOL,
      provider: "clickhouse",
      assetClass: "stock",
      timeframe: "1h",
    });
    expect(body.ticks).toEqual(aggregate(from, to, 60 * MIN));
  });

  it("serves plain dates as UTC days and 1d buckets", async () => {
    const res = await ticks({
      symbol: SYMBOL,
      startDate: "2025-01-06",
      endDate: "2025-01-09",
      timeframe: "1d",
    });
    const body = (await res.json()) as { ticks: unknown[] };
    expect(body.ticks).toEqual(aggregate(START, START + 3 * 24 * 60 * MIN, 24 * 60 * MIN));
  });

  it("answers 400 with how to narrow when the range holds too many candles", async () => {
    const dense = `${SYMBOL}X`;
    const ch = testClickHouse();
    try {
      await ch.command({
        query: `INSERT INTO ohlcv SELECT {symbol:String}, 'crypto', '1m',
                  toDateTime64('2024-01-01 00:00:00', 3, 'UTC') + number * 60, 1, 2, 0.5, 1.5, 1, 'test', 1
                FROM numbers({n:UInt32})`,
        query_params: { symbol: dense, n: MAX_TICKS_PER_RESPONSE + 1 },
      });
    } finally {
      await ch.close();
    }
    const body = await expectError(
      await ticks({ symbol: dense, startDate: "2024-01-01", endDate: "2025-01-01", timeframe: "1m" }),
      400,
      "VALIDATION_FAILED",
    );
    expect(body.error.message).toMatch(/narrow .*coarser timeframe/i);
    // One candle fewer fits: exactly the limit is served.
    const res = await ticks({
      symbol: dense,
      startDate: "2024-01-01",
      endDate: new Date(Date.UTC(2024, 0, 1) + MAX_TICKS_PER_RESPONSE * MIN).toISOString(),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { ticks: unknown[] }).ticks).toHaveLength(MAX_TICKS_PER_RESPONSE);
  });

  it("refuses a timeframe finer than what is stored", async () => {
    const ch = testClickHouse();
    const daily = `${SYMBOL}D`;
    try {
      await ch.insert({
        table: "ohlcv",
        format: "JSONEachRow",
        values: [
          {
            symbol: daily,
            asset_class: "stock",
            timeframe: "1d",
            time: START,
            open: 1,
            high: 2,
            low: 0.5,
            close: 1.5,
            volume: 10,
            source: "test",
            ingest_version: 1,
          },
        ],
      });
    } finally {
      await ch.close();
    }
    const body = await expectError(
      await ticks({
        symbol: daily,
        startDate: "2025-01-01",
        endDate: "2025-02-01",
        timeframe: "1h",
        provider: "clickhouse",
      }),
      400,
      "VALIDATION_FAILED",
    );
    expect(body.error.message).toContain("1d");
  });

  it("answers 404 for a symbol without stored data when ClickHouse is asked for", async () => {
    await expectError(
      await ticks({
        symbol: "NOSUCH",
        startDate: "2025-01-01",
        endDate: "2025-01-02",
        provider: "clickhouse",
      }),
      404,
      "NOT_FOUND",
    );
  });

  it("returns an empty list for a stored symbol outside its data range", async () => {
    const res = await ticks({ symbol: SYMBOL, startDate: "2020-01-01", endDate: "2020-01-02" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { ticks: unknown[] }).ticks).toEqual([]);
  });
});

describe("GET /api/market-data/ticks validation", () => {
  const valid = { symbol: "AAPL", startDate: "2025-01-01", endDate: "2025-01-02" };
  const cases: Array<[string, Record<string, string>, string]> = [
    ["missing symbol", { startDate: "2025-01-01", endDate: "2025-01-02" }, "symbol"],
    ["missing startDate", { symbol: "AAPL", endDate: "2025-01-02" }, "startDate"],
    ["missing endDate", { symbol: "AAPL", startDate: "2025-01-01" }, "endDate"],
    ["malformed date", { ...valid, startDate: "01/02/2025" }, "startDate"],
    ["impossible date", { ...valid, startDate: "2025-02-30T00:00:00Z" }, "startDate"],
    ["start after end", { ...valid, startDate: "2025-01-03" }, "endDate"],
    ["start equals end", { ...valid, endDate: "2025-01-01" }, "endDate"],
    ["unknown timeframe", { ...valid, timeframe: "2h" }, "timeframe"],
    ["unknown provider", { ...valid, provider: "bloomberg" }, "provider"],
    ["unknown asset class", { ...valid, assetClass: "bonds" }, "assetClass"],
    ["hostile symbol", { ...valid, symbol: "AAPL'; DROP TABLE ohlcv--" }, "symbol"],
  ];
  for (const [name, params, path] of cases) {
    it(`rejects ${name} with the issue on ${path}`, async () => {
      const body = await expectError(await ticks(params), 400, "VALIDATION_FAILED");
      expect(body.error.issues?.map((i) => i.path[0])).toContain(path);
    });
  }

  it("rejects a range starting in the future", async () => {
    const next = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const later = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const body = await expectError(
      await ticks({ symbol: SYMBOL, startDate: next, endDate: later }),
      400,
      "VALIDATION_FAILED",
    );
    expect(body.error.issues?.[0]?.path).toEqual(["startDate"]);
  });
});

describe("GET /api/market-data/ticks from live providers (recorded responses)", () => {
  it("normalizes Yahoo daily forex candles", async () => {
    const res = await ticks({
      symbol: "EUR/USD",
      startDate: "2024-06-01",
      endDate: "2024-06-08",
      timeframe: "1d",
      provider: "yahoo",
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      provider: string;
      assetClass: string;
      ticks: Array<{ timestamp: string; close: number }>;
    };
    expect(body.provider).toBe("yahoo");
    expect(body.assetClass).toBe("forex");
    expect(body.ticks.length).toBeGreaterThan(0);
    const times = body.ticks.map((t) => Date.parse(t.timestamp));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const t of body.ticks) expect(t.timestamp.endsWith("T00:00:00.000Z")).toBe(true);
  });

  it("normalizes Binance klines for BTC-USD (mapped to BTCUSDT)", async () => {
    const res = await ticks({
      symbol: "BTC-USD",
      startDate: new Date(BINANCE_PAGE_START).toISOString(),
      endDate: new Date(BINANCE_PAGE_START + 5 * MIN).toISOString(),
      provider: "binance",
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { assetClass: string; ticks: Array<{ timestamp: string }> };
    expect(body.assetClass).toBe("crypto");
    expect(body.ticks.map((t) => Date.parse(t.timestamp))).toEqual(
      Array.from({ length: 5 }, (_, i) => BINANCE_PAGE_START + i * MIN),
    );
  });

  it("turns a provider rate limit into 429 with Retry-After", async () => {
    const res = await ticks({
      symbol: "LIMITED-USD",
      startDate: "2024-01-05",
      endDate: "2024-01-06",
      provider: "binance",
    });
    await expectError(res, 429, "RATE_LIMITED");
    expect(res.headers.get("Retry-After")).toBe("9");
  });

  it("turns a provider failure into 502 without leaking its body", async () => {
    const res = await ticks({
      symbol: "BROKEN",
      startDate: "2024-01-05",
      endDate: "2024-01-06",
      timeframe: "1d",
      provider: "yahoo",
    });
    const body = await expectError(res, 502, "UPSTREAM_FAILED");
    expect(body.error.message).not.toMatch(/<html|stack|127\.0\.0\.1/i);
  });

  it("answers 404 for a symbol the provider does not know", async () => {
    await expectError(
      await ticks({
        symbol: "ZZZZQ",
        startDate: "2024-01-05",
        endDate: "2024-01-06",
        timeframe: "1d",
        provider: "yahoo",
      }),
      404,
      "NOT_FOUND",
    );
  });
});

describe("rollup repair (cron)", () => {
  it("refreshes the rollups hand-inserted bars left stale, and the candles stay the same", async () => {
    const params = {
      symbol: SYMBOL,
      startDate: new Date(START + 30 * MIN).toISOString(),
      endDate: new Date(START + 2 * 24 * 60 * MIN).toISOString(),
      timeframe: "1h",
    };
    const before = await (await ticks(params)).json();
    const ch = testClickHouse();
    const rollupRows = async () => {
      const rows = await ch.query({
        query: `SELECT stale, count() AS n FROM (SELECT stale FROM ohlcv_rollup FINAL WHERE symbol = {symbol:String})
          GROUP BY stale ORDER BY stale`,
        query_params: { symbol: SYMBOL },
        format: "JSONEachRow",
      });
      return (await rows.json<{ stale: number; n: string }>()).map((r) => [Number(r.stale), Number(r.n)]);
    };
    try {
      // beforeAll inserted the bars by hand: every rollup bucket they touch is a tombstone.
      expect((await rollupRows()).map(([stale]) => stale)).toEqual([1]);
      await scheduledRollupRepair(env);
      const after = await rollupRows();
      expect(after.map(([stale]) => stale)).toEqual([0]);
      expect(after[0]?.[1]).toBeGreaterThan(0);
    } finally {
      await ch.close();
    }
    expect(await (await ticks(params)).json()).toEqual(before);
  });
});

describe("GET /api/market-data/columns", () => {
  it("returns stored bars as binary columns identical to the JSON candles", async () => {
    const params = { symbol: SYMBOL, startDate: "2025-01-06", endDate: "2025-01-08", timeframe: "15m" };
    const res = await api(`/api/market-data/columns?${new URLSearchParams(params)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("application/vnd.quantago.columns");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe("QGC1");
    const n = new DataView(bytes.buffer).getUint32(4, true);
    // Streamed through a fixed-length stream (over HTTP it carries Content-Length = 8 + 48 n).
    expect(bytes.length).toBe(8 + 48 * n);
    const column = (i: number) => new Float64Array(bytes.slice(8 + i * 8 * n, 8 + (i + 1) * 8 * n).buffer);
    const expected = aggregate(START, START + 2 * 24 * 60 * MIN, 15 * MIN);
    expect(n).toBe(expected.length);
    expect(Array.from(column(0))).toEqual(expected.map((c) => Date.parse(c.timestamp)));
    expect(Array.from(column(1))).toEqual(expected.map((c) => c.open));
    expect(Array.from(column(4))).toEqual(expected.map((c) => c.close));
    expect(Array.from(column(5))).toEqual(expected.map((c) => c.volume));
  });

  it("assembles a range long enough to be read in slices, byte for byte as one read", async () => {
    // 250,000 one-minute bars: read as two concurrent slices (each at least 100,000 buckets).
    const symbol = `${SYMBOL}-S`;
    const fromMs = Date.UTC(2024, 0, 1);
    const count = 250_000;
    const ch = testClickHouse();
    let whole: Awaited<ReturnType<typeof readBarsColumnar>>;
    try {
      await writeSyntheticBars(ch, {
        symbol,
        assetClass: "crypto",
        fromMs,
        count,
        seed: 9,
        database: env.CLICKHOUSE_DB,
      });
      whole = await readBarsColumnar(ch, {
        symbol,
        timeframe: "1m",
        from: fromMs,
        to: fromMs + count * MIN,
        database: env.CLICKHOUSE_DB,
      });
    } finally {
      await ch.close();
    }
    expect(sliceBoundaries(fromMs, fromMs + count * MIN, "1m", 4)).toHaveLength(3);
    const params = {
      symbol,
      startDate: new Date(fromMs).toISOString(),
      endDate: new Date(fromMs + count * MIN).toISOString(),
      timeframe: "1m",
    };
    const res = await api(`/api/market-data/columns?${new URLSearchParams(params)}`);
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(new DataView(bytes.buffer).getUint32(4, true)).toBe(count);
    expect(whole.count).toBe(count);
    const expected = new Uint8Array(8 + 48 * count);
    expected.set(bytes.subarray(0, 8));
    [whole.time, whole.open, whole.high, whole.low, whole.close, whole.volume].forEach((column, k) => {
      expected.set(new Uint8Array(column.buffer), 8 + k * 8 * count);
    });
    expect(bytes.length).toBe(expected.length);
    expect(bytes.findIndex((byte, i) => byte !== expected[i])).toBe(-1);
  });

  it("returns a header with zero bars for a stored symbol outside its data range", async () => {
    const params = { symbol: SYMBOL, startDate: "2020-01-01", endDate: "2020-01-02", timeframe: "1m" };
    const res = await api(`/api/market-data/columns?${new URLSearchParams(params)}`);
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes.length).toBe(8);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe("QGC1");
    expect(new DataView(bytes.buffer).getUint32(4, true)).toBe(0);
  });

  it("follows a symbol whose base timeframe gets finer between requests", async () => {
    const symbol = `${SYMBOL}B`;
    const insert = async (timeframe: string, stepMs: number, count: number) => {
      const ch = testClickHouse();
      try {
        await ch.insert({
          table: "ohlcv",
          format: "JSONEachRow",
          values: Array.from({ length: count }, (_, i) => ({
            symbol,
            asset_class: "stock",
            timeframe,
            time: START + i * stepMs,
            open: 1 + i,
            high: 2 + i,
            low: 0.5 + i,
            close: 1.5 + i,
            volume: 10,
            source: "test",
            ingest_version: 1,
          })),
        });
      } finally {
        await ch.close();
      }
    };
    const columns = () =>
      api(
        `/api/market-data/columns?${new URLSearchParams({ symbol, startDate: "2025-01-06", endDate: "2025-01-07", timeframe: "15m" })}`,
      );
    await insert("1h", 60 * MIN, 24);
    // Twice: the second request starts its read with the base remembered from the first.
    for (let i = 0; i < 2; i++) await expectError(await columns(), 400, "VALIDATION_FAILED");
    await insert("5m", 5 * MIN, 12);
    const res = await columns();
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(new DataView(bytes.buffer).getUint32(4, true)).toBe(4); // one hour of 5m bars in 15m buckets
  });

  it("answers 404 for a symbol without stored data and 400 for a bad range", async () => {
    await expectError(
      await api("/api/market-data/columns?symbol=NOSUCH&startDate=2025-01-01&endDate=2025-01-02"),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await api(`/api/market-data/columns?symbol=${SYMBOL}&startDate=2025-01-02&endDate=2025-01-01`),
      400,
      "VALIDATION_FAILED",
    );
  });
});

describe("catalog routes", () => {
  it("lists stored symbols with their range and count", async () => {
    const res = await api("/api/market-data/symbols");
    expect(res.status).toBe(200);
    const { symbols } = (await res.json()) as { symbols: Array<Record<string, unknown>> };
    expect(symbols.find((s) => s.symbol === SYMBOL)).toEqual({
      symbol: SYMBOL,
      assetClass: "stock",
      source: "test",
      timeframe: "1m",
      firstBar: new Date(bars[0]?.time ?? 0).toISOString(),
      lastBar: new Date(bars.at(-1)?.time ?? 0).toISOString(),
      barCount: bars.length,
    });
  });

  it("lists the supported timeframes", async () => {
    const res = await api("/api/market-data/timeframes");
    const body = (await res.json()) as { timeframes: Array<{ id: string; ms: number }> };
    expect(body.timeframes.map((t) => t.id)).toEqual(["1m", "5m", "15m", "30m", "1h", "4h", "1d", "1w"]);
    expect(body.timeframes.find((t) => t.id === "1h")?.ms).toBe(3_600_000);
  });
});
