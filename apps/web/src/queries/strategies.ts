import { apiFetch } from "@quantago/app-kit";
import type { StrategyCatalogEntry } from "@quantago/contracts";
import { queryOptions } from "@tanstack/react-query";
import { apiGetWithHeaders } from "./http.ts";

export type Strategy = StrategyCatalogEntry & { isPublic?: boolean; owned?: boolean; createdAt?: string };

export const strategyKeys = {
  all: ["strategies"] as const,
  list: () => [...strategyKeys.all, "list"] as const,
  detail: (slug: string) => [...strategyKeys.all, "detail", slug] as const,
};

/**
 * The catalog. The list route is moving from `{ strategies }` to a bare array with `X-Total-Count`;
 * both shapes are read here so the pages never notice.
 */
export function strategiesQuery() {
  return queryOptions({
    queryKey: strategyKeys.list(),
    queryFn: async () => {
      const { body } = await apiGetWithHeaders<Strategy[] | { strategies: Strategy[] }>("/api/strategies");
      return Array.isArray(body) ? body : body.strategies;
    },
    staleTime: 60_000,
  });
}

export function strategyQuery(slug: string) {
  return queryOptions({
    queryKey: strategyKeys.detail(slug),
    queryFn: async () =>
      (await apiFetch<{ strategy: Strategy }>(`/api/strategies/${encodeURIComponent(slug)}`)).strategy,
    staleTime: 60_000,
  });
}
