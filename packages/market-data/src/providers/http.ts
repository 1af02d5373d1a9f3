import { ProviderError, type ProviderName, parseRetryAfter, safeReason } from "./errors.ts";

/** What every provider request needs: who is asking (for errors), how to fetch, and for how long. */
export interface HttpContext {
  provider: ProviderName;
  fetch: typeof fetch;
  timeoutMs: number;
  now: () => number;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
}

export interface JsonAnswer {
  status: number;
  headers: Headers;
  /** Parsed body, or undefined when the body is not JSON. */
  body: unknown;
}

/**
 * The platform `fetch`, wrapped: Workers throw "Illegal invocation" when `fetch` is called as a method
 * of some other object (as it would be from an options object), so it is never stored bare.
 */
export const platformFetch: typeof fetch = (input, init) => fetch(input, init);

/**
 * GET `url` and read the body as JSON, with a timeout covering the whole exchange (headers and body).
 * Network failures and timeouts become `upstream` ProviderErrors; a non-JSON body is reported as
 * `body: undefined` so the caller can still map the HTTP status first (a 429 is often plain text).
 *
 * @example
 * const answer = await getJson(ctx, "https://api.binance.com/api/v3/klines?symbol=BTCUSDT&interval=1m");
 * if (answer.status !== 200) throw errorForStatus(ctx, answer, "");
 */
export async function getJson(ctx: HttpContext, url: string): Promise<JsonAnswer> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, ctx.timeoutMs);
  const onAbort = () => controller.abort();
  ctx.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const response = await ctx.fetch(url, {
      method: "GET",
      headers: { Accept: "application/json", ...ctx.headers },
      signal: controller.signal,
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, headers: response.headers, body };
  } catch (error) {
    if (ctx.signal?.aborted) throw ctx.signal.reason ?? error;
    if (timedOut) {
      throw new ProviderError(
        ctx.provider,
        "upstream",
        `${ctx.provider} did not answer within ${ctx.timeoutMs} ms`,
        {
          cause: error,
        },
      );
    }
    throw new ProviderError(ctx.provider, "upstream", `${ctx.provider} could not be reached`, {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
    ctx.signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * The error for a non-2xx answer whose body the provider-specific code did not recognise, by status:
 * 429 (and Binance's 418 ban) rate limited with `Retry-After`; 404 not found; 400/422 bad request;
 * everything else, including 401/403/451 (our access, not the caller's request) and 5xx, upstream.
 *
 * @example
 * errorForStatus(ctx, { status: 429, headers: new Headers({ "Retry-After": "7" }), body: undefined }, "");
 * // ProviderError { kind: "rate_limited", retryAfterSeconds: 7 }
 */
export function errorForStatus(ctx: HttpContext, answer: JsonAnswer, reason: string): ProviderError {
  const { status } = answer;
  const why = safeReason(reason);
  const suffix = why === "" ? "" : `: ${why}`;
  if (status === 429 || status === 418) {
    return new ProviderError(ctx.provider, "rate_limited", `${ctx.provider} rate limit reached${suffix}`, {
      status,
      retryAfterSeconds: parseRetryAfter(answer.headers.get("retry-after"), ctx.now()),
    });
  }
  if (status === 404)
    return new ProviderError(ctx.provider, "not_found", `${ctx.provider}: not found${suffix}`, { status });
  if (status === 400 || status === 422) {
    return new ProviderError(ctx.provider, "bad_request", `${ctx.provider} rejected the request${suffix}`, {
      status,
    });
  }
  return new ProviderError(ctx.provider, "upstream", `${ctx.provider} answered HTTP ${status}${suffix}`, {
    status,
  });
}

/**
 * An `upstream` error for a 2xx answer we cannot read.
 *
 * @example
 * if (!Array.isArray(body)) throw malformed(ctx, "klines are not an array");
 */
export function malformed(ctx: HttpContext, what: string): ProviderError {
  return new ProviderError(ctx.provider, "upstream", `${ctx.provider} sent an unreadable response (${what})`);
}

/**
 * Settles with `promise`, or rejects with the signal's reason as soon as `signal` aborts. Used for
 * cached loads, which run without any caller's signal: they are shared, and one caller giving up must
 * not fail the others. The abandoned load still ends within the provider timeout.
 *
 * @example
 * return abortable(cache.getOrLoad(key, load), request.signal);
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
