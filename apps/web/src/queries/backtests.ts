import { apiBase } from "@quantago/app-kit";
import { type Page, unwrap, unwrapPage } from "@quantago/app-kit/client";
import type {
  BacktestRecord,
  BacktestStatus,
  BacktestTrade,
  CreateBacktestRequest,
} from "@quantago/contracts";
import { queryOptions } from "@tanstack/react-query";
import { api } from "./api-client.ts";

export type { BacktestRecord, BacktestTrade };

export interface BacktestFilters {
  status?: BacktestStatus | undefined;
  symbol?: string | undefined;
  strategy?: string | undefined;
  limit?: number;
  offset?: number;
}

export type { Page };

/** Every backtest call of the app, over the typed client (routes of docs/api.md, Backtests). */
const backtests = api.api.backtests;
const one = backtests[":id"];

export const backtestKeys = {
  all: ["backtests"] as const,
  lists: () => [...backtestKeys.all, "list"] as const,
  list: (f: BacktestFilters) => [...backtestKeys.lists(), f] as const,
  detail: (id: string) => [...backtestKeys.all, "detail", id] as const,
  equity: (id: string, points: number) => [...backtestKeys.all, "equity", id, points] as const,
};

/** Every status, in lifecycle order (a literal here keeps zod out of the list page's chunk). */
export const BACKTEST_STATUSES = [
  "pending",
  "running",
  "completed",
  "failed",
  "cancelled",
] as const satisfies readonly BacktestStatus[];

export const isActive = (s: BacktestStatus) => s === "pending" || s === "running";

export function backtestListQuery(f: BacktestFilters) {
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== "") query[k] = String(v);
  return queryOptions({
    queryKey: backtestKeys.list(f),
    queryFn: (): Promise<Page<BacktestRecord>> => unwrapPage(backtests.$get({ query })),
    // Running backtests move: poll while any is active, stop when all are done.
    refetchInterval: (q) => (q.state.data?.items.some((b) => isActive(b.status)) ? 2000 : false),
  });
}

export function backtestQuery(id: string) {
  return queryOptions({
    queryKey: backtestKeys.detail(id),
    queryFn: (): Promise<BacktestRecord> => unwrap(one.$get({ param: { id } })),
    // Fresh for a moment: the page opened right after the app prefetched the run (main.tsx) does not
    // ask again; a running run is kept current by its event stream (live.ts), not by refetching.
    staleTime: 5_000,
  });
}

export interface EquityPoint {
  time: string | number;
  equity: number;
}

export function equityQuery(id: string, points = 2000) {
  return queryOptions({
    queryKey: backtestKeys.equity(id, points),
    queryFn: (): Promise<{ total: number; points: EquityPoint[] }> =>
      unwrap(one.equity.$get({ param: { id }, query: { points: String(points) } })),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** The form sends what it holds; the API checks it against the same schema (400 with issues). */
export const createBacktest = (
  body: CreateBacktestRequest | { backtest: Record<string, unknown> },
): Promise<BacktestRecord> => unwrap(backtests.$post({ json: body as CreateBacktestRequest }));
export const cancelBacktest = (id: string): Promise<BacktestRecord> =>
  unwrap(one.cancel.$post({ param: { id } }));
export const rerunBacktest = (id: string): Promise<BacktestRecord> =>
  unwrap(one.rerun.$post({ param: { id } }));
export const deleteBacktest = (id: string): Promise<void> => unwrap(one.$delete({ param: { id } }));

/**
 * `/api/backtests/:id/events`, the SSE stream of progress and the terminal event. On the API's origin
 * (`VITE_API_URL`) like every other call: EventSource does not go through fetch.
 */
export const backtestEventsUrl = (id: string) => `${apiBase}/api/backtests/${encodeURIComponent(id)}/events`;
