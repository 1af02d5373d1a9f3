import type { Database } from "@quantago/db";
import { marketSymbol } from "@quantago/db";
import {
  bucketStart,
  type ClickHouseConfig,
  type MarketDataProvider,
  TIMEFRAME_MS,
  type Timeframe,
} from "@quantago/market-data";
import { eq } from "drizzle-orm";
import { AppError } from "../../lib/errors.ts";
import { chunkRange } from "./chunks.ts";
import { emitEvent, finishRun } from "./events.ts";
import { assetClassOf } from "./registry.ts";
import { createRun, getRun, setRunSymbol } from "./runs.ts";
import { defaultChunkBars, describeError, ingestChunk, PermanentChunkError, seedOf } from "./sources.ts";

/** Largest range `run-once` accepts, in bars: bigger ranges belong in a backfill workflow. */
export const RUN_ONCE_MAX_BARS = 50_000;

export interface RunOnceInput {
  symbol: string;
  timeframe: Timeframe;
  fromMs: number;
  toMs: number;
  source?: "yahoo" | "binance" | "synthetic" | undefined;
  assetClass?: string | undefined;
  requestedBy: string;
}

/** The run's range: whole bars only, none in progress, at most {@link RUN_ONCE_MAX_BARS}. */
function runOnceRange(input: RunOnceInput, now: number): { from: number; to: number } {
  const tfMs = TIMEFRAME_MS[input.timeframe];
  const from = bucketStart(input.fromMs, input.timeframe);
  const to = Math.min(bucketStart(input.toMs - 1, input.timeframe) + tfMs, bucketStart(now, input.timeframe));
  if (to <= from) throw new AppError("VALIDATION_FAILED", "The range holds no finished bar.");
  if ((to - from) / tfMs > RUN_ONCE_MAX_BARS) {
    throw new AppError(
      "VALIDATION_FAILED",
      `run-once takes at most ${RUN_ONCE_MAX_BARS} bars; use POST /api/admin/ingestion/workflows/backfill for this range.`,
    );
  }
  return { from, to };
}

/** Records the `run_once` run (`running`) and emits `run.started` and `symbol.started`. */
async function startRunOnce(
  db: Database,
  input: RunOnceInput,
  range: { from: number; to: number },
  source: string,
) {
  const run = await createRun(db, {
    kind: "run_once",
    status: "running",
    timeframe: input.timeframe,
    symbols: [input.symbol],
    rangeStart: range.from,
    rangeEnd: range.to,
    requestedBy: input.requestedBy,
    details: { source },
  });
  await emitEvent(db, {
    runId: run.id,
    type: "run.started",
    payload: { kind: "run_once", timeframe: input.timeframe, symbols: [input.symbol] },
    key: "run.started",
  });
  await emitEvent(db, {
    runId: run.id,
    type: "symbol.started",
    symbol: input.symbol,
    payload: { source },
    key: `symbol.started:${input.symbol}`,
  });
  return run;
}

/** Ends the run `failed` and returns the error to answer with: 400, 429 or 502 by the cause. */
async function failRunOnce(db: Database, runId: string, symbol: string, err: unknown, rows: number) {
  const reason = describeError(err);
  await setRunSymbol(db, runId, symbol, { status: "failed", error: reason, rowsWritten: rows });
  await emitEvent(db, {
    runId,
    type: "symbol.failed",
    symbol,
    payload: { error: reason, rows },
    key: `symbol.failed:${symbol}`,
  });
  await finishRun(db, runId, { status: "failed", error: reason, rowsWritten: rows }, { rowsWritten: rows });
  if (err instanceof PermanentChunkError)
    return new AppError("VALIDATION_FAILED", `${reason} (run ${runId}).`, { cause: err });
  if (reason.endsWith("rate limited"))
    return new AppError("RATE_LIMITED", `${reason}; retry later (run ${runId}).`, {
      cause: err,
      headers: { "Retry-After": "60" },
    });
  return new AppError("UPSTREAM_FAILED", `${reason} (run ${runId}).`, { cause: err });
}

/** Ends the run `completed` with its totals. */
async function completeRunOnce(
  db: Database,
  runId: string,
  symbol: string,
  rows: number,
  lastBarTime: number | null,
): Promise<void> {
  await setRunSymbol(db, runId, symbol, {
    status: "completed",
    rowsWritten: rows,
    ...(lastBarTime !== null ? { lastBarTime } : {}),
  });
  await emitEvent(db, {
    runId,
    type: "symbol.completed",
    symbol,
    payload: { rows },
    key: `symbol.completed:${symbol}`,
  });
  await finishRun(db, runId, { status: "completed", rowsWritten: rows }, { rowsWritten: rows });
}

/**
 * `POST /run-once`: ingests one symbol's small range before answering, recorded as a `run_once` run
 * with the same events as a workflow run. Provider errors end the run `failed` and answer 502 (429 when
 * rate limited, 400 when the provider refuses the symbol).
 */
export async function runOnce(
  deps: {
    db: Database;
    connection: ClickHouseConfig;
    providers: { yahoo: MarketDataProvider; binance: MarketDataProvider };
    now: number;
  },
  input: RunOnceInput,
) {
  const { db } = deps;
  const { from, to } = runOnceRange(input, deps.now);
  const [entry] = await db.select().from(marketSymbol).where(eq(marketSymbol.symbol, input.symbol));
  const assetClass = input.assetClass ?? assetClassOf(input.symbol, entry);
  const source =
    input.source ??
    (entry && entry.source !== "csv" ? entry.source : assetClass === "crypto" ? "binance" : "yahoo");
  const run = await startRunOnce(db, input, { from, to }, source);
  const runId = run.id;
  const symbol = input.symbol;
  let rows = 0;
  let lastBarTime: number | null = null;
  try {
    const chunks = chunkRange(from, to, input.timeframe, defaultChunkBars(source, input.timeframe));
    for (const [i, [a, b]] of chunks.entries()) {
      const result = await ingestChunk(deps.connection, deps.providers, {
        symbol,
        assetClass,
        source,
        timeframe: input.timeframe,
        fromMs: a,
        toMs: b,
        ingestVersion: run.createdAt.getTime(),
        originMs:
          source === "synthetic"
            ? bucketStart(entry?.availableFrom?.getTime() ?? from, input.timeframe)
            : undefined,
        seed: source === "synthetic" ? Number(entry?.metadata.seed) || seedOf(symbol) : undefined,
        delayMs: 0,
      });
      rows += result.rows;
      lastBarTime = result.lastBarTime ?? lastBarTime;
      await emitEvent(db, {
        runId,
        type: "symbol.progress",
        symbol,
        payload: { rows, chunk: i + 1, chunks: chunks.length },
        key: `symbol.progress:${symbol}:${i}`,
      });
    }
  } catch (err) {
    throw await failRunOnce(db, runId, symbol, err, rows);
  }
  await completeRunOnce(db, runId, symbol, rows, lastBarTime);
  return (await getRun(db, runId)) as NonNullable<Awaited<ReturnType<typeof getRun>>>;
}
