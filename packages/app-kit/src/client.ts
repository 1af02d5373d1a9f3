/**
 * The typed API client the apps share: Hono's `hc` over the API's own route types, so a renamed route,
 * a changed parameter or a changed response shape is a type error in the app, not a runtime surprise.
 *
 * `AppType` is imported as a type only (`import type` is erased by the bundler): no Worker code ever
 * reaches the browser bundle. `hono` comes from the workspace catalog on both sides, so the route types
 * the API builds and the client that reads them are the same Hono version.
 */
import type { AppType } from "@quantago/api/app-type";
import { type ClientResponse, hc } from "hono/client";
import { ApiError, apiBase, toApiError } from "./api.ts";

export type ApiClient = ReturnType<typeof hc<AppType>>;

export interface ApiClientOptions {
  /** Origin of the API; default `VITE_API_URL`, or the page's own origin (dev proxy, same-site deploys). */
  baseUrl?: string;
  /** For tests, or a platform fetch; default the global `fetch`. */
  fetch?: typeof fetch;
}

/** Where `hc` sends requests: an absolute origin, or the page's own when none is configured. */
function resolveBase(baseUrl: string): string {
  if (baseUrl !== "") return baseUrl;
  const origin = (globalThis as { location?: { origin?: string } }).location?.origin;
  return origin ?? "http://localhost";
}

/**
 * A client for every route of the API, sending the session cookie (`credentials: "include"`), which
 * cross-site deployments need.
 *
 * @example
 * const api = createApiClient();
 * const backtest = await unwrap(api.api.backtests[":id"].$get({ param: { id } }));
 */
export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  return hc<AppType>(resolveBase(options.baseUrl ?? apiBase), {
    init: { credentials: "include" },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

type SuccessBody<R> =
  R extends ClientResponse<infer T, infer S, "json"> ? (S extends 200 | 201 | 202 ? T : never) : never;

/**
 * Awaits a client call and returns its JSON body when the status is 2xx; anything else becomes an
 * `ApiError` carrying the status and, when the body is the API's error envelope, the envelope.
 */
export async function unwrap<R extends ClientResponse<unknown, number, string>>(
  call: Promise<R> | R,
): Promise<SuccessBody<R>> {
  const res = await call;
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) throw toApiError(res.status, body);
  return body as SuccessBody<R>;
}

/** One page of a list route: its items, the total across pages, and where the next page starts. */
export interface Page<T> {
  items: T[];
  /** `X-Total-Count`; the page's length when the header is absent. */
  total: number;
  /** `offset` of the next page, from `Link: <…>; rel="next"`; null on the last page. */
  nextOffset: number | null;
  /** The next page's URL as the API gave it (path and query); null on the last page. */
  next: string | null;
}

/** The `rel="next"` target of a `Link` header, or null. */
export function nextLink(link: string | null): string | null {
  if (!link) return null;
  for (const part of link.split(",")) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (m && /(^|;)\s*rel="?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(m[2] ?? "")) return m[1] ?? null;
  }
  return null;
}

type ElementOf<T> = T extends ReadonlyArray<infer E> ? E : never;

/**
 * Like {@link unwrap} for the list routes, which answer bare arrays: returns the items with the
 * paging headers read (`X-Total-Count`, `Link` rel="next").
 *
 * @example
 * const { items, total, nextOffset } = await unwrapPage(api.api.backtests.$get({ query: { limit: "50" } }));
 */
export async function unwrapPage<R extends ClientResponse<unknown, number, string>>(
  call: Promise<R> | R,
): Promise<Page<ElementOf<SuccessBody<R>>>> {
  const res = await call;
  const items = (await unwrap(res)) as unknown as Array<ElementOf<SuccessBody<R>>>;
  const header = res.headers.get("X-Total-Count");
  const next = nextLink(res.headers.get("Link"));
  const offset = next === null ? null : new URL(next, "http://x").searchParams.get("offset");
  return {
    items,
    total: header === null ? items.length : Number(header),
    nextOffset: offset === null ? null : Number(offset),
    next,
  };
}

export type { InferRequestType } from "hono/client";
export { ApiError };
