/**
 * The remote runtime (docs/compatibility.md#strategy-contract, docs/compatibility.md#runtimes): the strategy contract over HTTP. One `POST` per candle to the
 * endpoint with the input JSON; the answer is the decision JSON. Compatible with the published Python
 * SDK (`POST /signal`). Every failure is an error a person can act on: which candle, what status,
 * timeout or size, never a stack trace.
 */
import type { RemoteRuntimeConfig } from "@quantago/contracts";
import type { AsyncCandleStrategyFn } from "@quantago/strategies";
import { endpointRefusal } from "./endpoint-policy.ts";
import { RuntimeError } from "./errors.ts";

/** Default per-call timeout (docs/compatibility.md#runtimes). */
export const DEFAULT_REMOTE_TIMEOUT_MS = 5_000;
/** Largest decision accepted from a remote strategy; a decision is a few hundred bytes. */
export const MAX_REMOTE_RESPONSE_BYTES = 64 * 1024;

export interface RemoteCallerOptions {
  /** Allow loopback/private endpoints (dev and tests). */
  allowPrivate: boolean;
  /** For tests and special deployments; default the global fetch. */
  fetcher?: typeof fetch;
  /**
   * The run's cancellation: aborting it aborts the call in flight, and the call rejects with the
   * signal's reason (not a timeout), so whoever aborted it can tell its own reason apart.
   */
  signal?: AbortSignal;
}

async function readLimited(res: Response, limit: number): Promise<string> {
  const declared = Number(res.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) throw new Error(`answered ${declared} bytes, over the limit of ${limit}`);
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new Error(`answered more than ${limit} bytes`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/** Refuses a forbidden endpoint with a RuntimeError (used at submit time and before a run). */
export function assertEndpointAllowed(endpoint: string, allowPrivate: boolean): void {
  const refusal = endpointRefusal(endpoint, allowPrivate);
  if (refusal) throw new RuntimeError("remote_endpoint", `Remote strategy endpoint ${refusal}.`);
}

/**
 * A per-candle function calling the remote strategy; hand it to `adaptAsyncCandleStrategy`.
 *
 * @example
 * ```ts
 * const call = remoteCaller({ type: "remote", language: "python", endpoint }, { allowPrivate: false });
 * await call(input); // { action: "BUY", size: 1 }
 * ```
 */
export function remoteCaller(
  config: RemoteRuntimeConfig,
  options: RemoteCallerOptions,
): AsyncCandleStrategyFn {
  assertEndpointAllowed(config.endpoint, options.allowPrivate);
  const timeoutMs = config.timeoutMs ?? DEFAULT_REMOTE_TIMEOUT_MS;
  const fetcher = options.fetcher ?? fetch;
  const headers = { ...config.headers, "content-type": "application/json", accept: "application/json" };
  const cancelled = options.signal;
  return async (input) => {
    const index = input.context.index;
    cancelled?.throwIfAborted();
    const timeout = AbortSignal.timeout(timeoutMs);
    let res: Response;
    try {
      res = await fetcher(config.endpoint, {
        method: "POST",
        headers,
        body: JSON.stringify(input),
        // A redirect could lead to an address the endpoint policy refuses: never follow one.
        redirect: "manual",
        signal: cancelled ? AbortSignal.any([cancelled, timeout]) : timeout,
      });
    } catch (e) {
      cancelled?.throwIfAborted();
      const timedOut = e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError");
      throw new RuntimeError(
        timedOut ? "remote_timeout" : "remote_unreachable",
        timedOut
          ? `Remote strategy did not answer within ${timeoutMs} ms at candle ${index}.`
          : `Remote strategy endpoint could not be reached at candle ${index}.`,
        { cause: e },
      );
    }
    let text: string;
    try {
      if (!res.ok) {
        await res.body?.cancel();
        throw new RuntimeError(
          "remote_status",
          `Remote strategy answered HTTP ${res.status} at candle ${index}${res.status >= 300 && res.status < 400 ? " (redirects are not followed)" : ""}.`,
        );
      }
      text = await readLimited(res, MAX_REMOTE_RESPONSE_BYTES);
    } catch (e) {
      cancelled?.throwIfAborted();
      if (e instanceof RuntimeError) throw e;
      throw new RuntimeError(
        "remote_response",
        `Remote strategy ${(e as Error).message} at candle ${index}.`,
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new RuntimeError(
        "remote_response",
        `Remote strategy answered something that is not JSON at candle ${index}.`,
      );
    }
  };
}
