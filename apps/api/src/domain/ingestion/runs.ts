/**
 * Ingestion runs: the `ingestion_run` record and its per-symbol rows, as every kind of run (one-off,
 * upload, workflow) writes and lists them.
 */
import type { IngestionLogsQuery } from "@quantago/contracts";
import { type Database, ingestionRun, ingestionRunSymbol, prefixedId } from "@quantago/db";
import type { Timeframe } from "@quantago/market-data";
import { and, asc, count, desc, eq, exists, inArray, sql } from "drizzle-orm";
import { pageAndTotal } from "../../lib/paging.ts";
import { ACTIVE_RUN_STATUSES, finishRun } from "./events.ts";
import { normalizeSymbol } from "./registry.ts";
import type { WorkflowRunKind } from "./types.ts";

export type RunRow = typeof ingestionRun.$inferSelect;
export type RunSymbolRow = typeof ingestionRunSymbol.$inferSelect;

/** Who started a run, for `ingestion_run.requested_by`. */
export function requester(principal: { kind: string; user?: { id: string } } | undefined): string {
  if (principal?.kind === "ingestion-secret") return "secret";
  return principal?.user?.id ?? "unknown";
}

export function serializeRun(run: RunRow) {
  return {
    id: run.id,
    kind: run.kind,
    status: run.status,
    workflowId: run.workflowId,
    timeframe: run.timeframe,
    rangeStart: run.rangeStart?.toISOString() ?? null,
    rangeEnd: run.rangeEnd?.toISOString() ?? null,
    rowsWritten: run.rowsWritten,
    error: run.error,
    details: run.details,
    requestedBy: run.requestedBy,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}

export function serializeRunSymbol(s: RunSymbolRow) {
  return {
    symbol: s.symbol,
    status: s.status,
    rowsWritten: s.rowsWritten,
    lastBarTime: s.lastBarTime === null ? null : new Date(s.lastBarTime).toISOString(),
    attempts: s.attempts,
    error: s.error,
    updatedAt: s.updatedAt.toISOString(),
  };
}

export interface NewRun {
  kind: "run_once" | "upload" | WorkflowRunKind;
  timeframe: Timeframe;
  symbols: string[];
  rangeStart?: number | null;
  rangeEnd?: number | null;
  requestedBy: string;
  details?: Record<string, unknown>;
  status?: "pending" | "running";
  /** The Workflow instance that does the work, when there is one (its id is the run's). */
  workflowId?: string;
}

export function newRunId(): string {
  return prefixedId("ingestionRun");
}

/** Records a run and one `pending` row per symbol. */
export async function createRun(db: Database, run: NewRun, id = newRunId()): Promise<RunRow> {
  const status = run.status ?? "pending";
  const [row] = await db
    .insert(ingestionRun)
    .values({
      id,
      kind: run.kind,
      status,
      timeframe: run.timeframe,
      rangeStart: run.rangeStart == null ? null : new Date(run.rangeStart),
      rangeEnd: run.rangeEnd == null ? null : new Date(run.rangeEnd),
      requestedBy: run.requestedBy,
      details: run.details ?? {},
      workflowId: run.workflowId ?? null,
      startedAt: status === "running" ? new Date() : null,
    })
    .returning();
  if (run.symbols.length > 0) {
    await db
      .insert(ingestionRunSymbol)
      .values(run.symbols.map((symbol) => ({ runId: id, symbol, status: "pending" })))
      .onConflictDoNothing();
  }
  if (!row) throw new Error("ingestion_run insert returned nothing");
  return row;
}

export async function getRun(db: Database, id: string) {
  const [run] = await db.select().from(ingestionRun).where(eq(ingestionRun.id, id));
  if (!run) return null;
  const symbols = await db
    .select()
    .from(ingestionRunSymbol)
    .where(eq(ingestionRunSymbol.runId, id))
    .orderBy(asc(ingestionRunSymbol.symbol));
  return { run, symbols };
}

/** `GET /logs`: runs newest first, filtered by status, kind and (any of the run's) symbol. */
export async function listRuns(db: Database, query: IngestionLogsQuery) {
  const symbol = query.symbol ? normalizeSymbol(query.symbol) : undefined;
  const where = and(
    query.status ? eq(ingestionRun.status, query.status) : undefined,
    query.kind ? eq(ingestionRun.kind, query.kind) : undefined,
    symbol
      ? exists(
          db
            .select({ one: sql`1` })
            .from(ingestionRunSymbol)
            .where(and(eq(ingestionRunSymbol.runId, ingestionRun.id), eq(ingestionRunSymbol.symbol, symbol))),
        )
      : undefined,
  );
  const { rows, total } = await pageAndTotal(
    db
      .select()
      .from(ingestionRun)
      .where(where)
      .orderBy(desc(ingestionRun.createdAt), desc(ingestionRun.id))
      .limit(query.limit)
      .offset(query.offset),
    db.select({ total: count() }).from(ingestionRun).where(where),
  );
  return {
    items: rows.map(serializeRun),
    total,
    limit: query.limit,
    offset: query.offset,
  };
}

/**
 * Updates one symbol of a run that has not ended. A step still in flight when the run ended (an
 * operator cancelled it) changes nothing: the share lock waits for a concurrent {@link finishRun} and
 * then sees the run ended.
 */
export async function setRunSymbol(
  db: Database,
  runId: string,
  symbol: string,
  patch: Partial<Pick<RunSymbolRow, "status" | "rowsWritten" | "lastBarTime" | "error">> & {
    attempt?: number;
  },
) {
  const { attempt, ...rest } = patch;
  await db
    .update(ingestionRunSymbol)
    .set({
      ...rest,
      ...(attempt !== undefined
        ? { attempts: sql`greatest(${ingestionRunSymbol.attempts}, ${attempt})` }
        : {}),
      updatedAt: new Date(),
    })
    .where(
      and(
        eq(ingestionRunSymbol.runId, runId),
        eq(ingestionRunSymbol.symbol, symbol),
        exists(
          db
            .select({ id: ingestionRun.id })
            .from(ingestionRun)
            .where(and(eq(ingestionRun.id, runId), inArray(ingestionRun.status, ACTIVE_RUN_STATUSES)))
            .for("share"),
        ),
      ),
    );
}
