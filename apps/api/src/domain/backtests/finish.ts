/**
 * The one place a backtest ends, whatever ends it: its run completing or failing, the step giving up,
 * or its owner cancelling or deleting it. The status changes only while the backtest is still active
 * (`pending` or `running`), so whichever ending lands first wins and the others change nothing; every
 * ending then removes what the run left in R2 that the outcome does not keep (its checkpoint always,
 * its equity curve and trades unless it completed).
 */
import { backtest, type Database } from "@quantago/db";
import { and, eq, inArray } from "drizzle-orm";
import type { Services } from "../../services.ts";
import { r2Checkpoint } from "../strategies/runtimes/index.ts";
import { checkpointPrefix, equityKey } from "./equity.ts";
import { deleteTrades } from "./trades.ts";

type BacktestRow = typeof backtest.$inferSelect;

const ACTIVE: BacktestRow["status"][] = ["pending", "running"];

export type BacktestEnding =
  /**
   * The run's results: `write` stores them (R2), then the row turns `completed` with `fields`, which
   * applies only while the row is still `running`.
   */
  | {
      status: "completed";
      fields: Partial<BacktestRow>;
      write: () => Promise<void>;
    }
  | { status: "failed"; message: string }
  /** With `workflowId`, its Workflow instance is terminated too (the owner's cancel or delete). */
  | { status: "cancelled"; workflowId?: string | null };

/**
 * What an ending did: `row` is the row as this ending left it, or null when the backtest had already
 * ended (then `status` is how it ended) or is gone (deleted: `status` is `cancelled`).
 */
export interface Finished {
  status: BacktestRow["status"];
  row: BacktestRow | null;
}

async function applyStatus(db: Database, id: string, ending: BacktestEnding): Promise<BacktestRow | null> {
  const now = new Date();
  if (ending.status === "completed") {
    // The results are stored first: the row never reads `completed` before they are all there.
    await ending.write();
    const stored = new Date();
    const [done] = await db
      .update(backtest)
      .set({ ...ending.fields, status: "completed", finishedAt: stored, updatedAt: stored })
      .where(and(eq(backtest.id, id), eq(backtest.status, "running")))
      .returning();
    // Cancelled (or deleted) meanwhile: null, and finishBacktest removes what the run stored.
    return done ?? null;
  }
  const [row] = await db
    .update(backtest)
    .set({
      status: ending.status,
      ...(ending.status === "failed" ? { errorMessage: ending.message } : {}),
      finishedAt: now,
      updatedAt: now,
    })
    .where(and(eq(backtest.id, id), inArray(backtest.status, ACTIVE)))
    .returning();
  return row ?? null;
}

async function stopWorkflow({ workflows }: Services, workflowId: string): Promise<void> {
  try {
    await (await workflows.backtest.get(workflowId)).terminate();
  } catch {
    // Already finished or never started: the run also stops itself once it sees the status.
  }
}

/**
 * Ends backtest `id` (see the module comment). A run that completes after a cancel landed ends as the
 * cancel left it: its equity curve is removed with the rest.
 */
export async function finishBacktest(
  services: Services,
  id: string,
  ending: BacktestEnding,
): Promise<Finished> {
  const { db, storage } = services;
  const row = await applyStatus(db, id, ending);
  let status: BacktestRow["status"];
  if (row) {
    status = row.status;
  } else {
    const [current] = await db.select({ status: backtest.status }).from(backtest).where(eq(backtest.id, id));
    status = current?.status ?? "cancelled";
  }
  if (ending.status === "cancelled" && ending.workflowId && row) {
    await stopWorkflow(services, ending.workflowId);
  }
  if (status !== "completed") {
    await Promise.all([storage.results.delete(equityKey(id)), deleteTrades(services, id)]);
  }
  await r2Checkpoint(storage.results, checkpointPrefix(id)).clear();
  return { status, row };
}
