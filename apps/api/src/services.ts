import type { ClickHouseClient } from "@clickhouse/client-web";
import { type Auth, createAuth } from "@quantago/auth";
import { createDb, type Database } from "@quantago/db";
import { type ClickHouseConfig, createClickHouse } from "@quantago/market-data";
import { type Config, type Env, readConfig } from "./env.ts";

/** The R2 buckets: uploaded strategy modules, and backtest results (equity curves, checkpoints). */
export interface Storage {
  readonly artifacts: R2Bucket;
  readonly results: R2Bucket;
}

/** The Workflows the domain starts or stops. */
export interface Workflows {
  readonly backtest: Env["BACKTEST_WORKFLOW"];
  readonly ingestion: Env["INGESTION_WORKFLOW"];
  readonly clickhouseSchema: Env["CLICKHOUSE_SCHEMA_WORKFLOW"];
  readonly research: Env["RESEARCH_WORKFLOW"];
}

/**
 * Everything the domain layer works with. One factory builds it for a request, a workflow step, the
 * cron and a long-lived stream alike, so a connection is configured in one place only.
 */
export interface Services {
  readonly config: Config;
  readonly db: Database;
  readonly clickhouse: ClickHouseClient;
  /** Better Auth over this set's `db`. */
  readonly auth: Auth;
  readonly storage: Storage;
  /** The Worker Loader that starts WASM strategy sandboxes. */
  readonly loader: WorkerLoader;
  readonly workflows: Workflows;
  /**
   * A separate set over the same env, for work that outlives this one: an SSE stream keeps polling
   * after its request's services are closed. The caller closes it.
   */
  detach(): OpenServices;
}

export interface OpenServices {
  readonly services: Services;
  /** Closes whatever was opened (nothing, if nothing was touched). Never rejects. */
  close(): Promise<void>;
}

/** The market-data ClickHouse connection a validated config names (`CLICKHOUSE_*`). */
export function clickHouseConnection(config: Config): ClickHouseConfig {
  return {
    url: config.CLICKHOUSE_URL,
    username: config.CLICKHOUSE_USERNAME,
    password: config.CLICKHOUSE_PASSWORD,
    database: config.CLICKHOUSE_DB,
  };
}

/**
 * Builds the services from the Worker's env. Nothing is created at module load (sockets must not
 * outlive a request on Workers), and nothing is created until touched: `/api/health` opens no pool.
 * The config is validated on first use, so a misconfigured Worker fails with a 500 that names the
 * missing setting (see `readConfig`) rather than here.
 */
export function openServices(env: Env): OpenServices {
  const closers: Array<() => Promise<void>> = [];
  let db: Database | undefined;
  let clickhouse: ClickHouseClient | undefined;
  let auth: Auth | undefined;
  const services: Services = {
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
        const client = createClickHouse(clickHouseConnection(readConfig(env)));
        closers.push(() => client.close());
        clickhouse = client;
      }
      return clickhouse;
    },
    get auth() {
      auth ??= createAuth({ db: services.db, config: readConfig(env) });
      return auth;
    },
    get storage() {
      readConfig(env); // the bindings are checked with the config
      return { artifacts: env.STRATEGY_ARTIFACTS, results: env.BACKTEST_RESULTS };
    },
    get loader() {
      readConfig(env);
      return env.LOADER;
    },
    get workflows() {
      readConfig(env);
      return {
        backtest: env.BACKTEST_WORKFLOW,
        ingestion: env.INGESTION_WORKFLOW,
        clickhouseSchema: env.CLICKHOUSE_SCHEMA_WORKFLOW,
        research: env.RESEARCH_WORKFLOW,
      };
    },
    detach: () => openServices(env),
  };
  return {
    services,
    async close() {
      const pending = closers.splice(0);
      await Promise.allSettled(pending.map((close) => close()));
    },
  };
}

/** Runs `work` with services opened for it and closed after it (a workflow step, a cron job). */
export async function withServices<T>(env: Env, work: (services: Services) => Promise<T>): Promise<T> {
  const { services, close } = openServices(env);
  try {
    return await work(services);
  } finally {
    await close();
  }
}
