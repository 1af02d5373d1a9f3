import type { AdminHealthResponse } from "@quantago/contracts";
import { sql } from "drizzle-orm";
import type { Services } from "../services.ts";

export interface DependencyCheck {
  ok: boolean;
  ms?: number;
  reason?: string;
  /** The server's version; only the admin route reports it (versions help attackers, not probes). */
  version?: string;
}

/** Runs a probe that may return the dependency's version, timing it; failures are reported, not thrown. */
async function timed(run: () => Promise<unknown>, failure: string): Promise<DependencyCheck> {
  const started = performance.now();
  try {
    const version = await run();
    const ms = Math.round(performance.now() - started);
    return typeof version === "string" ? { ok: true, ms, version } : { ok: true, ms };
  } catch (err) {
    // The reason is generic on purpose: connection strings and server messages stay in the log.
    console.error(JSON.stringify({ msg: "health check failed", check: failure, error: String(err) }));
    return { ok: false, ms: Math.round(performance.now() - started), reason: failure };
  }
}

function configOk(services: Services): boolean {
  try {
    void services.config;
    return true;
  } catch {
    return false;
  }
}

async function databases(services: Services, withVersions: boolean) {
  return Promise.all([
    timed(async () => {
      if (!withVersions) return void (await services.db.execute(sql`select 1`));
      const result = await services.db.execute<{ server_version: string }>(sql`show server_version`);
      return result.rows[0]?.server_version;
    }, "postgres unreachable"),
    timed(async () => {
      if (!withVersions) {
        const result = await services.clickhouse.ping();
        if (!result.success) throw result.error;
        return;
      }
      const result = await services.clickhouse.query({
        query: "SELECT version() AS v",
        format: "JSONEachRow",
      });
      const [row] = await result.json<{ v: string }>();
      return row?.v;
    }, "clickhouse unreachable"),
  ]);
}

/** Checks configuration, then PostgreSQL and ClickHouse concurrently. */
export async function deepHealth(services: Services): Promise<Record<string, DependencyCheck>> {
  if (!configOk(services)) return { config: { ok: false, reason: "configuration incomplete" } };
  const [postgres, clickhouse] = await databases(services, false);
  return { config: { ok: true }, postgres, clickhouse };
}

/**
 * Asking a Workflow binding for an instance that cannot exist is a round trip to the Workflows
 * service that creates nothing: "not found" is the healthy answer, anything else is a failure.
 */
async function workflowsReachable(services: Services): Promise<void> {
  try {
    await services.workflows.backtest.get("health-probe-no-such-instance");
  } catch (err) {
    if (/not.?found/i.test(String(err))) return;
    throw err;
  }
}

/**
 * The operator's view (`GET /api/admin/health`): the deep check with server versions, plus R2 (a
 * metadata read of a key that need not exist) and Workflows, and the API's own version and commit.
 */
export async function adminHealth(services: Services): Promise<AdminHealthResponse> {
  if (!configOk(services)) {
    return {
      ok: false,
      api: { version: "unknown", commit: null },
      checks: { config: { ok: false, reason: "configuration incomplete" } },
    };
  }
  const { APP_VERSION, GIT_COMMIT } = services.config;
  const [[postgres, clickhouse], r2, workflows] = await Promise.all([
    databases(services, true),
    timed(async () => {
      await Promise.all([
        services.storage.artifacts.head("health-probe"),
        services.storage.results.head("health-probe"),
      ]);
    }, "r2 unreachable"),
    timed(() => workflowsReachable(services), "workflows unreachable"),
  ]);
  const checks = { config: { ok: true }, postgres, clickhouse, r2, workflows };
  return {
    ok: Object.values(checks).every((check) => check.ok),
    api: { version: APP_VERSION, commit: GIT_COMMIT ?? null },
    checks,
  };
}
