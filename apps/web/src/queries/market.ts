import { unwrap } from "@quantago/app-kit/client";
import { queryOptions } from "@tanstack/react-query";
import { api } from "./api-client.ts";

/** One stored series of `GET /api/market-data/symbols`. */
export interface StoredSeries {
  symbol: string;
  assetClass: "stock" | "crypto" | "forex";
  source: string;
  timeframe: string;
  firstBar: string;
  lastBar: string;
  barCount: number;
}

export type { MarketTimeframe as Timeframe } from "@quantago/contracts/wire";
export { marketTimeframes as TIMEFRAMES, TIMEFRAME_MS } from "@quantago/contracts/wire";

/** The public market data routes, over the typed client. */
const marketData = api.api["market-data"];

export const marketKeys = {
  all: ["market"] as const,
  symbols: () => [...marketKeys.all, "symbols"] as const,
  columns: (q: object) => [...marketKeys.all, "columns", q] as const,
};

export function symbolsQuery() {
  return queryOptions({
    queryKey: marketKeys.symbols(),
    queryFn: async (): Promise<StoredSeries[]> => (await unwrap(marketData.symbols.$get())).symbols,
    staleTime: 60_000,
  });
}

/** `YYYY-MM-DD` of an ISO instant. */
export const day = (iso: string) => iso.slice(0, 10);

/** The day after an ISO instant (the exclusive end that still includes its bar). */
export function dayAfter(iso: string): string {
  return new Date(Date.parse(iso.slice(0, 10)) + 86_400_000).toISOString().slice(0, 10);
}
