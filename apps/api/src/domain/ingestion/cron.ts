import { ingestionRun, marketSymbol } from "@quantago/db";
import { isTimeframe, type Timeframe } from "@quantago/market-data";
import { and, eq, gt, inArray, ne } from "drizzle-orm";
import type { Services } from "../../services.ts";
import { ACTIVE_RUN_STATUSES } from "./events.ts";
import { startWorkflowRun } from "./workflow-runs.ts";

/** A cron-started incremental run younger than this that is still going makes the next tick skip. */
const OVERLAP_WINDOW_MS = 6 * 60 * 60 * 1000;

/**
 * The cron trigger: one incremental run per timeframe over every enabled, fetchable symbol (a symbol's
 * timeframe is `metadata.timeframe`, default `1m`). Skipped while the previous cron run of that
 * timeframe is still pending or running, so slow syncs never pile up.
 */
export async function startIncrementalSync(
  { db, workflows }: Services,
  scheduledTime: number,
): Promise<void> {
  const symbols = await db
    .select()
    .from(marketSymbol)
    .where(and(eq(marketSymbol.enabled, true), ne(marketSymbol.source, "csv")));
  const byTimeframe = new Map<Timeframe, string[]>();
  for (const s of symbols) {
    const tf = isTimeframe(s.metadata.timeframe) ? s.metadata.timeframe : "1m";
    byTimeframe.set(tf, [...(byTimeframe.get(tf) ?? []), s.symbol]);
  }
  for (const [timeframe, list] of byTimeframe) {
    const running = await db
      .select({ id: ingestionRun.id })
      .from(ingestionRun)
      .where(
        and(
          eq(ingestionRun.kind, "incremental"),
          eq(ingestionRun.requestedBy, "cron"),
          eq(ingestionRun.timeframe, timeframe),
          inArray(ingestionRun.status, ACTIVE_RUN_STATUSES),
          gt(ingestionRun.createdAt, new Date(scheduledTime - OVERLAP_WINDOW_MS)),
        ),
      )
      .limit(1);
    if (running.length > 0) continue;
    const run = await startWorkflowRun(
      { db, workflow: workflows.ingestion },
      { kind: "incremental", timeframe, symbols: list, requestedBy: "cron" },
    );
    console.log(
      JSON.stringify({
        msg: "cron incremental sync started",
        runId: run.id,
        timeframe,
        symbols: list.length,
      }),
    );
  }
}
