/**
 * What the ingestion workflow's steps do, as plain functions over the services (the workflow class
 * only sequences them as durable steps; see `workflows/ingestion/workflow.ts`). Every function is
 * idempotent: inserts repeat identical rows (same ingest version, folded by the ReplacingMergeTree),
 * run-state updates set absolute values, and events carry an idempotency key.
 */
import { ingestionRun, marketSymbol } from "@quantago/db";
import { bucketStart, lastStoredBarTime, TIMEFRAME_MS } from "@quantago/market-data";
import { and, eq, inArray } from "drizzle-orm";
import { clickHouseConnection, type Services } from "../../services.ts";
import { liveProviders } from "../market-data/market-data.ts";
import { chunkRange } from "./chunks.ts";
import { emitEvent, finishRun } from "./events.ts";
import { setRunSymbol } from "./runs.ts";
import { type ChunkResult, defaultChunkBars, ingestChunk, PermanentChunkError, seedOf } from "./sources.ts";
import type { IngestionPlan, IngestionWorkflowParams, SymbolOutcome, SymbolPlan } from "./types.ts";

/** Bars an incremental sync of a never-ingested symbol (without `availableFrom`) goes back. */
const INCREMENTAL_FIRST_BARS = 1_000;
/** Bar 0 of a synthetic series without `availableFrom`. */
const SYNTHETIC_ORIGIN_MS = Date.UTC(2020, 0, 1);

/** Marks the run running, resolves each symbol's range and chunks, and emits `run.started`. */
export async function planRun(services: Services, p: IngestionWorkflowParams): Promise<IngestionPlan> {
  const { db, config } = services;
  const tf = p.timeframe;
  const tfMs = TIMEFRAME_MS[tf];
  const now = Date.now();
  // The bar in progress is not final: stop at the start of the current bar.
  const end = bucketStart(Math.min(p.toMs ?? now, now), tf);
  const registry = await db.select().from(marketSymbol).where(inArray(marketSymbol.symbol, p.symbols));
  const symbols: SymbolPlan[] = [];
  for (const symbol of p.symbols) {
    const entry = registry.find((r) => r.symbol === symbol);
    if (!entry) {
      symbols.push({
        symbol,
        assetClass: "",
        source: "",
        fromMs: 0,
        toMs: 0,
        chunks: [],
        error: "not in the symbol registry",
      });
      continue;
    }
    const synthetic = entry.source === "synthetic";
    const availableFrom = entry.availableFrom?.getTime();
    let from: number;
    if (p.kind === "incremental") {
      const last = await lastStoredBarTime(services.clickhouse, symbol, tf, config.CLICKHOUSE_DB);
      from = last !== null ? last + tfMs : (availableFrom ?? end - INCREMENTAL_FIRST_BARS * tfMs);
    } else {
      from = p.fromMs ?? availableFrom ?? end - INCREMENTAL_FIRST_BARS * tfMs;
    }
    const originMs = synthetic ? bucketStart(availableFrom ?? SYNTHETIC_ORIGIN_MS, tf) : undefined;
    from = Math.max(
      bucketStart(from, tf) < from ? bucketStart(from, tf) + tfMs : from,
      originMs ?? -Infinity,
    );
    const chunkBars = p.options?.chunkBars ?? defaultChunkBars(entry.source, tf);
    const plan: SymbolPlan = {
      symbol,
      assetClass: entry.assetClass,
      source: entry.source,
      fromMs: from,
      toMs: Math.max(from, end),
      chunks: from < end ? chunkRange(from, end, tf, chunkBars) : [],
    };
    if (synthetic) {
      plan.originMs = originMs as number;
      const seed = Number(entry.metadata.seed);
      plan.seed = Number.isSafeInteger(seed) && seed >= 0 ? seed : seedOf(symbol);
    }
    if (entry.source === "csv") plan.error = "CSV-sourced symbols are uploaded, not fetched";
    symbols.push(plan);
  }
  const starts = symbols.filter((s) => s.chunks.length > 0).map((s) => s.fromMs);
  await db
    .update(ingestionRun)
    .set({
      status: "running",
      startedAt: new Date(),
      rangeStart: starts.length > 0 ? new Date(Math.min(...starts)) : null,
      rangeEnd: new Date(end),
    })
    .where(and(eq(ingestionRun.id, p.runId), eq(ingestionRun.status, "pending")));
  await emitEvent(db, {
    runId: p.runId,
    type: "run.started",
    payload: {
      kind: p.kind,
      timeframe: tf,
      symbols: symbols.map((s) => s.symbol),
      chunks: symbols.reduce((n, s) => n + s.chunks.length, 0),
    },
    key: "run.started",
  });
  return { ingestVersion: now, symbols };
}

/** A symbol's run row turns `running`; `symbol.started`. */
export async function startSymbol(
  services: Services,
  p: IngestionWorkflowParams,
  s: SymbolPlan,
): Promise<void> {
  const { db } = services;
  await setRunSymbol(db, p.runId, s.symbol, { status: "running" });
  await emitEvent(db, {
    runId: p.runId,
    type: "symbol.started",
    symbol: s.symbol,
    payload: {
      source: s.source,
      from: new Date(s.fromMs).toISOString(),
      to: new Date(s.toMs).toISOString(),
      chunks: s.chunks.length,
    },
    key: `symbol.started:${s.symbol}`,
  });
}

