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
 * Returns `name` after checking it is a plain identifier. Database and table names cannot be bound as
 * query parameters, so this check is what keeps them from becoming SQL.
 *
 * @example
 * assertIdentifier("market_data"); // "market_data"
 * assertIdentifier("x; DROP TABLE y"); // throws RangeError
 */
export function assertIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new RangeError(`invalid ClickHouse identifier: ${name}`);
  return name;
}

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
