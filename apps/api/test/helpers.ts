import { env, exports } from "cloudflare:workers";
import type { ErrorEnvelope } from "@quantago/contracts";
import { errorEnvelopeSchema } from "@quantago/contracts";
import { createDb } from "@quantago/db";
import { createClickHouse } from "@quantago/market-data";
import { expect } from "vitest";

/** Sends a request through the Worker's real fetch handler (all middleware included). */
export function api(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(`http://api.test${path}`, init));
}

/** Asserts the error envelope shape and code, and returns it for further checks. */
export async function expectError(res: Response, status: number, code: string): Promise<ErrorEnvelope> {
  expect(res.status).toBe(status);
  const body = errorEnvelopeSchema.parse(await res.json());
  expect(body.error.code).toBe(code);
  expect(body.error.requestId).toBe(res.headers.get("X-Request-Id"));
  // The published clients read the top-level message.
  expect(body.message).toBe(body.error.message);
  return body;
}

/** A ClickHouse client on the test run's database (close it in `finally`). */
export function testClickHouse() {
  if (!env.CLICKHOUSE_URL) throw new Error("CLICKHOUSE_URL not provided by the global setup");
  return createClickHouse({
    url: env.CLICKHOUSE_URL,
    username: env.CLICKHOUSE_USERNAME,
    password: env.CLICKHOUSE_PASSWORD,
    database: env.CLICKHOUSE_DB,
  });
}

/** A drizzle database on the test run's PostgreSQL (close it in `finally`). */
export function testDb() {
  if (!env.DATABASE_URL) throw new Error("DATABASE_URL not provided by the global setup");
  return createDb({ databaseUrl: env.DATABASE_URL, wsProxy: env.DATABASE_WS_PROXY });
}

/** Fails the test with a clear message instead of a non-null assertion. */
export function defined<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`expected ${what}`);
  return value;
}
