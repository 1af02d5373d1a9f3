/**
 * A real ClickHouse engine for tests: the chdb-backed HTTP server (`@quantago/clickhouse-server`) on a free port with a
 * throwaway data directory, or, when `CLICKHOUSE_URL` is set, that server with a throwaway database
 * (dropped afterwards), so the same tests run against a production-like server.
 *
 * One chdb server per process: libchdb binds one data directory per process, so a test file opens
 * this once in `beforeAll` (vitest runs each file in its own worker process).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClickHouseClient } from "@clickhouse/client-web";
import { startClickHouseServer } from "@quantago/clickhouse-server";
import { createClickHouse } from "../src/client.ts";
import { applyClickHouseMigrations } from "../src/schema/apply.ts";

export interface TestClickHouse {
  client: ClickHouseClient;
  /** Market-data database holding the migrated `ohlcv` table. */
  database: string;
  url: string;
  /** `embedded` (chdb) or `external` (CLICKHOUSE_URL). */
  origin: "embedded" | "external";
  close(): Promise<void>;
}

export async function openTestClickHouse(): Promise<TestClickHouse> {
  const external = process.env.CLICKHOUSE_URL;
  if (external) {
    const database = `md_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    const client = createClickHouse({
      url: external,
      username: process.env.CLICKHOUSE_USERNAME,
      password: process.env.CLICKHOUSE_PASSWORD,
      database: "default",
    });
    await applyClickHouseMigrations(client, database);
    return {
      client,
      database,
      url: external,
      origin: "external",
      async close() {
        await client.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => {});
        await client.close();
      },
    };
  }
  const dataDir = await mkdtemp(join(tmpdir(), "quantago-market-data-"));
  const server = await startClickHouseServer({ dataDir, port: 0 });
  const client = createClickHouse({ url: server.url, database: "default" });
  const database = "market_data_test";
  await applyClickHouseMigrations(client, database);
  return {
    client,
    database,
    url: server.url,
    origin: "embedded",
    async close() {
      await client.close();
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
