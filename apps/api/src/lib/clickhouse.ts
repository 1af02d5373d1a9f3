import type { ClickHouseConfig } from "@quantago/market-data";
import type { Config } from "../env.ts";

/** The market-data ClickHouse connection a validated config names (`CLICKHOUSE_*`). */
export function clickHouseConnection(config: Config): ClickHouseConfig {
  return {
    url: config.CLICKHOUSE_URL,
    username: config.CLICKHOUSE_USERNAME,
    password: config.CLICKHOUSE_PASSWORD,
    database: config.CLICKHOUSE_DB,
  };
}
