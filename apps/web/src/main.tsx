import "@quantago/ui/styles.css";
import { mountRoutedApp } from "@quantago/app-kit";
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
    // The run at once; what its charts need once the run says which bars (that module belongs to the
    // chart pages, not the app shell). The page's own queries report any failure.
    const record = queryClient.fetchQuery(backtestQuery(id));
    void Promise.all([record, import("./queries/backtest-page.ts")])
      .then(([b, page]) => page.prefetchBacktestCharts(queryClient, b))
      .catch(() => {});
  },
});
