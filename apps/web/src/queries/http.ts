import { ApiError, apiBase, asErrorEnvelope } from "@quantago/app-kit";

/** Every call of this app goes through `queries/*.ts`; this file holds the two the JSON helper cannot do. */

async function failure(res: Response): Promise<ApiError> {
  const err = new ApiError(res.status, asErrorEnvelope(await res.json().catch(() => undefined)));
  const retry = Number(res.headers.get("retry-after"));
  if (Number.isFinite(retry) && retry > 0) Object.assign(err, { retryAfterSeconds: retry });
  return err;
}

/** GET JSON and keep the response headers (list routes move their totals to `X-Total-Count`). */
export async function apiGetWithHeaders<T>(path: string): Promise<{ body: T; headers: Headers }> {
  const res = await fetch(`${apiBase}${path}`, {
    credentials: "include",
    headers: { accept: "application/json" },
  });
  if (!res.ok) throw await failure(res);
  return { body: (await res.json()) as T, headers: res.headers };
}

export interface Page<T> {
  items: T[];
  total: number;
}

/**
 * A list route answer as `{ items, total }`: today `{ <name>: [...], total }`, soon a bare array with
 * `X-Total-Count`. Only this function knows; every list call of the app goes through it.
 */
export async function listPage<T>(path: string, name: string): Promise<Page<T>> {
  const { body, headers } = await apiGetWithHeaders<T[] | Record<string, unknown>>(path);
  if (Array.isArray(body)) {
    const total = Number(headers.get("x-total-count"));
    return { items: body, total: Number.isFinite(total) && total >= 0 ? total : body.length };
  }
  const items = (body[name] ?? []) as T[];
  return { items, total: typeof body.total === "number" ? body.total : items.length };
}

/** POST/DELETE with a JSON body; 204 answers `undefined`. */
export async function apiSend<T>(
  method: "POST" | "DELETE" | "PATCH",
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${apiBase}${path}`, {
    method,
    credentials: "include",
    headers: {
      accept: "application/json",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw await failure(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** GET binary bytes (the columnar market data route). */
export async function apiGetBytes(path: string, accept: string, signal?: AbortSignal): Promise<ArrayBuffer> {
  const res = await fetch(`${apiBase}${path}`, {
    credentials: "include",
    headers: { accept },
    ...(signal ? { signal } : {}),
  });
  if (!res.ok) throw await failure(res);
  return res.arrayBuffer();
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

/** Issues of a 400 answer as `path → message` (path joined with dots, e.g. `backtest.parameters.fast`). */
export function issuesOf(err: unknown): Array<{ path: string; message: string }> {
  if (!(err instanceof ApiError)) return [];
  const issues = (
    err.envelope?.error as { issues?: Array<{ path: Array<string | number>; message: string }> } | undefined
  )?.issues;
  return (issues ?? []).map((i) => ({ path: i.path.join("."), message: i.message }));
}
