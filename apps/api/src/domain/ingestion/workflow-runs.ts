import { type Database, marketSymbol } from "@quantago/db";
import type { Timeframe } from "@quantago/market-data";
import { inArray } from "drizzle-orm";
import { AppError } from "../../lib/errors.ts";
import { ACTIVE_RUN_STATUSES, finishRun } from "./events.ts";
import { listRegistry, normalizeSymbol } from "./registry.ts";
import { createRun, getRun, newRunId, type RunRow } from "./runs.ts";
import type { IngestionWorkflowParams, WorkflowRunKind } from "./types.ts";

export interface StartWorkflowRun {
  kind: WorkflowRunKind;
  timeframe: Timeframe;
  /** Registered symbols; empty/undefined means every enabled, fetchable one. */
  symbols?: string[] | undefined;
  fromMs?: number | undefined;
  toMs?: number | undefined;
  options?: IngestionWorkflowParams["options"];
  requestedBy: string;
  /** Test-only fault injection, passed through to the workflow (never accepted from HTTP). */
  faults?: IngestionWorkflowParams["faults"];
}

/**
 * Records a run and starts its workflow instance (instance id = run id). Symbols must be registered;
 * unknown ones are a 400 listing them, before anything starts.
 */
export async function startWorkflowRun(
  deps: { db: Database; workflow: Workflow<IngestionWorkflowParams> },
  input: StartWorkflowRun,
): Promise<RunRow> {
  const { db } = deps;
  let symbols: string[];
  if (input.symbols && input.symbols.length > 0) {
    symbols = [...new Set(input.symbols.map((s, i) => normalizeSymbol(s, ["symbols", i])))];
    const known = await db.select().from(marketSymbol).where(inArray(marketSymbol.symbol, symbols));
    const missing = symbols.filter((s) => !known.some((k) => k.symbol === s));
    if (missing.length > 0) {
      throw new AppError(
        "VALIDATION_FAILED",
        `Not in the symbol registry: ${missing.join(", ")}. Register them with POST /api/admin/ingestion/symbols.`,
      );
    }
    const uploaded = known.filter((k) => k.source === "csv").map((k) => k.symbol);
    if (uploaded.length > 0) {
      throw new AppError(
        "VALIDATION_FAILED",
        `${uploaded.join(", ")} ${uploaded.length > 1 ? "are" : "is"} CSV-sourced: upload files instead.`,
      );
    }
  } else {
    symbols = (await listRegistry(db, { enabled: true }))
      .filter((s) => s.source !== "csv")
      .map((s) => s.symbol);
    if (symbols.length === 0)
      throw new AppError("VALIDATION_FAILED", "No enabled symbols to ingest: register some first.");
  }
  const id = newRunId();
  const run = await createRun(
    db,
    {
      kind: input.kind,
      timeframe: input.timeframe,
      symbols,
      rangeStart: input.fromMs ?? null,
      rangeEnd: input.toMs ?? null,
      requestedBy: input.requestedBy,
      details: { options: input.options ?? {} },
      // Stored with the row: no second write, so the answer is the run as accepted (`pending`) even
      // when its workflow has already marked it running.
      workflowId: id,
    },
    id,
  );
  const params: IngestionWorkflowParams = {
    runId: id,
    kind: input.kind,
    timeframe: input.timeframe,
    symbols,
    ...(input.fromMs !== undefined ? { fromMs: input.fromMs } : {}),
    ...(input.toMs !== undefined ? { toMs: input.toMs } : {}),
    ...(input.options ? { options: input.options } : {}),
    ...(input.faults ? { faults: input.faults } : {}),
  };
  try {
    await deps.workflow.create({ id, params });
  } catch (err) {
    const error = "The workflow could not be started.";
    await finishRun(db, id, { status: "failed", error }, { error });
    throw err;
  }
  return run;
}

/**
 * Cancels a run: terminates its workflow instance (if any, and still running), marks the run
 * `cancelled` and emits `run.completed` with that status. A finished run is a 409.
 */
export async function cancelRun(
  deps: { db: Database; workflow: Workflow<IngestionWorkflowParams> },
  id: string,
): Promise<RunRow> {
  const found = await getRun(deps.db, id);
  if (!found) throw new AppError("NOT_FOUND", "No such ingestion run.");
  if (!ACTIVE_RUN_STATUSES.includes(found.run.status))
    throw new AppError("CONFLICT", `The run is already ${found.run.status}.`);
  if (found.run.workflowId) {
    try {
      const instance = await deps.workflow.get(found.run.workflowId);
      await instance.terminate();
    } catch (err) {
      // Already finished (or never started): the status update below is what matters.
      console.warn(JSON.stringify({ msg: "terminate failed", runId: id, error: String(err) }));
    }
  }
  await finishRun(deps.db, id, {
    status: "cancelled",
    error: "Cancelled by an operator.",
    openSymbols: "cancelled",
  });
  const after = await getRun(deps.db, id);
  return (after?.run ?? found.run) as RunRow;
}

/**
 * `GET /runs/:id`: the run, its symbols, and its workflow instance's status when the instance still
 * exists (an expired or unknown one is `null`: the run record is authoritative).
 */
export async function getRunWithWorkflow(
  deps: { db: Database; workflow: Workflow<IngestionWorkflowParams> },
  id: string,
) {
  const found = await getRun(deps.db, id);
  if (!found) throw new AppError("NOT_FOUND", "No such ingestion run.");
  let workflow: { status: string; error?: unknown } | null = null;
  if (found.run.workflowId) {
    try {
      const status = await (await deps.workflow.get(found.run.workflowId)).status();
      workflow = { status: status.status, ...(status.error ? { error: status.error } : {}) };
    } catch {
      workflow = null;
    }
  }
  return { found, workflow };
}
