import { apiBase } from "@quantago/app-kit";
import { type Page, unwrap, unwrapPage } from "@quantago/app-kit/client";
import type {
  CreateMonteCarloRequest,
  CreateSweepRequest,
  HeatmapAggregate,
  MonteCarloRecord,
  SweepHeatmap,
  SweepRecord,
  SweepResult,
  WalkForwardSummary,
} from "@quantago/contracts";
import { queryOptions } from "@tanstack/react-query";
import { api } from "./api-client.ts";
import type { ProgressStreamTarget } from "./live.ts";

export type { MonteCarloRecord, SweepHeatmap, SweepRecord, SweepResult, WalkForwardSummary };

/** Every research call of the app, over the typed client (docs/api.md#research). */
const sweeps = api.api.research.sweeps;
const one = sweeps[":id"];
const monteCarlo = api.api.research["monte-carlo"];

export const isActiveSweep = (s: string) => s === "pending" || s === "running";

export const researchKeys = {
  all: ["research"] as const,
  sweeps: () => [...researchKeys.all, "sweeps"] as const,
  sweep: (id: string) => [...researchKeys.all, "sweep", id] as const,
  results: (id: string, status: string | undefined) =>
    [...researchKeys.sweep(id), "results", status] as const,
  heatmap: (id: string, q: HeatmapQuery) => [...researchKeys.sweep(id), "heatmap", q] as const,
  walkForward: (id: string) => [...researchKeys.sweep(id), "walk-forward"] as const,
  monteCarloRuns: (backtestId?: string) => [...researchKeys.all, "monte-carlo", "list", backtestId] as const,
  monteCarlo: (id: string) => [...researchKeys.all, "monte-carlo", id] as const,
};

export const sweepListQuery = () =>
  queryOptions({
    queryKey: researchKeys.sweeps(),
    queryFn: (): Promise<Page<SweepRecord>> => unwrapPage(sweeps.$get({ query: {} })),
    refetchInterval: (q) => (q.state.data?.items.some((s) => isActiveSweep(s.status)) ? 2000 : false),
  });

/** The record; polled only while `poll` (the SSE stream failed) and the sweep is active. */
export const sweepQuery = (id: string, poll: boolean) =>
  queryOptions({
    queryKey: researchKeys.sweep(id),
    queryFn: (): Promise<SweepRecord> => unwrap(one.$get({ param: { id } })),
    refetchInterval: (q) => (poll && (!q.state.data || isActiveSweep(q.state.data.status)) ? 1000 : false),
  });

/** The best results, refetched whenever the status changes (and while running, every few seconds). */
export const sweepResultsQuery = (id: string, status: string | undefined) =>
  queryOptions({
    queryKey: researchKeys.results(id, status),
    queryFn: (): Promise<Page<SweepResult>> =>
      unwrapPage(one.results.$get({ param: { id }, query: { limit: "50" } })),
    enabled: status !== undefined,
    refetchInterval: status && isActiveSweep(status) ? 3000 : false,
  });

export interface HeatmapQuery {
  x: string;
  y: string;
  aggregate: HeatmapAggregate;
  /** Other swept parameters held at one value; those not named are aggregated. */
  fixed: Record<string, string | number | boolean>;
}

export const heatmapQuery = (id: string, q: HeatmapQuery, enabled: boolean) =>
  queryOptions({
    queryKey: researchKeys.heatmap(id, q),
    queryFn: (): Promise<SweepHeatmap> =>
      unwrap(
        one.heatmap.$get({
          param: { id },
          query: {
            x: q.x,
            y: q.y,
            aggregate: q.aggregate,
            ...(Object.keys(q.fixed).length > 0 ? { fixed: JSON.stringify(q.fixed) } : {}),
          },
        }),
      ),
    enabled,
    placeholderData: (previous) => previous,
  });

export const walkForwardQuery = (id: string, enabled: boolean) =>
  queryOptions({
    queryKey: researchKeys.walkForward(id),
    queryFn: (): Promise<WalkForwardSummary> => unwrap(one["walk-forward"].$get({ param: { id } })),
    enabled,
    staleTime: Number.POSITIVE_INFINITY,
  });

export const submitSweep = (body: CreateSweepRequest): Promise<SweepRecord> =>
  unwrap(sweeps.$post({ json: body }));
export const cancelSweep = (id: string): Promise<SweepRecord> => unwrap(one.cancel.$post({ param: { id } }));
/** Opens a combination as a full backtest (202 with the backtest's record). */
export const openSweepResult = (id: string, combination: number) =>
  unwrap(one.results[":combination"].backtest.$post({ param: { id, combination: String(combination) } }));

/** Sweeps send the same progress events as backtests (`/api/research/sweeps/:id/events`). */
export const sweepStreams: ProgressStreamTarget = {
  url: (id) => `${apiBase}/api/research/sweeps/${encodeURIComponent(id)}/events`,
  apply: (queryClient, id, data) =>
    queryClient.setQueryData<SweepRecord>(researchKeys.sweep(id), (old) => (old ? { ...old, ...data } : old)),
  settle: (queryClient, id) => {
    void queryClient.invalidateQueries({ queryKey: researchKeys.sweep(id) });
    void queryClient.invalidateQueries({ queryKey: researchKeys.sweeps() });
  },
};

export const monteCarloListQuery = (backtestId?: string) =>
  queryOptions({
    queryKey: researchKeys.monteCarloRuns(backtestId),
    queryFn: (): Promise<Page<MonteCarloRecord>> =>
      unwrapPage(monteCarlo.$get({ query: backtestId ? { backtest_id: backtestId } : {} })),
  });

export const monteCarloQuery = (id: string) =>
  queryOptions({
    queryKey: researchKeys.monteCarlo(id),
    queryFn: (): Promise<MonteCarloRecord> => unwrap(monteCarlo[":id"].$get({ param: { id } })),
    staleTime: Number.POSITIVE_INFINITY,
  });

export const createMonteCarlo = (body: CreateMonteCarloRequest): Promise<MonteCarloRecord> =>
  unwrap(monteCarlo.$post({ json: body }));
