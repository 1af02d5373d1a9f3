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

export const TIMEFRAMES = ["1m", "5m", "15m", "30m", "1h", "4h", "1d", "1w"] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];
export const TIMEFRAME_MS: Record<Timeframe, number> = {
  "1m": 60_000,
  "5m": 300_000,
  "15m": 900_000,
  "30m": 1_800_000,
  "1h": 3_600_000,
  "4h": 14_400_000,
  "1d": 86_400_000,
  "1w": 604_800_000,
};

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
