import { env } from "cloudflare:workers";
import { ingestionEvent, ingestionRun, ingestionRunSymbol, marketSymbol } from "@quantago/db";
import { asc, eq, inArray } from "drizzle-orm";
import { api, testDb } from "./helpers.ts";

export const SECRET = { "x-ingestion-admin-secret": "test-ingestion-secret-0123456789" };

/** A request to `/api/admin/ingestion{path}` with the ingestion secret. */
export function admin(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  for (const [k, v] of Object.entries(SECRET)) headers.set(k, v);
  return api(`/api/admin/ingestion${path}`, { ...init, headers });
}

export function postJson(path: string, body: unknown): Promise<Response> {
  return admin(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** A fresh symbol name (tests share one database and one ClickHouse). */
export function uniqueSymbol(prefix = "T"): string {
  return `${prefix}${crypto.randomUUID().replaceAll("-", "").slice(0, 8).toUpperCase()}-USD`;
}

export async function registerSymbols(
  entries: Array<{
    symbol: string;
    source: string;
    availableFrom?: string;
    metadata?: Record<string, unknown>;
  }>,
) {
  const res = await postJson("/symbols", { symbols: entries });
  if (res.status !== 200) throw new Error(`register failed: ${res.status} ${await res.text()}`);
}

export async function withDb<T>(fn: (db: ReturnType<typeof testDb>["db"]) => Promise<T>): Promise<T> {
  const { db, close } = testDb();
  try {
    return await fn(db);
  } finally {
    await close();
  }
}

export async function runRecord(runId: string) {
  return withDb(async (db) => {
    const [run] = await db.select().from(ingestionRun).where(eq(ingestionRun.id, runId));
    const symbols = await db
      .select()
      .from(ingestionRunSymbol)
      .where(eq(ingestionRunSymbol.runId, runId))
      .orderBy(asc(ingestionRunSymbol.symbol));
    const events = await db
      .select()
      .from(ingestionEvent)
      .where(eq(ingestionEvent.runId, runId))
      .orderBy(asc(ingestionEvent.id));
    return { run, symbols, events };
  });
}

/** Polls until the run leaves pending/running. */
export async function waitForRun(runId: string, timeoutMs = 90_000) {
  const started = Date.now();
  for (;;) {
    const record = await runRecord(runId);
    if (record.run && !["pending", "running"].includes(record.run.status)) return record;
    if (Date.now() - started > timeoutMs) throw new Error(`run ${runId} still ${record.run?.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function deleteSymbols(symbols: string[]) {
  await withDb((db) => db.delete(marketSymbol).where(inArray(marketSymbol.symbol, symbols)));
}

export { env };
