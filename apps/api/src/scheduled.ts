/**
 * What the cron trigger (wrangler.toml `triggers.crons`, every 15 minutes) runs: the incremental
 * ingestion sync, and the repair of rollup buckets that a write left stale without refreshing them.
 * The two are independent; one failing does not stop the other.
 */
import { createClickHouse, refreshStaleRollups } from "@quantago/market-data";
import { type Env, readConfig } from "./env.ts";
import { clickHouseConnection } from "./lib/clickhouse.ts";
import { scheduledIncrementalSync } from "./workflows/ingestion/cron.ts";

/** Refreshes every series with tombstoned rollup buckets (see `refreshStaleRollups`). */
export async function scheduledRollupRepair(env: Env): Promise<void> {
  const config = readConfig(env);
  const client = createClickHouse(clickHouseConnection(config));
  try {
    const repaired = await refreshStaleRollups(client, config.CLICKHOUSE_DB);
    if (repaired.length > 0) {
      console.log(JSON.stringify({ msg: "stale rollups refreshed", series: repaired.length, repaired }));
    }
  } finally {
    await client.close();
  }
}

export function runScheduled(env: Env, scheduledTime: number): Promise<unknown> {
  const logged = (job: string, work: Promise<void>) =>
    work.catch((error: unknown) => {
      console.error(
        JSON.stringify({
          msg: "cron job failed",
          job,
          error: error instanceof Error ? error.message : String(error),
        }),
      );
    });
  return Promise.all([
    logged("incremental sync", scheduledIncrementalSync(env, scheduledTime)),
    logged("rollup repair", scheduledRollupRepair(env)),
  ]);
}
