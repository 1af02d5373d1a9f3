import "@quantago/ui/styles.css";
import { mountRoutedApp } from "@quantago/app-kit";
import { prefetchBacktestCharts } from "./queries/backtest-page.ts";
import { backtestQuery } from "./queries/backtests.ts";
import { createAppRouter } from "./router.tsx";

/** `/backtests/:id`, not `/backtests/new`. */
const BACKTEST_PAGE = /^\/backtests\/(?!new$)([^/]+)$/;

mountRoutedApp(createAppRouter, {
  publicPaths: ["/sign-in", "/sign-up"],
  prefetch: (pathname, queryClient) => {
    const match = BACKTEST_PAGE.exec(pathname)?.[1];
    if (!match) return;
    let id: string;
    try {
      id = decodeURIComponent(match);
    } catch {
      return; // a malformed link: the page itself says the run does not exist
    }
    // The run at once, and what its charts need as soon as the run says which bars. The prefetch is in
    // the shell (about 1 KB) rather than loaded with the page: as a lazy module it waited for the page's
    // chunks to arrive and evaluate, which held the charts' requests back by ~0.5 s. The page's own
    // queries report any failure.
    void queryClient
      .fetchQuery(backtestQuery(id))
      .then((b) => prefetchBacktestCharts(queryClient, b))
      .catch(() => {});
  },
});
