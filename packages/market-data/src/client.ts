import { type ClickHouseClient, createClient } from "@clickhouse/client-web";

export interface ClickHouseConfig {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  /** Market-data database, `CLICKHOUSE_DB` (default `market_data`). */
  database?: string | undefined;
}

export const DEFAULT_CLICKHOUSE_DB = "market_data";

/**
 * A ClickHouse client over `fetch`, usable in Workers and Node alike. Cheap to create: build one per
 * request in the Worker (no sockets are shared across requests) and `close()` it afterwards.
 *
 * @example
 * const ch = createClickHouse({ url: env.CLICKHOUSE_URL, database: env.CLICKHOUSE_DB });
 */
export function createClickHouse(config: ClickHouseConfig): ClickHouseClient {
  return createClient({
    url: config.url,
    username: config.username || "default",
    password: config.password ?? "",
    database: config.database || DEFAULT_CLICKHOUSE_DB,
  });
}
