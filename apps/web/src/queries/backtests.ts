import { apiBase, apiFetch } from "@quantago/app-kit";
import type {
  BacktestRecord,
  BacktestStatus,
  BacktestTrade,
  CreateBacktestRequest,
} from "@quantago/contracts";
import { queryOptions } from "@tanstack/react-query";
import { apiSend, listPage, type Page } from "./http.ts";

export type { BacktestRecord, BacktestTrade };

export interface BacktestFilters {
  status?: BacktestStatus | undefined;
  symbol?: string | undefined;
  strategy?: string | undefined;
  limit?: number;
  offset?: number;
}

export type { Page };

export const backtestKeys = {
  all: ["backtests"] as const,
  lists: () => [...backtestKeys.all, "list"] as const,
  list: (f: BacktestFilters) => [...backtestKeys.lists(), f] as const,
  detail: (id: string) => [...backtestKeys.all, "detail", id] as const,
  trades: (id: string, limit: number) => [...backtestKeys.all, "trades", id, limit] as const,
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
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== "") qs.set(k, String(v));
  return queryOptions({
    queryKey: backtestKeys.list(f),
    queryFn: () => listPage<BacktestRecord>(`/api/backtests?${qs}`, "backtests"),
    // Running backtests move: poll while any is active, stop when all are done.
    refetchInterval: (q) => (q.state.data?.items.some((b) => isActive(b.status)) ? 2000 : false),
  });
}

export function backtestQuery(id: string) {
  return queryOptions({
    queryKey: backtestKeys.detail(id),
    queryFn: () => apiFetch<BacktestRecord>(`/api/backtests/${encodeURIComponent(id)}`),
  });
}

export function tradesQuery(id: string, limit = 1000) {
  return queryOptions({
    queryKey: backtestKeys.trades(id, limit),
    queryFn: () =>
      listPage<BacktestTrade>(`/api/backtests/${encodeURIComponent(id)}/trades?limit=${limit}`, "trades"),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** Every trade of a run, page by page (the route serves at most 1,000 at a time), for export. */
export async function fetchAllTrades(id: string): Promise<BacktestTrade[]> {
  const all: BacktestTrade[] = [];
  for (;;) {
    const page = await listPage<BacktestTrade>(
      `/api/backtests/${encodeURIComponent(id)}/trades?limit=1000&offset=${all.length}`,
      "trades",
    );
    all.push(...page.items);
    if (page.items.length === 0 || all.length >= page.total) return all;
  }
}

export interface EquityPoint {
  time: string | number;
  equity: number;
}

export function equityQuery(id: string, points = 2000) {
  return queryOptions({
    queryKey: backtestKeys.equity(id, points),
    queryFn: () =>
      apiFetch<{ total: number; points: EquityPoint[] }>(
        `/api/backtests/${encodeURIComponent(id)}/equity?points=${points}`,
      ),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export const createBacktest = (body: CreateBacktestRequest | { backtest: Record<string, unknown> }) =>
  apiSend<BacktestRecord>("POST", "/api/backtests", body);
export const cancelBacktest = (id: string) =>
  apiSend<BacktestRecord>("POST", `/api/backtests/${encodeURIComponent(id)}/cancel`);
export const rerunBacktest = (id: string) =>
  apiSend<BacktestRecord>("POST", `/api/backtests/${encodeURIComponent(id)}/rerun`);
export const deleteBacktest = (id: string) =>
  apiSend<void>("DELETE", `/api/backtests/${encodeURIComponent(id)}`);

/**
 * `/api/backtests/:id/events`, the SSE stream of progress and the terminal event. On the API's origin
 * (`VITE_API_URL`) like every other call: EventSource does not go through fetch.
 */
export const backtestEventsUrl = (id: string) => `${apiBase}/api/backtests/${encodeURIComponent(id)}/events`;
