import { afterEach, describe, expect, it } from "vitest";
import { type FixtureAnswer, fixture, startFixtureServer } from "../../test-fixtures/fixture-server.ts";
import { RequestCache } from "./cache.ts";
import { ProviderError } from "./errors.ts";
import { toWireCandles } from "./types.ts";
import { createYahooProvider, type YahooProviderOptions } from "./yahoo.ts";

const utc = (iso: string) => Date.parse(iso);
const NOW = utc("2024-01-06T00:00:00Z");

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function yahooAt(route: (url: URL) => FixtureAnswer, options: YahooProviderOptions = {}) {
  const server = await startFixtureServer(route);
  close = server.close;
  const yahoo = createYahooProvider({ baseUrl: server.url, now: () => NOW, ...options });
  return { yahoo, requests: server.requests };
}

async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe("Yahoo provider", () => {
  it("builds the chart URL and normalizes 1m bars: nulls skipped, repeated bar deduplicated, ascending", async () => {
    const { yahoo, requests } = await yahooAt(() => ({ body: fixture("yahoo-aapl-1m.json") }));
    const candles = await yahoo.fetchCandles({
      symbol: "AAPL",
      timeframe: "1m",
      from: "2024-01-05T14:30:00Z",
      to: "2024-01-05T14:45:00Z",
    });
    expect(requests).toHaveLength(1);
    const url = requests[0];
    expect(url?.pathname).toBe("/v8/finance/chart/AAPL");
    expect(url?.searchParams.get("interval")).toBe("1m");
    expect(url?.searchParams.get("period1")).toBe(String(utc("2024-01-05T14:30:00Z") / 1000));
    expect(url?.searchParams.get("period2")).toBe(String(utc("2024-01-05T14:45:00Z") / 1000));
    const minutes = candles.map((c) => new Date(c.time).toISOString().slice(11, 16));
    expect(minutes).toEqual(["14:30", "14:31", "14:32", "14:34", "14:35", "14:36", "14:38", "14:39"]);
    expect(candles[0]).toEqual({
      time: utc("2024-01-05T14:30:00Z"),
      open: 181.99000549316406,
      high: 182.25,
      low: 181.80999755859375,
      close: 182.08999633789062,
      volume: 2270521,
    });
    // The bar sent twice (the forming one, updated) keeps the later copy.
    expect(candles.at(-1)?.close).toBe(182.27999877929688);
    expect(Object.isFrozen(candles)).toBe(true);
    expect(toWireCandles(candles)[0]?.timestamp).toBe("2024-01-05T14:30:00.000Z");
  });

  it("keeps only bars inside [from, to)", async () => {
    const { yahoo } = await yahooAt(() => ({ body: fixture("yahoo-aapl-1m.json") }));
    const candles = await yahoo.fetchCandles({
      symbol: "AAPL",
      timeframe: "1m",
      from: "2024-01-05T14:31:00Z",
      to: "2024-01-05T14:35:00Z",
    });
    expect(candles.map((c) => new Date(c.time).toISOString().slice(11, 16))).toEqual([
      "14:31",
      "14:32",
      "14:34",
    ]);
  });

  it("maps EUR/USD to EURUSD=X and labels daily bars by their London date", async () => {
    const { yahoo, requests } = await yahooAt(() => ({ body: fixture("yahoo-eurusd-1d.json") }));
    const candles = await yahoo.fetchCandles({
      symbol: "EUR/USD",
      timeframe: "1d",
      from: "2024-06-03T00:00:00Z",
      to: "2024-06-08T00:00:00Z",
    });
    expect(requests[0]?.pathname).toBe("/v8/finance/chart/EURUSD%3DX");
    expect(requests[0]?.searchParams.get("interval")).toBe("1d");
    // One day of padding on each side: Yahoo stamps these bars 23:00 UTC the evening before.
    expect(requests[0]?.searchParams.get("period1")).toBe(String(utc("2024-06-02T00:00:00Z") / 1000));
    expect(requests[0]?.searchParams.get("period2")).toBe(String(utc("2024-06-09T00:00:00Z") / 1000));
    expect(toWireCandles(candles).map((c) => c.timestamp)).toEqual([
      "2024-06-03T00:00:00.000Z",
      "2024-06-04T00:00:00.000Z",
      "2024-06-06T00:00:00.000Z", // June 5 was all nulls
      "2024-06-07T00:00:00.000Z",
    ]);
    expect(candles[0]).toMatchObject({ open: 1.0850000381469727, volume: 0 });
  });

  it("builds 4h candles from 60m bars in UTC buckets (Yahoo has no 4h)", async () => {
    const { yahoo, requests } = await yahooAt(() => ({ body: fixture("yahoo-aapl-60m.json") }));
    const candles = await yahoo.fetchCandles({
      symbol: "AAPL",
      timeframe: "4h",
      from: "2024-01-05T00:00:00Z",
      to: "2024-01-06T00:00:00Z",
    });
    expect(requests[0]?.searchParams.get("interval")).toBe("60m");
    const raw = fixture("yahoo-aapl-60m.json") as {
      chart: {
        result: [{ indicators: { quote: [Record<"open" | "high" | "low" | "close" | "volume", number[]>] } }];
      };
    };
    const q = raw.chart.result[0].indicators.quote[0];
    const bucket = (from: number, to: number) => ({
      open: q.open[from],
      high: Math.max(...q.high.slice(from, to)),
      low: Math.min(...q.low.slice(from, to)),
      close: q.close[to - 1],
      volume: q.volume.slice(from, to).reduce((a, b) => a + b, 0),
    });
    // Bars at 14:30..20:30 UTC: 14:30, 15:30 → 12:00; 16:30..19:30 → 16:00; 20:30 → 20:00.
    expect(candles).toEqual([
      { time: utc("2024-01-05T12:00:00Z"), ...bucket(0, 2) },
      { time: utc("2024-01-05T16:00:00Z"), ...bucket(2, 6) },
      { time: utc("2024-01-05T20:00:00Z"), ...bucket(6, 7) },
    ]);
  });

  it("fetches 1m ranges longer than 7 days in 7-day windows", async () => {
    const { yahoo, requests } = await yahooAt(() => ({
      body: { chart: { result: [{ meta: { symbol: "AAPL" }, indicators: { quote: [{}] } }], error: null } },
    }));
    const from = utc("2023-12-20T00:00:00Z");
    const to = utc("2023-12-30T00:00:00Z");
    expect(await yahoo.fetchCandles({ symbol: "AAPL", timeframe: "1m", from, to })).toEqual([]);
    expect(requests.map((u) => [u.searchParams.get("period1"), u.searchParams.get("period2")])).toEqual([
      [String(from / 1000), String((from + 7 * 86_400_000) / 1000)],
      [String((from + 7 * 86_400_000) / 1000), String(to / 1000)],
    ]);
  });

  it("refuses ranges Yahoo does not serve, before asking", async () => {
    const { yahoo, requests } = await yahooAt(() => ({ body: fixture("yahoo-aapl-1m.json") }));
    const cases = [
      ["1m", "2023-12-06T00:00:00Z", "30 days"],
      ["5m", "2023-11-01T00:00:00Z", "60 days"],
      ["1h", "2021-12-01T00:00:00Z", "730 days"],
      ["4h", "2021-12-01T00:00:00Z", "730 days"],
    ] as const;
    for (const [timeframe, from, message] of cases) {
      const error = await providerError(yahoo.fetchCandles({ symbol: "AAPL", timeframe, from, to: NOW }));
      expect(error.kind).toBe("bad_request");
      expect(error.message).toContain(message);
    }
    const reversed = await providerError(
      yahoo.fetchCandles({ symbol: "AAPL", timeframe: "1d", from: NOW, to: NOW - 1 }),
    );
    expect(reversed.kind).toBe("bad_request");
    expect(requests).toHaveLength(0);
  });

  it("reports an unknown symbol as not_found", async () => {
    const { yahoo } = await yahooAt(() => ({ status: 404, body: fixture("yahoo-not-found.json") }));
    const error = await providerError(
      yahoo.fetchCandles({ symbol: "NOPE", timeframe: "1d", from: "2024-01-01", to: "2024-01-05" }),
    );
    expect(error.kind).toBe("not_found");
    expect(error.status).toBe(404);
    expect(error.message).toBe("Yahoo has no data for this symbol: No data found, symbol may be delisted");
  });

  it("reports 429 as rate_limited with Retry-After", async () => {
    const { yahoo } = await yahooAt(() => ({
      status: 429,
      headers: { "Retry-After": "30" },
      body: "Too Many Requests\r\n",
    }));
    const error = await providerError(
      yahoo.fetchCandles({ symbol: "AAPL", timeframe: "1d", from: "2024-01-01", to: "2024-01-05" }),
    );
    expect(error.kind).toBe("rate_limited");
    expect(error.retryAfterSeconds).toBe(30);
  });

  it("reports a 500, malformed JSON, a timeout and an unreachable host as upstream", async () => {
    const req = { symbol: "AAPL", timeframe: "1d", from: "2024-01-01", to: "2024-01-05" } as const;
    let answer: FixtureAnswer = { status: 500, body: fixture("upstream-500.txt") };
    const { yahoo } = await yahooAt(() => answer, { timeoutMs: 100, cache: false });

    const e500 = await providerError(yahoo.fetchCandles(req));
    expect(e500).toMatchObject({ kind: "upstream", status: 500 });
    expect(e500.message).not.toContain("<");

    answer = { body: fixture("malformed.txt") };
    const bad = await providerError(yahoo.fetchCandles(req));
    expect(bad.kind).toBe("upstream");
    expect(bad.message).toContain("unreadable");

    answer = { body: fixture("yahoo-aapl-1m.json"), delay: 1_000 };
    const slow = await providerError(yahoo.fetchCandles(req));
    expect(slow.kind).toBe("upstream");
    expect(slow.message).toContain("100 ms");

    const down = createYahooProvider({ baseUrl: "http://127.0.0.1:9", timeoutMs: 2_000 });
    const unreachable = await providerError(down.fetchCandles(req));
    expect(unreachable.kind).toBe("upstream");
    expect(unreachable.message).toBe("yahoo could not be reached");
  });

  it("caches identical requests for the TTL and shares one in-flight request", async () => {
    let now = NOW;
    let gate: Promise<unknown> | undefined;
    const { yahoo, requests } = await yahooAt(() => ({ body: fixture("yahoo-aapl-1m.json"), delay: gate }), {
      now: () => now,
      cache: new RequestCache({ ttlMs: 30_000, now: () => now }),
    });
    const req = {
      symbol: "AAPL",
      timeframe: "1m",
      from: "2024-01-05T14:30:00Z",
      to: "2024-01-05T14:45:00Z",
    } as const;

    const first = await yahoo.fetchCandles(req);
    const again = await yahoo.fetchCandles(req);
    expect(requests).toHaveLength(1);
    expect(again).toBe(first);

    await yahoo.fetchCandles({ ...req, to: "2024-01-05T14:44:00Z" }); // another range: another request
    expect(requests).toHaveLength(2);

    now += 30_000; // expired
    let open: () => void = () => {};
    gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const a = yahoo.fetchCandles(req);
    const b = yahoo.fetchCandles(req);
    await new Promise((r) => setTimeout(r, 50));
    open();
    const [ra, rb] = await Promise.all([a, b]);
    expect(requests).toHaveLength(3);
    expect(ra).toBe(rb);
    expect(ra).toEqual(first);
  });
});
