import { type InferRequestType, unwrap, unwrapPage } from "@quantago/app-kit/client";
import type { StrategyCatalogEntry, StrategyVersionInfo } from "@quantago/contracts";
import { queryOptions } from "@tanstack/react-query";
import { api } from "./api-client.ts";

export type Strategy = StrategyCatalogEntry & { isPublic?: boolean; owned?: boolean; createdAt?: string };
export type { StrategyVersionInfo };

export const strategyKeys = {
  all: ["strategies"] as const,
  list: () => [...strategyKeys.all, "list"] as const,
  detail: (slug: string) => [...strategyKeys.all, "detail", slug] as const,
  versions: (slug: string) => [...strategyKeys.all, "versions", slug] as const,
};

/** Every strategy call of the app, over the typed client (routes of docs/api.md, Strategies). */
const strategies = api.api.strategies;
const bySlug = strategies[":slug"];
const slugPath = (slug: string) => `/api/strategies/${encodeURIComponent(slug)}`;

/** The catalog (a bare array with `X-Total-Count`, like every list route). */
export function strategiesQuery() {
  return queryOptions({
    queryKey: strategyKeys.list(),
    queryFn: async (): Promise<Strategy[]> => (await unwrapPage(strategies.$get())).items,
    staleTime: 60_000,
  });
}

export function strategyQuery(slug: string) {
  return queryOptions({
    queryKey: strategyKeys.detail(slug),
    queryFn: async (): Promise<Strategy> => (await unwrap(bySlug.$get({ param: { slug } }))).strategy,
    staleTime: 60_000,
  });
}

/** Versions of a registry strategy, newest first (built-ins have none: they ship with the API). */
export function versionsQuery(slug: string) {
  return queryOptions({
    queryKey: strategyKeys.versions(slug),
    queryFn: async (): Promise<StrategyVersionInfo[]> =>
      (await unwrapPage(bySlug.versions.$get({ param: { slug } }))).items,
    staleTime: 30_000,
  });
}

/** Where a version's artifact downloads from (owner, or anyone for a public strategy). */
export const artifactUrl = (slug: string, version: string) =>
  `${slugPath(slug)}/versions/${encodeURIComponent(version)}/artifact`;

/** The JSON body a route takes, as the API's validator declares it. */
type JsonOf<Post> = InferRequestType<Post> extends { json: infer J } ? J : never;

/** `POST /api/strategies`: 201 `{ definition, version }`. The forms send what they hold; the API checks it. */
export const createStrategy = (
  body: unknown,
): Promise<{ definition: Strategy; version: StrategyVersionInfo }> =>
  unwrap(strategies.$post({ json: body as JsonOf<typeof strategies.$post> }));

/** `POST /api/strategies/:slug/versions`: 201 with the new version's row. */
export const publishVersion = (slug: string, body: unknown): Promise<StrategyVersionInfo> =>
  unwrap(bySlug.versions.$post({ param: { slug }, json: body as JsonOf<typeof bySlug.versions.$post> }));
