/**
 * What the cron trigger (wrangler.toml `triggers.crons`, every 15 minutes) runs: the incremental
 * ingestion sync, and the repair of rollup buckets that a write left stale without refreshing them.
 * The two are independent; one failing does not stop the other.
 */
import { startIncrementalSync } from "./domain/ingestion/cron.ts";
import { repairStaleRollups } from "./domain/market-data/market-data.ts";
import type { Env } from "./env.ts";
import { withServices } from "./services.ts";

/** Refreshes every series with tombstoned rollup buckets (see `refreshStaleRollups`). */
export function scheduledRollupRepair(env: Env): Promise<void> {
  return withServices(env, repairStaleRollups);
}

/** The incremental sync (see `startIncrementalSync`). */
export function scheduledIncrementalSync(env: Env, scheduledTime: number): Promise<void> {
  return withServices(env, (services) => startIncrementalSync(services, scheduledTime));
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
