/**
 * What the benches that drive a running dev stack (`pnpm dev`) share: signing in as the seeded trader
 * and calling the API as a browser would, and storing the exact SMAX-1m bars (docs/smax-reference.md)
 * like any ingested series.
 */
import { generateSmaxBars } from "../packages/engine/src/index.ts";
import { countStoredBars, createClickHouse, insertBars } from "../packages/market-data/src/index.ts";

export interface DevStackApi {
  api: string;
  /** The Origin the API trusts (the dev stack's web origin): Better Auth refuses a sign-in without it. */
  origin: string;
  email: string;
  password: string;
}

/** Signs in and returns the session cookie header. */
export async function signIn({ api, origin, email, password }: DevStackApi): Promise<string> {
  const res = await fetch(`${api}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`sign-in: HTTP ${res.status} ${await res.text()}`);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

/** A JSON request to the API with the session cookie and the trusted Origin. */
export function call(
  { api, origin }: Pick<DevStackApi, "api" | "origin">,
  cookie: string,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  return fetch(`${api}${path}`, {
    ...init,
    headers: { cookie, origin, "content-type": "application/json", ...(init.headers ?? {}) },
  });
}

/**
 * Reads an SSE stream of the API (`path`, e.g. `/api/backtests/:id/events`) until its terminal event
 * (`completed`, `failed` or `cancelled`), as the web app follows a run; returns when that event came
 * (`performance.now()`).
 */
export async function untilEnded(
  stack: Pick<DevStackApi, "api" | "origin">,
  cookie: string,
  path: string,
): Promise<number> {
  const res = await call(stack, cookie, path);
  if (res.status !== 200 || !res.body) throw new Error(`${path}: HTTP ${res.status}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`${path} ended before the run did`);
    text += decoder.decode(value, { stream: true });
    if (/^event: (completed|failed|cancelled)$/m.test(text)) break;
  }
  const at = performance.now();
  await reader.cancel().catch(() => {});
  return at;
}

export const SMAX_SYMBOL = "SMAX-1M";
const SMAX_SERIES = 1_000_000;

/** Stores the 1,000,000 SMAX-1m bars as `SMAX-1M` unless all of them are there; true when it wrote. */
export async function seedSmaxBars(clickhouse: { url: string; database: string }): Promise<boolean> {
  const connection = {
    ...clickhouse,
    username: process.env.CLICKHOUSE_USERNAME,
    password: process.env.CLICKHOUSE_PASSWORD,
  };
  const client = createClickHouse(connection);
  try {
    if ((await countStoredBars(client, SMAX_SYMBOL, clickhouse.database)) === SMAX_SERIES) return false;
  } finally {
    await client.close();
  }
  await insertBars(
    connection,
    { symbol: SMAX_SYMBOL, assetClass: "crypto", timeframe: "1m", source: "csv", ingestVersion: 1 },
    generateSmaxBars(SMAX_SERIES),
  );
  return true;
}
