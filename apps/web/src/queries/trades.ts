import { unwrapPage } from "@quantago/app-kit/client";
import type { BacktestTrade } from "@quantago/contracts";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "./api-client.ts";

/** The API's largest trades page (`GET /api/backtests/:id/trades?limit`). */
export const TRADES_PAGE = 1000;
/** Pages in flight at once: enough to hide latency, few enough to leave the API room for the charts. */
const PARALLEL_PAGES = 4;

function tradesPage(id: string, offset: number, signal?: AbortSignal) {
  return unwrapPage(
    api.api.backtests[":id"].trades.$get(
      { param: { id }, query: { limit: String(TRADES_PAGE), offset: String(offset) } },
      signal ? { init: { signal } } : undefined,
    ),
  );
}

/**
 * Every trade of a run, in entry order: the first page says the total, the rest are fetched
 * {@link PARALLEL_PAGES} at a time; `onProgress` hears the count loaded after each page.
 */
export async function fetchEveryTrade(
  id: string,
  onProgress: (loaded: number, total: number) => void = () => {},
  signal?: AbortSignal,
): Promise<BacktestTrade[]> {
  const first = await tradesPage(id, 0, signal);
  const total = first.total;
  const pages: BacktestTrade[][] = [first.items];
  let loaded = first.items.length;
  onProgress(loaded, total);
  const offsets: number[] = [];
  for (let o = first.items.length; o < total && first.items.length > 0; o += TRADES_PAGE) offsets.push(o);
  let next = 0;
  const worker = async () => {
    while (next < offsets.length) {
      const index = next++;
      const page = await tradesPage(id, offsets[index] as number, signal);
      pages[index + 1] = page.items;
      loaded += page.items.length;
      onProgress(loaded, total);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_PAGES, offsets.length) }, worker));
  return pages.flat();
}

export interface TradesProgress {
  loaded: number;
  total: number | null;
}

/**
 * {@link fetchEveryTrade} as a query (cached for the page's life), with its progress while it loads;
 * `enabled: false` holds it back (it stays pending) until the caller is ready for it.
 */
export function useEveryTrade(id: string, { enabled = true }: { enabled?: boolean } = {}) {
  const [progress, setProgress] = useState<TradesProgress>({ loaded: 0, total: null });
  const query = useQuery({
    queryKey: ["backtests", "every-trade", id],
    enabled,
    queryFn: ({ signal }) => fetchEveryTrade(id, (loaded, total) => setProgress({ loaded, total }), signal),
    staleTime: Number.POSITIVE_INFINITY,
  });
  return { ...query, progress };
}
