import type { BacktestRecord } from "@quantago/contracts";
import type { QueryClient } from "@tanstack/react-query";
import { equityQuery } from "./backtests.ts";
import { firstViewColumnsQuery } from "./candle-window.ts";
import type { Timeframe } from "./market.ts";

/**
 * What a finished run's page draws first, its equity curve and the candle chart's first view, asked for side by
 * side as soon as the app starts on `/backtests/:id` and the run has answered (apps/web/src/main.tsx).
 * The page's own queries (`equityQuery`, and `useCandleWindow` through `firstViewColumnsQuery`) then
 * find them in the cache, so the session check, the page's code and these requests overlap instead of
 * following each other.
 */
export async function prefetchBacktestCharts(queryClient: QueryClient, b: BacktestRecord): Promise<void> {
  if (b.status !== "completed") return;
  await Promise.all([
    queryClient.prefetchQuery(equityQuery(b.id)),
    queryClient.prefetchQuery(
      firstViewColumnsQuery({
        symbol: b.symbol,
        timeframe: b.timeframe as Timeframe,
        from: b.start_date,
        to: b.end_date,
      }),
    ),
  ]);
}
