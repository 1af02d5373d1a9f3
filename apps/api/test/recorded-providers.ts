import { fixture, startFixtureServer } from "@quantago/market-data/test-fixtures/fixture-server";

/** Start of the recorded Binance BTCUSDT 1m pages (2024-01-05T00:00:00Z). */
export const BINANCE_PAGE_START = Date.parse("2024-01-05T00:00:00Z");

/**
 * One local server answering like Yahoo's chart API and Binance's klines from the recorded fixtures of
 * packages/market-data. Special symbols trigger the failure answers: `LIMITED` / `LIMITEDUSDT` → 429
 * with Retry-After, `BROKEN` / `ETHUSDT` → 500.
 */
export function startRecordedProviders() {
  return startFixtureServer((url) => {
    if (url.pathname.startsWith("/v8/finance/chart/")) {
      const symbol = decodeURIComponent(url.pathname.slice("/v8/finance/chart/".length));
      if (symbol === "EURUSD=X") return { body: fixture("yahoo-eurusd-1d.json") };
      if (symbol === "LIMITED")
        return { status: 429, headers: { "Retry-After": "17" }, body: "Too Many Requests" };
      if (symbol === "BROKEN") return { status: 500, body: fixture("upstream-500.txt") };
      return { status: 404, body: fixture("yahoo-not-found.json") };
    }
    if (url.pathname === "/api/v3/klines") {
      const symbol = url.searchParams.get("symbol");
      const start = Number(url.searchParams.get("startTime"));
      if (symbol === "LIMITEDUSDT") {
        return { status: 429, headers: { "Retry-After": "9" }, body: fixture("binance-rate-limited.json") };
      }
      if (symbol === "ETHUSDT") return { status: 500, body: fixture("upstream-500.txt") };
      if (symbol !== "BTCUSDT") return { status: 400, body: fixture("binance-invalid-symbol.json") };
      if (start <= BINANCE_PAGE_START) return { body: fixture("binance-btcusdt-1m-page1.json") };
      if (start <= BINANCE_PAGE_START + 5 * 60_000) return { body: fixture("binance-btcusdt-1m-page2.json") };
      return { body: [] };
    }
    return { status: 404, body: "unknown fixture path" };
  });
}
