import { afterEach, describe, expect, it } from "vitest";
import { type FixtureAnswer, fixture, startFixtureServer } from "../../test-fixtures/fixture-server.ts";
import { type BinanceProviderOptions, createBinanceProvider } from "./binance.ts";
import { ProviderError } from "./errors.ts";

const T = Date.parse("2024-01-05T00:00:00Z");
const MIN = 60_000;

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function binanceAt(route: (url: URL) => FixtureAnswer, options: BinanceProviderOptions = {}) {
  const server = await startFixtureServer(route);
  close = server.close;
  return { binance: createBinanceProvider({ baseUrl: server.url, ...options }), requests: server.requests };
}

async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

/** The fixture pages, served by startTime as Binance would. */
function pagedFixtures(url: URL): FixtureAnswer {
  const start = Number(url.searchParams.get("startTime"));
  if (start <= T) return { body: fixture("binance-btcusdt-1m-page1.json") };
  if (start <= T + 5 * MIN) return { body: fixture("binance-btcusdt-1m-page2.json") };
  return { body: [] };
}

function kline(openTime: number, price: number) {
  const p = price.toFixed(8);
  return [openTime, p, p, p, p, "1.00000000", openTime + MIN - 1, p, 1, "0.5", p, "0"];
}

describe("Binance provider", () => {
  it("maps BTC-USD to BTCUSDT, pages through startTime and parses string prices", async () => {
    const { binance, requests } = await binanceAt(pagedFixtures, { pageSize: 5 });
    const candles = await binance.fetchCandles({
      symbol: "BTC-USD",
      timeframe: "1m",
      from: T,
      to: T + 10 * MIN,
    });
    expect(requests.map((u) => Object.fromEntries(u.searchParams))).toEqual([
      {
        symbol: "BTCUSDT",
        interval: "1m",
        startTime: String(T),
        endTime: String(T + 10 * MIN - 1),
        limit: "5",
      },
      {
        symbol: "BTCUSDT",
        interval: "1m",
        startTime: String(T + 4 * MIN + 1),
        endTime: String(T + 10 * MIN - 1),
        limit: "5",
      },
    ]);
    expect(requests[0]?.pathname).toBe("/api/v3/klines");
    expect(candles.map((c) => c.time)).toEqual(Array.from({ length: 8 }, (_, i) => T + i * MIN));
    expect(candles[0]).toEqual({
      time: T,
      open: 44152.01,
      high: 44180,
      low: 44130.52,
      close: 44170.11,
      volume: 61.52331,
    });
    expect(candles[7]).toEqual({
      time: T + 7 * MIN,
      open: 44095.51,
      high: 44110,
      low: 44070,
      close: 44071.12,
      volume: 60,
    });
  });

  it("uses full 1000-kline pages by default until the range is covered", async () => {
    const { binance, requests } = await binanceAt((url) => {
      const start = Number(url.searchParams.get("startTime"));
      const end = Number(url.searchParams.get("endTime"));
      const limit = Number(url.searchParams.get("limit"));
      const first = Math.ceil(start / MIN) * MIN;
      const rows = [];
      for (let t = first; t <= end && rows.length < limit; t += MIN)
        rows.push(kline(t, 40_000 + (t - T) / MIN));
      return { body: rows };
    });
    const candles = await binance.fetchCandles({
      symbol: "ETH-BTC",
      timeframe: "1m",
      from: T,
      to: T + 2_500 * MIN,
    });
    expect(requests).toHaveLength(3);
    expect(
      requests.every(
        (u) => u.searchParams.get("limit") === "1000" && u.searchParams.get("symbol") === "ETHBTC",
      ),
    ).toBe(true);
    expect(candles).toHaveLength(2_500);
    expect(candles.every((c, i) => c.time === T + i * MIN && c.close === 40_000 + i)).toBe(true);
  });

  it("drops klines outside [from, to) and duplicates a server might send", async () => {
    const { binance } = await binanceAt(() => ({ body: fixture("binance-btcusdt-1m-page1.json") }));
    const candles = await binance.fetchCandles({
      symbol: "BTC-USD",
      timeframe: "1m",
      from: T + MIN,
      to: T + 4 * MIN,
    });
    expect(candles.map((c) => c.time)).toEqual([T + MIN, T + 2 * MIN, T + 3 * MIN]);
  });

  it("reports an invalid symbol (-1121) as not_found and other 400s as bad_request", async () => {
    let answer: FixtureAnswer = { status: 400, body: fixture("binance-invalid-symbol.json") };
    const { binance } = await binanceAt(() => answer, { cache: false });
    const req = { symbol: "NOPE-USD", timeframe: "1h", from: T, to: T + 3_600_000 } as const;
    const missing = await providerError(binance.fetchCandles(req));
    expect(missing).toMatchObject({ kind: "not_found", status: 400 });
    expect(missing.message).toBe("Binance does not list this symbol");

    answer = { status: 400, body: { code: -1120, msg: "Invalid interval." } };
    const bad = await providerError(binance.fetchCandles(req));
    expect(bad.kind).toBe("bad_request");
    expect(bad.message).toBe("binance rejected the request: Invalid interval.");
  });

  it("reports 429 and 418 as rate_limited with Retry-After, without echoing our IP", async () => {
    let status = 429;
    const { binance } = await binanceAt(
      () => ({ status, headers: { "Retry-After": "7" }, body: fixture("binance-rate-limited.json") }),
      { cache: false },
    );
    const req = { symbol: "BTC-USD", timeframe: "1m", from: T, to: T + MIN } as const;
    const limited = await providerError(binance.fetchCandles(req));
    expect(limited).toMatchObject({ kind: "rate_limited", retryAfterSeconds: 7, status: 429 });
    expect(limited.message).not.toContain("203.0.113.9");
    status = 418;
    expect(await providerError(binance.fetchCandles(req))).toMatchObject({
      kind: "rate_limited",
      retryAfterSeconds: 7,
    });
  });

  it("reports 5xx, malformed JSON and wrong shapes as upstream", async () => {
    let answer: FixtureAnswer = { status: 500, body: fixture("upstream-500.txt") };
    const { binance } = await binanceAt(() => answer, { cache: false });
    const req = { symbol: "BTC-USD", timeframe: "1m", from: T, to: T + MIN } as const;
    expect(await providerError(binance.fetchCandles(req))).toMatchObject({ kind: "upstream", status: 500 });
    for (const body of [
      fixture("malformed.txt"),
      { code: 0 },
      [[T, "1", "2", "x", "4", "5"]],
      [[String(T), "1", "1", "1", "1", "1"]],
    ]) {
      answer = { body };
      const error = await providerError(binance.fetchCandles(req));
      expect(error.kind).toBe("upstream");
      expect(error.message).toContain("unreadable");
    }
  });

  it("refuses stocks, forex and oversized ranges before asking", async () => {
    const { binance, requests } = await binanceAt(pagedFixtures);
    for (const symbol of ["AAPL", "EUR/USD"]) {
      const error = await providerError(
        binance.fetchCandles({ symbol, timeframe: "1h", from: T, to: T + MIN * 60 }),
      );
      expect(error.kind).toBe("bad_request");
    }
    const huge = await providerError(
      binance.fetchCandles({ symbol: "BTC-USD", timeframe: "1m", from: T, to: T + 100 * 86_400_000 }),
    );
    expect(huge.kind).toBe("bad_request");
    expect(huge.message).toContain("at most 50000");
    expect(requests).toHaveLength(0);
  });

  it("serves a repeated request from the cache", async () => {
    const { binance, requests } = await binanceAt(pagedFixtures, { pageSize: 5 });
    const req = { symbol: "BTC-USD", timeframe: "1m", from: T, to: T + 10 * MIN } as const;
    const first = await binance.fetchCandles(req);
    const [a, b] = await Promise.all([binance.fetchCandles(req), binance.fetchCandles(req)]);
    expect(requests).toHaveLength(2); // the two pages of the first call only
    expect(a).toBe(first);
    expect(b).toBe(first);
  });

  it("lets one caller abort without failing another sharing the same in-flight request", async () => {
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const { binance, requests } = await binanceAt((url) => ({ ...pagedFixtures(url), delay: gate }), {
      pageSize: 5,
    });
    const req = { symbol: "BTC-USD", timeframe: "1m", from: T, to: T + 10 * MIN } as const;
    const controller = new AbortController();
    const quitter = binance.fetchCandles({ ...req, signal: controller.signal });
    const stayer = binance.fetchCandles(req);
    controller.abort(new Error("caller went away"));
    await expect(quitter).rejects.toThrow("caller went away");
    open();
    expect(await stayer).toHaveLength(8);
    expect(requests).toHaveLength(2);
  });
});
