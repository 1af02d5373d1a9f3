import {
  authSearch,
  notFoundPage,
  RouteError,
  RoutePending,
  type RouterContext,
  requireSignedIn,
  str,
} from "@quantago/app-kit/router";
import type { BacktestStatus } from "@quantago/contracts";
import { HEATMAP_AGGREGATES, type HeatmapAggregate } from "@quantago/contracts/wire";
import type { QueryClient } from "@tanstack/react-query";
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Outlet,
} from "@tanstack/react-router";
import { AppLayout } from "./layout.tsx";

/**
 * Code-based routes: the tree is plain TypeScript checked by `tsc` (no generated file, no Vite plugin
 * to keep in step), each page loaded with its own chunk through `lazyRouteComponent`, and every search
 * param parsed by a small validator so a pasted URL lands on the same view.
 */
const TFS = ["1m", "5m", "15m", "30m", "1h", "4h", "1d", "1w"] as const;
type Tf = (typeof TFS)[number];
const tf = (v: unknown): Tf | undefined => ((TFS as readonly unknown[]).includes(v) ? (v as Tf) : undefined);
const isoDay = (v: unknown): string | undefined => {
  const s = str(v);
  return s && /^\d{4}-\d{2}-\d{2}$/.test(s) ? s : undefined;
};
const STATUSES = ["pending", "running", "completed", "failed", "cancelled"] as const;

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Outlet,
  notFoundComponent: notFoundPage("Go to the dashboard"),
});

const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/sign-in",
  validateSearch: authSearch,
  component: lazyRouteComponent(() => import("./pages/auth-pages.tsx"), "SignInPage"),
});
const signUpRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/sign-up",
  validateSearch: authSearch,
  component: lazyRouteComponent(() => import("./pages/auth-pages.tsx"), "SignUpPage"),
});

/** Everything else needs a session: without one, `/sign-in?redirect=<this page>`. */
const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: "app",
  beforeLoad: requireSignedIn,
  component: AppLayout,
  errorComponent: RouteError,
  pendingComponent: RoutePending,
});

const dashboardRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/",
  component: lazyRouteComponent(() => import("./pages/dashboard.tsx"), "DashboardPage"),
});

export interface MarketSearch {
  tf?: Tf | undefined;
  from?: string | undefined;
  to?: string | undefined;
}
const marketIndexRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/market",
  component: lazyRouteComponent(() => import("./pages/market.tsx"), "MarketIndexPage"),
});
const marketRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/market/$symbol",
  validateSearch: (s: Record<string, unknown>): MarketSearch => ({
    tf: tf(s.tf),
    from: isoDay(s.from),
    to: isoDay(s.to),
  }),
  component: lazyRouteComponent(() => import("./pages/market.tsx"), "MarketPage"),
});

export interface NewBacktestSearch {
  strategy?: string | undefined;
  symbol?: string | undefined;
}
const newBacktestRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/backtests/new",
  validateSearch: (s: Record<string, unknown>): NewBacktestSearch => ({
    strategy: str(s.strategy),
    symbol: str(s.symbol),
  }),
  component: lazyRouteComponent(() => import("./pages/new-backtest.tsx"), "NewBacktestPage"),
});

const backtestRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/backtests/$id",
  component: lazyRouteComponent(() => import("./pages/backtest-detail.tsx"), "BacktestDetailPage"),
});

export const BACKTEST_SORTS = ["created", "return", "sharpe", "maxdd", "trades"] as const;
export type BacktestSort = (typeof BACKTEST_SORTS)[number];
export interface BacktestsSearch {
  status?: BacktestStatus | undefined;
  symbol?: string | undefined;
  strategy?: string | undefined;
  sort?: BacktestSort | undefined;
  dir?: "asc" | "desc" | undefined;
}
const backtestsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/backtests",
  validateSearch: (s: Record<string, unknown>): BacktestsSearch => ({
    status: (STATUSES as readonly unknown[]).includes(s.status) ? (s.status as BacktestStatus) : undefined,
    symbol: str(s.symbol),
    strategy: str(s.strategy),
    sort: (BACKTEST_SORTS as readonly unknown[]).includes(s.sort) ? (s.sort as BacktestSort) : undefined,
    dir: s.dir === "asc" || s.dir === "desc" ? s.dir : undefined,
  }),
  component: lazyRouteComponent(() => import("./pages/backtests.tsx"), "BacktestsPage"),
});

const strategiesRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/strategies",
  validateSearch: (s: Record<string, unknown>): { runtime?: string | undefined } => ({
    runtime: str(s.runtime),
  }),
  component: lazyRouteComponent(() => import("./pages/strategies.tsx"), "StrategiesPage"),
});

const strategyNewRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/strategies/new",
  component: lazyRouteComponent(() => import("./pages/strategy-pages.tsx"), "RegisterStrategyPage"),
});
const strategyRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/strategies/$slug",
  component: lazyRouteComponent(() => import("./pages/strategy-pages.tsx"), "StrategyDetailPage"),
});

export interface CompareSearch {
  /** Comma-separated run ids, kept a string so the URL reads `?ids=a,b,c`. */
  ids?: string | undefined;
}
/** At most six distinct ids, in the order given (an array is accepted too). */
export const idList = (v: unknown): string[] => {
  const raw = Array.isArray(v)
    ? v.map(String)
    : typeof v === "string" || typeof v === "number"
      ? String(v).split(",")
      : [];
  return [...new Set(raw.map((s) => s.trim()).filter((s) => /^[\w-]{1,64}$/.test(s)))].slice(0, 6);
};
const compareRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/compare",
  validateSearch: (s: Record<string, unknown>): CompareSearch => ({
    ids: idList(s.ids).join(",") || undefined,
  }),
  component: lazyRouteComponent(() => import("./pages/compare.tsx"), "ComparePage"),
});

const researchRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/research",
  component: lazyRouteComponent(() => import("./pages/research.tsx"), "ResearchPage"),
});
/** The heatmap's view of a sweep: which parameters go across and down, and what the others do. */
export interface SweepSearch {
  x?: string | undefined;
  y?: string | undefined;
  /** How the parameters neither on an axis nor held are folded (default `max`). */
  agg?: HeatmapAggregate | undefined;
  /** Other swept parameters held at one value each, e.g. `{"signal":9}`; the rest are aggregated. */
  fixed?: Record<string, string | number | boolean> | undefined;
}
/** A held-values object (or its JSON text, from a hand-written link) of primitives; anything else is dropped. */
function heldValues(v: unknown): SweepSearch["fixed"] {
  let o = v;
  if (typeof o === "string")
    try {
      o = JSON.parse(o);
    } catch {
      return undefined;
    }
  if (typeof o !== "object" || o === null || Array.isArray(o)) return undefined;
  const out = Object.fromEntries(
    Object.entries(o).filter(([, value]) => ["string", "number", "boolean"].includes(typeof value)),
  ) as Record<string, string | number | boolean>;
  return Object.keys(out).length > 0 ? out : undefined;
}
/** `validateSearch` of `/research/$id` (whether the names are this sweep's is the page's to check). */
export const sweepSearch = (s: Record<string, unknown>): SweepSearch => ({
  x: str(s.x),
  y: str(s.y),
  agg: (HEATMAP_AGGREGATES as readonly unknown[]).includes(s.agg) ? (s.agg as HeatmapAggregate) : undefined,
  fixed: heldValues(s.fixed),
});
const sweepRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/research/$id",
  validateSearch: sweepSearch,
  component: lazyRouteComponent(() => import("./pages/sweep.tsx"), "SweepPage"),
});
export interface MonteCarloSearch {
  /** The completed backtest to resample (preselected in the form). */
  backtest?: string | undefined;
}
const monteCarloNewRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/research/monte-carlo",
  validateSearch: (s: Record<string, unknown>): MonteCarloSearch => ({ backtest: idList(s.backtest)[0] }),
  component: lazyRouteComponent(() => import("./pages/monte-carlo.tsx"), "MonteCarloNewPage"),
});
const monteCarloRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/research/monte-carlo/$id",
  component: lazyRouteComponent(() => import("./pages/monte-carlo.tsx"), "MonteCarloPage"),
});

const routeTree = rootRoute.addChildren([
  signInRoute,
  signUpRoute,
  appRoute.addChildren([
    dashboardRoute,
    marketIndexRoute,
    marketRoute,
    newBacktestRoute,
    backtestRoute,
    backtestsRoute,
    researchRoute,
    sweepRoute,
    monteCarloNewRoute,
    monteCarloRoute,
    strategiesRoute,
    strategyNewRoute,
    strategyRoute,
    compareRoute,
  ]),
]);

export function createAppRouter(queryClient: QueryClient) {
  return createRouter({
    routeTree,
    context: { queryClient },
    defaultPreload: "intent",
    // The query cache is the source of truth; the router never caches loader data itself.
    defaultPreloadStaleTime: 0,
    scrollRestoration: true,
  });
}

declare module "@tanstack/react-router" {
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
}
