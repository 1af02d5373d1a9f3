import {
  authSearch,
  notFoundPage,
  RouteError,
  RoutePending,
  type RouterContext,
  requireSignedIn,
  str,
} from "@quantago/app-kit/router";
import type { QueryClient } from "@tanstack/react-query";
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Outlet,
} from "@tanstack/react-router";
import { AdminLayout } from "./layout.tsx";
import { RUN_KINDS as ingestionRunKinds, RUN_STATUSES as ingestionRunStatuses } from "./queries.ts";

/**
 * Code-based routes like the trader app: every page its own chunk, every search param validated so a
 * pasted URL lands on the same view. Non-admins get the refusal page from the layout (the API refuses
 * them regardless).
 */
const int = (v: unknown): number | undefined => {
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
};
const oneOf = <T extends string>(list: readonly T[], v: unknown): T | undefined =>
  (list as readonly unknown[]).includes(v) ? (v as T) : undefined;

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Outlet,
  notFoundComponent: notFoundPage("Go to the overview"),
});

const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/sign-in",
  validateSearch: authSearch,
  component: lazyRouteComponent(() => import("./pages/sign-in.tsx"), "SignInPage"),
});

const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: "app",
  beforeLoad: requireSignedIn,
  component: AdminLayout,
  errorComponent: RouteError,
  pendingComponent: RoutePending,
});

const page = <P extends string>(path: P, load: () => Promise<Record<string, unknown>>, name: string) => ({
  getParentRoute: () => appRoute,
  path,
  // biome-ignore lint/suspicious/noExplicitAny: lazyRouteComponent's key is checked at runtime
  component: lazyRouteComponent(load as any, name as any),
});

const overviewRoute = createRoute(page("/", () => import("./pages/overview.tsx"), "OverviewPage"));

export interface RunsSearch {
  status?: (typeof ingestionRunStatuses)[number] | undefined;
  kind?: (typeof ingestionRunKinds)[number] | undefined;
  symbol?: string | undefined;
  offset?: number | undefined;
}
const ingestionRoute = createRoute({
  ...page("/ingestion", () => import("./pages/ingestion.tsx"), "IngestionPage"),
  validateSearch: (s: Record<string, unknown>): RunsSearch => ({
    status: oneOf(ingestionRunStatuses, s.status),
    kind: oneOf(ingestionRunKinds, s.kind),
    symbol: str(s.symbol)?.toUpperCase(),
    offset: int(s.offset),
  }),
});
const runRoute = createRoute(page("/ingestion/runs/$id", () => import("./pages/run.tsx"), "RunPage"));
const symbolsRoute = createRoute(page("/symbols", () => import("./pages/symbols.tsx"), "SymbolsPage"));
const coverageRoute = createRoute({
  ...page("/coverage", () => import("./pages/coverage.tsx"), "CoveragePage"),
  validateSearch: (s: Record<string, unknown>): { symbol?: string | undefined } => ({
    symbol: str(s.symbol)?.toUpperCase(),
  }),
});
const uploadRoute = createRoute(page("/upload", () => import("./pages/upload.tsx"), "UploadPage"));
const usersRoute = createRoute({
  ...page("/users", () => import("./pages/users.tsx"), "UsersPage"),
  validateSearch: (s: Record<string, unknown>): { q?: string | undefined; offset?: number | undefined } => ({
    q: str(s.q),
    offset: int(s.offset),
  }),
});
const userRoute = createRoute(page("/users/$id", () => import("./pages/users.tsx"), "UserPage"));
const backtestsRoute = createRoute(
  page("/backtests", () => import("./pages/backtests.tsx"), "BacktestsPage"),
);
const healthRoute = createRoute(page("/health", () => import("./pages/health.tsx"), "HealthPage"));

const routeTree = rootRoute.addChildren([
  signInRoute,
  appRoute.addChildren([
    overviewRoute,
    ingestionRoute,
    runRoute,
    symbolsRoute,
    coverageRoute,
    uploadRoute,
    usersRoute,
    userRoute,
    backtestsRoute,
    healthRoute,
  ]),
]);

export function createAdminRouter(queryClient: QueryClient) {
  return createRouter({
    routeTree,
    context: { queryClient },
    defaultPreload: "intent",
    defaultPreloadStaleTime: 0,
    scrollRestoration: true,
  });
}

declare module "@tanstack/react-router" {
  interface Register {
    router: ReturnType<typeof createAdminRouter>;
  }
}
