import type { ClickHouseClient } from "@clickhouse/client-web";
import { createDb, type Database } from "@quantago/db";
import { createClickHouse } from "@quantago/market-data";
import { createMiddleware } from "hono/factory";
import { type Auth, createAuth } from "../auth/auth.ts";
import { type AppEnv, readConfig, type Services } from "../env.ts";
import { clickHouseConnection } from "../lib/clickhouse.ts";

/**
 * Builds the per-request services. Nothing is created at module load (sockets must not outlive a
 * request on Workers), and nothing is created until a handler touches it: `/api/health` opens no pool.
 * Whatever was opened is closed after the response, without delaying it.
 */
export const services = createMiddleware<AppEnv>(async (c, next) => {
  const closers: Array<() => Promise<void>> = [];
  let db: Database | undefined;
  let clickhouse: ClickHouseClient | undefined;
  let auth: Auth | undefined;
  const env = c.env;
  const value: Services = {
    get config() {
      return readConfig(env);
    },
    get db() {
      if (!db) {
        const config = readConfig(env);
        const created = createDb({ databaseUrl: config.DATABASE_URL, wsProxy: config.DATABASE_WS_PROXY });
        closers.push(created.close);
        db = created.db;
      }
      return db;
    },
    get clickhouse() {
      if (!clickhouse) {
        const config = readConfig(env);
        const client = createClickHouse(clickHouseConnection(config));
        closers.push(() => client.close());
        clickhouse = client;
      }
      return clickhouse;
    },
    get auth() {
      auth ??= createAuth({ db: value.db, config: readConfig(env) });
      return auth;
    },
  };
  c.set("services", value);
  try {
    await next();
  } finally {
    if (closers.length > 0) {
      const closing = Promise.allSettled(closers.map((close) => close())).then(() => undefined);
      try {
        c.executionCtx.waitUntil(closing);
      } catch {
        // No execution context (e.g. app.request() in a unit test): close inline instead.
        await closing;
      }
    }
  }
});
