import type { HealthResponse } from "@quantago/contracts";
import { queryOptions } from "@tanstack/react-query";
import { apiFetch } from "./api.ts";

/** `GET /api/health`, optionally with the dependency checks (`deep`). */
export function healthQuery(deep = false) {
  return queryOptions({
    queryKey: ["health", { deep }],
    queryFn: () => apiFetch<HealthResponse>(`/api/health${deep ? "?deep=1" : ""}`),
    refetchInterval: 15_000,
  });
}
