import { RequestCache } from "./cache.ts";
import type { ProviderName } from "./errors.ts";
import { type HttpContext, platformFetch } from "./http.ts";
import { DEFAULT_PROVIDER_TIMEOUT_MS, type ProviderOptions } from "./types.ts";

/** What every live provider makes of its `ProviderOptions`. */
export interface ResolvedProviderOptions {
  /** The origin without trailing slashes. */
  baseUrl: string;
  cache: RequestCache | null;
  now: () => number;
  /** The HTTP context of every request, less the caller's abort signal. */
  http: Omit<HttpContext, "signal">;
}

/** Applies the defaults shared by every live provider (origin, cache, clock, fetch, timeout). */
export function resolveProviderOptions(
  provider: ProviderName,
  options: ProviderOptions,
  defaults: { baseUrl: string; headers?: Record<string, string> },
): ResolvedProviderOptions {
  const now = options.now ?? Date.now;
  return {
    baseUrl: (options.baseUrl ?? defaults.baseUrl).replace(/\/+$/, ""),
    cache: options.cache === false ? null : (options.cache ?? new RequestCache({ now: options.now })),
    now,
    http: {
      provider,
      fetch: options.fetch ?? platformFetch,
      timeoutMs: options.timeoutMs ?? DEFAULT_PROVIDER_TIMEOUT_MS,
      now,
      ...(defaults.headers ? { headers: defaults.headers } : {}),
    },
  };
}
