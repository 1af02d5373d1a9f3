import type { IngestionLogsQuery, SymbolUpsert } from "@quantago/contracts";
import { type Database, ingestionRun, ingestionRunSymbol, marketSymbol } from "@quantago/db";
import { type AssetClass, inferAssetClass, symbolSchema, type Timeframe } from "@quantago/market-data";
import { and, asc, count, desc, eq, exists, inArray, sql } from "drizzle-orm";
import { AppError } from "../../lib/errors.ts";
import { prefixedId } from "../../lib/ids.ts";
import type { IngestionWorkflowParams, WorkflowRunKind } from "../../workflows/ingestion/types.ts";
import { ACTIVE_RUN_STATUSES, finishRun } from "./events.ts";

export type RunRow = typeof ingestionRun.$inferSelect;
export type RunSymbolRow = typeof ingestionRunSymbol.$inferSelect;
export type SymbolRow = typeof marketSymbol.$inferSelect;

/** Normalises a symbol (`btc-usd` → `BTC-USD`) or answers 400 naming it. */
export function normalizeSymbol(raw: string, path: (string | number)[] = ["symbol"]): string {
  const parsed = symbolSchema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError("VALIDATION_FAILED", `Invalid symbol ${JSON.stringify(raw)}.`, {
      issues: [{ path, message: parsed.error.issues[0]?.message ?? "invalid symbol" }],
    });
  }
  return parsed.data;
}

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

export function serializeSymbol(s: SymbolRow) {
  return {
    symbol: s.symbol,
    assetClass: s.assetClass,
    source: s.source,
    sourceSymbol: s.sourceSymbol,
    enabled: s.enabled,
    synthetic: s.synthetic,
    availableFrom: s.availableFrom?.toISOString() ?? null,
    metadata: s.metadata,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

// ---------------------------------------------------------------------------------------------------
// Symbol registry

export async function listRegistry(db: Database, filter: { enabled?: boolean; source?: string }) {
  const rows = await db
    .select()
    .from(marketSymbol)
    .where(
      and(
        filter.enabled === undefined ? undefined : eq(marketSymbol.enabled, filter.enabled),
        filter.source === undefined ? undefined : eq(marketSymbol.source, filter.source),
      ),
    )
    .orderBy(asc(marketSymbol.symbol));
  return rows;
}

/**
 * Upserts registry entries. A new symbol needs a `source`; on an existing one only the given fields
 * change (so `{ symbol, enabled: false }` disables it). `assetClass` defaults to the inferred one;
 * `synthetic` follows the source.
 */
export async function upsertSymbols(db: Database, entries: SymbolUpsert[]): Promise<SymbolRow[]> {
  const symbols = entries.map((e, i) => normalizeSymbol(e.symbol, ["symbols", i, "symbol"]));
  const existing = new Map(
    (await db.select().from(marketSymbol).where(inArray(marketSymbol.symbol, symbols))).map((r) => [
      r.symbol,
      r,
    ]),
  );
  const out: SymbolRow[] = [];
  for (const [i, entry] of entries.entries()) {
    const symbol = symbols[i] as string;
    const current = existing.get(symbol);
    const source = entry.source ?? current?.source;
    if (!source) {
      throw new AppError("VALIDATION_FAILED", `${symbol} is not registered yet: give its source.`, {
        issues: [{ path: ["symbols", i, "source"], message: "required for a new symbol" }],
      });
    }
    const values = {
      symbol,
      assetClass: entry.assetClass ?? current?.assetClass ?? inferAssetClass(symbol),
      source,
      sourceSymbol: entry.sourceSymbol !== undefined ? entry.sourceSymbol : (current?.sourceSymbol ?? null),
      enabled: entry.enabled ?? current?.enabled ?? true,
      synthetic: source === "synthetic",
      availableFrom:
        entry.availableFrom !== undefined
          ? entry.availableFrom === null
            ? null
            : new Date(entry.availableFrom)
          : (current?.availableFrom ?? null),
      metadata: entry.metadata ?? current?.metadata ?? {},
      updatedAt: new Date(),
    };
    const [row] = await db
      .insert(marketSymbol)
      .values(values)
      .onConflictDoUpdate({ target: marketSymbol.symbol, set: values })
      .returning();
    if (row) {
      out.push(row);
      existing.set(symbol, row);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Runs

export interface NewRun {
  kind: "run_once" | "upload" | WorkflowRunKind;
  timeframe: Timeframe;
  symbols: string[];
  rangeStart?: number | null;
  rangeEnd?: number | null;
  requestedBy: string;
  details?: Record<string, unknown>;
  status?: "pending" | "running";
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
  const [items, [total]] = await Promise.all([
    db
      .select()
      .from(ingestionRun)
      .where(where)
      .orderBy(desc(ingestionRun.createdAt), desc(ingestionRun.id))
      .limit(query.limit)
      .offset(query.offset),
    db.select({ n: count() }).from(ingestionRun).where(where),
  ]);
  return {
    items: items.map(serializeRun),
    total: Number(total?.n ?? 0),
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

// ---------------------------------------------------------------------------------------------------
// Workflow runs

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
  const [updated] = await db
    .update(ingestionRun)
    .set({ workflowId: id })
    .where(eq(ingestionRun.id, id))
    .returning();
  return updated ?? run;
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

/** Asset class of a registry entry, or the inferred one. */
export function assetClassOf(symbol: string, entry?: { assetClass: string } | null): AssetClass {
  return (entry?.assetClass as AssetClass | undefined) ?? inferAssetClass(symbol);
}
