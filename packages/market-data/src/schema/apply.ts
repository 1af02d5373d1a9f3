import type { ClickHouseClient } from "@clickhouse/client-web";
import { assertIdentifier } from "../client.ts";
import { type ClickHouseMigration, clickHouseMigrations } from "./migrations.ts";

/**
 * Creates the database if needed and applies every migration not yet recorded, in version order.
 * Every statement is idempotent (`IF NOT EXISTS`), so a run interrupted half-way is simply repeated.
 *
 * @param client any client of the server; tables are always qualified with `database`
 * @param database the market-data database (`CLICKHOUSE_DB`, default `market_data`)
 * @returns the versions this call applied
 *
 * @example
 * await applyClickHouseMigrations(createClient({ url }), "market_data"); // → [1] the first time, [] after
 */
export async function applyClickHouseMigrations(
  client: ClickHouseClient,
  database: string,
  migrations: ClickHouseMigration[] = clickHouseMigrations,
): Promise<number[]> {
  assertIdentifier(database);
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS ${database}.schema_migrations (
      version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = MergeTree ORDER BY version`,
  });
  const result = await client.query({
    query: `SELECT version FROM ${database}.schema_migrations`,
    format: "JSONEachRow",
  });
  const applied = new Set((await result.json<{ version: number }>()).map((r) => Number(r.version)));
  const ran: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    for (const statement of migration.statements(database)) {
      await client.command(typeof statement === "string" ? { query: statement } : statement);
    }
    await client.insert({
      table: `${database}.schema_migrations`,
      values: [{ version: migration.version, name: migration.name }],
      format: "JSONEachRow",
    });
    ran.push(migration.version);
  }
  return ran;
}