/** One chunk of one symbol to fetch (or generate) and write. */
export interface ChunkTask {
  p: IngestionWorkflowParams;
  plan: IngestionPlan;
  s: SymbolPlan;
  index: number;
  fromMs: number;
  toMs: number;
  /** Rows the symbol's earlier chunks wrote. */
  rowsBefore: number;
  attempt: number;
  /** Pause between provider requests. */
  delayMs: number;
}

/** Writes one chunk, then records progress. Permanent failures come back as `{ failed }`. */
export async function ingestRunChunk(
  services: Services,
  chunk: ChunkTask,
): Promise<ChunkResult | { failed: string }> {
  const { db } = services;
  const { p, plan, s, index, fromMs, toMs, rowsBefore, attempt } = chunk;
  let result: ChunkResult;
  try {
    result = await ingestChunk(
      clickHouseConnection(services.config),
      liveProviders(services.config.YAHOO_BASE_URL, services.config.BINANCE_BASE_URL),
      {
        symbol: s.symbol,
        assetClass: s.assetClass,
        source: s.source,
        timeframe: p.timeframe,
        fromMs,
        toMs,
        ingestVersion: plan.ingestVersion,
        originMs: s.originMs,
        seed: s.seed,
        delayMs: chunk.delayMs,
      },
    );
  } catch (err) {
    if (err instanceof PermanentChunkError) return { failed: err.message };
    throw err;
  }
  const failAfterWrite = chunk.p.faults?.failAfterWrite?.[s.symbol] ?? 0;
  if (attempt <= failAfterWrite) throw new Error(`injected failure after write (attempt ${attempt})`);
  await setRunSymbol(db, p.runId, s.symbol, {
    rowsWritten: rowsBefore + result.rows,
    ...(result.lastBarTime !== null ? { lastBarTime: result.lastBarTime } : {}),
    attempt,
  });
  await emitEvent(db, {
    runId: p.runId,
    type: "symbol.progress",
    symbol: s.symbol,
    payload: { rows: rowsBefore + result.rows, chunk: index + 1, chunks: s.chunks.length },
    key: `symbol.progress:${s.symbol}:${index}`,
  });
  return result;
}

/** A symbol finished: its row turns `completed`; `symbol.completed`. */
export async function completeSymbol(
  { db }: Services,
  p: IngestionWorkflowParams,
  s: SymbolPlan,
  rows: number,
  lastBarTime: number | null,
): Promise<void> {
  await setRunSymbol(db, p.runId, s.symbol, {
    status: "completed",
    rowsWritten: rows,
    ...(lastBarTime !== null ? { lastBarTime } : {}),
  });
  await emitEvent(db, {
    runId: p.runId,
    type: "symbol.completed",
    symbol: s.symbol,
    payload: { rows, lastBarTime: lastBarTime === null ? null : new Date(lastBarTime).toISOString() },
    key: `symbol.completed:${s.symbol}`,
  });
}

/** A symbol failed (out of retries, or for good): its row turns `failed`; `symbol.failed`. */
export async function failSymbol(
  { db }: Services,
  p: IngestionWorkflowParams,
  s: SymbolPlan,
  reason: string,
  rows: number,
): Promise<void> {
  await setRunSymbol(db, p.runId, s.symbol, { status: "failed", error: reason, rowsWritten: rows });
  await emitEvent(db, {
    runId: p.runId,
    type: "symbol.failed",
    symbol: s.symbol,
    payload: { error: reason, rows },
    key: `symbol.failed:${s.symbol}`,
  });
}

/** Completed, partial or failed, with totals; `run.completed`. */
export async function finishIngestionRun(
  { db }: Services,
  p: IngestionWorkflowParams,
  outcomes: SymbolOutcome[],
) {
  const failed = outcomes.filter((o) => o.status === "failed");
  const rowsWritten = outcomes.reduce((n, o) => n + o.rows, 0);
  const status = failed.length === 0 ? "completed" : failed.length === outcomes.length ? "failed" : "partial";
  const error =
    failed.length === 0
      ? null
      : `${failed.length} of ${outcomes.length} symbols failed: ${failed
          .slice(0, 5)
          .map((f) => `${f.symbol} (${f.error})`)
          .join(", ")}${failed.length > 5 ? ", …" : ""}`;
  await finishRun(
    db,
    p.runId,
    { status, rowsWritten, error },
    { rowsWritten, completed: outcomes.length - failed.length, failed: failed.map((f) => f.symbol) },
  );
  return { runId: p.runId, status, rowsWritten, symbols: outcomes };
}

/** The workflow itself failed: the run is `failed` with the reason. */
export async function abortIngestionRun({ db }: Services, runId: string, reason: string): Promise<void> {
  await finishRun(db, runId, { status: "failed", error: reason }, { error: reason });
}
