import { ApiError, apiBase, asErrorEnvelope } from "./api.ts";

/** A failed response as `ApiError`, with `retryAfterSeconds` when the API rate-limited the call. */
export async function failureOf(res: Response): Promise<ApiError> {
  const err = new ApiError(res.status, asErrorEnvelope(await res.json().catch(() => undefined)));
  const retry = Number(res.headers.get("retry-after"));
  if (Number.isFinite(retry) && retry > 0) Object.assign(err, { retryAfterSeconds: retry });
  return err;
}

/** The message, status and request id of any error, for `ErrorState`. */
export function describeError(err: unknown): { message: string; status?: number; requestId?: string } {
  if (err instanceof ApiError)
    return {
      message: err.message,
      status: err.status,
      ...(err.envelope?.error.requestId ? { requestId: err.envelope.error.requestId } : {}),
    };
  return { message: err instanceof Error ? err.message : String(err) };
}

/** GET binary bytes (the columnar market data route, which `hc` cannot type). */
export async function apiGetBytes(path: string, accept: string, signal?: AbortSignal): Promise<ArrayBuffer> {
  const res = await fetch(`${apiBase}${path}`, {
    credentials: "include",
    headers: { accept },
    ...(signal ? { signal } : {}),
  });
  if (!res.ok) throw await failureOf(res);
  return res.arrayBuffer();
}

/** Issues of a 400 answer as `path → message`, the path joined with dots (`backtest.parameters.fast`). */
export function issuesOf(err: unknown): Array<{ path: string; message: string }> {
  if (!(err instanceof ApiError)) return [];
  const issues = (
    err.envelope?.error as { issues?: Array<{ path: Array<string | number>; message: string }> } | undefined
  )?.issues;
  return (issues ?? []).map((i) => ({ path: i.path.join("."), message: i.message }));
}
