import { sql } from "drizzle-orm";
import type { Services } from "../services.ts";

export interface DependencyCheck {
  ok: boolean;
  ms?: number;
  reason?: string;
}

async function timed(run: () => Promise<unknown>, failure: string): Promise<DependencyCheck> {
  const started = performance.now();
  try {
    await run();
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (err) {
    // The reason is generic on purpose: connection strings and server messages stay in the log.
    console.error(JSON.stringify({ msg: "health check failed", check: failure, error: String(err) }));
    return { ok: false, ms: Math.round(performance.now() - started), reason: failure };
  }
}

/** Checks configuration, then PostgreSQL and ClickHouse concurrently. */
export async function deepHealth(services: Services): Promise<Record<string, DependencyCheck>> {
  try {
    void services.config;
  } catch {
    return { config: { ok: false, reason: "configuration incomplete" } };
  }
  const [postgres, clickhouse] = await Promise.all([
    timed(() => services.db.execute(sql`select 1`), "postgres unreachable"),
    timed(async () => {
      const result = await services.clickhouse.ping();
      if (!result.success) throw result.error;
    }, "clickhouse unreachable"),
  ]);
  return { config: { ok: true }, postgres, clickhouse };
}
