export { type ClickHouseConfig, createClickHouse, DEFAULT_CLICKHOUSE_DB } from "./client.ts";
export * from "./schema/index.ts";
