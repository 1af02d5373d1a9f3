import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";
import { createDb, type Database, ingestionRun, marketSymbol } from "@quantago/db";
import { bucketStart, createClickHouse, lastStoredBarTime, TIMEFRAME_MS } from "@quantago/market-data";
import { and, eq, inArray } from "drizzle-orm";
import { type Config, type Env, readConfig } from "../../env.ts";
import { clickHouseConnection } from "../../lib/clickhouse.ts";
import { emitEvent, finishRun } from "../../routes/ingestion/events.ts";
import { setRunSymbol } from "../../routes/ingestion/ingestion.service.ts";
import { liveProviders } from "../../routes/market-data/market-data.service.ts";
import { chunkRange } from "./chunks.ts";
import {
  type ChunkResult,
  defaultChunkBars,
  describeError,
  ingestChunk,
  PermanentChunkError,
  seedOf,
} from "./sources.ts";
import type { IngestionPlan, IngestionWorkflowParams, SymbolOutcome, SymbolPlan } from "./types.ts";

/** Bars an incremental sync of a never-ingested symbol (without `availableFrom`) goes back. */
const INCREMENTAL_FIRST_BARS = 1_000;
/** Bar 0 of a synthetic series without `availableFrom`. */
const SYNTHETIC_ORIGIN_MS = Date.UTC(2020, 0, 1);

const BOOKKEEPING = {
  retries: { limit: 5, delay: "1 second", backoff: "exponential" },
  timeout: "1 minute",
} as const;
const CHUNK = {
  retries: { limit: 4, delay: "5 seconds", backoff: "exponential" },
  timeout: "5 minutes",
} as const;

/**
 * Bulk, incremental and backfill ingestion in one class: they differ only in how the plan picks each
 * symbol's range. Shape of an instance (id = run id):
 *
 * 1. `plan` — marks the run running, resolves symbols and ranges, emits `run.started`.
 * 2. Per symbol, in batches of `concurrency`: `start <symbol>`, one `chunk <symbol> <i>` step per chunk
 *    (fetch + INSERT, retried with exponential backoff), `complete <symbol>`; when a chunk runs out of
 *    retries (or fails permanently) `fail <symbol>` records it and the other symbols go on.
 * 3. `finish` — completed / partial / failed, totals, `run.completed`.
 *
 * Every step is idempotent: inserts repeat identical rows (same ingest version, folded by the
 * ReplacingMergeTree), run-state updates set absolute values, and events carry an idempotency key.
 */
export class IngestionWorkflow extends WorkflowEntrypoint<Env, IngestionWorkflowParams> {
  override async run(event: WorkflowEvent<IngestionWorkflowParams>, step: WorkflowStep) {
    const p = event.payload;
    try {
      const plan = await step.do("plan", BOOKKEEPING, () => this.withDb((db) => this.plan(db, p)));
      const concurrency = p.options?.concurrency ?? 4;
      const outcomes: SymbolOutcome[] = [];
      for (let i = 0; i < plan.symbols.length; i += concurrency) {
        const batch = plan.symbols.slice(i, i + concurrency);
        outcomes.push(...(await Promise.all(batch.map((s) => this.ingestSymbol(step, p, plan, s)))));
      }
      return await step.do("finish", BOOKKEEPING, () => this.withDb((db) => this.finish(db, p, outcomes)));
    } catch (err) {
      const reason = describeError(err);
      await step.do("abort", BOOKKEEPING, () =>
        this.withDb(async (db) => {
          await finishRun(db, p.runId, { status: "failed", error: reason }, { error: reason });
          return true;
        }),
      );
      throw err;
    }
  }

  private async withDb<T>(fn: (db: Database, config: Config) => Promise<T>): Promise<T> {
    const config = readConfig(this.env);
    const { db, close } = createDb({ databaseUrl: config.DATABASE_URL, wsProxy: config.DATABASE_WS_PROXY });
    try {
      return await fn(db, config);
    } finally {
      await close().catch(() => {});
    }
  }

