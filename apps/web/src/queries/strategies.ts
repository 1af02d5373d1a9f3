import { apiFetch } from "@quantago/app-kit";
import type { StrategyCatalogEntry, StrategyVersionInfo } from "@quantago/contracts";
import { queryOptions } from "@tanstack/react-query";
import { apiSend, listPage } from "./http.ts";

export type Strategy = StrategyCatalogEntry & { isPublic?: boolean; owned?: boolean; createdAt?: string };
export type { StrategyVersionInfo };

export const strategyKeys = {
  all: ["strategies"] as const,
  list: () => [...strategyKeys.all, "list"] as const,
  detail: (slug: string) => [...strategyKeys.all, "detail", slug] as const,
  versions: (slug: string) => [...strategyKeys.all, "versions", slug] as const,
};

const slugPath = (slug: string) => `/api/strategies/${encodeURIComponent(slug)}`;

/** The catalog (list shape read by `listPage`, like every list route). */
export function strategiesQuery() {
  return queryOptions({
    queryKey: strategyKeys.list(),
    queryFn: async () => (await listPage<Strategy>("/api/strategies", "strategies")).items,
    staleTime: 60_000,
  });
}

export function strategyQuery(slug: string) {
  return queryOptions({
    queryKey: strategyKeys.detail(slug),
    queryFn: async () => (await apiFetch<{ strategy: Strategy }>(slugPath(slug))).strategy,
    staleTime: 60_000,
  });
}

/** Versions of a registry strategy, newest first (built-ins have none: they ship with the API). */
export function versionsQuery(slug: string) {
  return queryOptions({
    queryKey: strategyKeys.versions(slug),
    queryFn: async () =>
      (await listPage<StrategyVersionInfo>(`${slugPath(slug)}/versions`, "versions")).items,
    staleTime: 30_000,
  });
}

/** Where a version's artifact downloads from (owner, or anyone for a public strategy). */
export const artifactUrl = (slug: string, version: string) =>
  `${slugPath(slug)}/versions/${encodeURIComponent(version)}/artifact`;

/** `POST /api/strategies`: 201 `{ definition, version }`. */
export const createStrategy = (body: unknown) =>
  apiSend<{ definition: Strategy; version: StrategyVersionInfo }>("POST", "/api/strategies", body);

/** `POST /api/strategies/:slug/versions`: today `{ version }`, soon the bare row; both read here. */
export async function publishVersion(slug: string, body: unknown): Promise<StrategyVersionInfo> {
  const res = await apiSend<StrategyVersionInfo | { version: StrategyVersionInfo }>(
    "POST",
    `${slugPath(slug)}/versions`,
    body,
  );
  return "id" in res ? res : res.version;
}
