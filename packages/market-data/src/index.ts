export { type ClickHouseConfig, createClickHouse, DEFAULT_CLICKHOUSE_DB } from "./client.ts";
export * from "./columnar/index.ts";
export * from "./ingest/index.ts";
export * from "./providers/index.ts";
export * from "./query/index.ts";
export * from "./schema/index.ts";
export * from "./symbols.ts";
export * from "./synthetic.ts";
export * from "./timeframes.ts";