  private async plan(db: Database, p: IngestionWorkflowParams): Promise<IngestionPlan> {
    const config = readConfig(this.env);
    const tf = p.timeframe;
    const tfMs = TIMEFRAME_MS[tf];
    const now = Date.now();
    // The bar in progress is not final: stop at the start of the current bar.
    const end = bucketStart(Math.min(p.toMs ?? now, now), tf);
    const registry = await db.select().from(marketSymbol).where(inArray(marketSymbol.symbol, p.symbols));
    const client = createClickHouse(clickHouseConnection(config));
    const symbols: SymbolPlan[] = [];
    try {
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
          const last = await lastStoredBarTime(client, symbol, tf, config.CLICKHOUSE_DB);
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
    } finally {
      await client.close();
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

  private async ingestSymbol(
    step: WorkflowStep,
    p: IngestionWorkflowParams,
    plan: IngestionPlan,
    s: SymbolPlan,
  ): Promise<SymbolOutcome> {
    let rows = 0;
    try {
      if (s.error) throw new PermanentChunkError(s.error);
      await step.do(`start ${s.symbol}`, BOOKKEEPING, () =>
        this.withDb(async (db) => {
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
          return true;
        }),
      );
      let lastBarTime: number | null = null;
      for (const [i, [from, to]] of s.chunks.entries()) {
        const rowsBefore = rows;
        const result = await step.do(`chunk ${s.symbol} ${i}`, CHUNK, async (ctx) => {
          const attempt = (ctx as { attempt?: number } | undefined)?.attempt ?? 1;
          return this.chunk(p, plan, s, i, from, to, rowsBefore, attempt);
        });
        if ("failed" in result) throw new PermanentChunkError(result.failed);
        rows += result.rows;
        lastBarTime = result.lastBarTime ?? lastBarTime;
      }
      await step.do(`complete ${s.symbol}`, BOOKKEEPING, () =>
        this.withDb(async (db) => {
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
          return true;
        }),
      );
      return { symbol: s.symbol, status: "completed", rows };
    } catch (err) {
      const reason = describeError(err);
      await step.do(`fail ${s.symbol}`, BOOKKEEPING, () =>
        this.withDb(async (db) => {
          await setRunSymbol(db, p.runId, s.symbol, { status: "failed", error: reason, rowsWritten: rows });
          await emitEvent(db, {
            runId: p.runId,
            type: "symbol.failed",
            symbol: s.symbol,
            payload: { error: reason, rows },
            key: `symbol.failed:${s.symbol}`,
          });
          return true;
        }),
      );
      return { symbol: s.symbol, status: "failed", rows, error: reason };
    }
  }

  /** One chunk step: write, then record progress. Permanent failures come back as `{ failed }`. */
  private async chunk(
    p: IngestionWorkflowParams,
    plan: IngestionPlan,
    s: SymbolPlan,
    index: number,
    fromMs: number,
    toMs: number,
    rowsBefore: number,
    attempt: number,
  ): Promise<ChunkResult | { failed: string }> {
    const config = readConfig(this.env);
    const delayMs =
      p.options?.delayMs ??
      Number(
        s.source === "yahoo"
          ? this.env.INGESTION_YAHOO_DELAY_MS
          : s.source === "binance"
            ? this.env.INGESTION_BINANCE_DELAY_MS
            : 0,
      );
    let result: ChunkResult;
    try {
      result = await ingestChunk(
        clickHouseConnection(config),
        liveProviders(config.YAHOO_BASE_URL, config.BINANCE_BASE_URL),
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
          delayMs: Number.isFinite(delayMs) ? delayMs : 0,
        },
      );
    } catch (err) {
      if (err instanceof PermanentChunkError) return { failed: err.message };
      throw err;
    }
    const failAfterWrite = p.faults?.failAfterWrite?.[s.symbol] ?? 0;
    if (attempt <= failAfterWrite) throw new Error(`injected failure after write (attempt ${attempt})`);
    await this.withDb(async (db) => {
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
    });
    return result;
  }

  private async finish(db: Database, p: IngestionWorkflowParams, outcomes: SymbolOutcome[]) {
    const failed = outcomes.filter((o) => o.status === "failed");
    const rowsWritten = outcomes.reduce((n, o) => n + o.rows, 0);
    const status =
      failed.length === 0 ? "completed" : failed.length === outcomes.length ? "failed" : "partial";
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
}
