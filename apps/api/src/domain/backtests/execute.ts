/**
 * One backtest, start to finish, as the workflow's step runs it: load the bars through the columnar
 * read path, hash them, run the pinned strategy in its runtime, then persist the equity curve (R2)
 * and, in one transaction, the trades and the summary. The final update only applies while the row
 * is still `running`, so a cancel that lands mid-run wins and nothing of the run becomes visible.
 * Re-running the step (a retry) starts over and writes the same rows again, never twice.
 */

import { backtest, backtestTrade, type Database, type Transaction } from "@quantago/db";
import {
  EngineConfigError,
  EXIT_REASONS,
  type ExecutionConfig,
  resolveExecutionConfig,
} from "@quantago/engine";
import {
  type ColumnarResult,
  readBarsColumnar,
  type Timeframe,
  TimeframeTooFineError,
} from "@quantago/market-data";
import type { BarColumns } from "@quantago/strategies";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Services } from "../../services.ts";
import { runtimeFor } from "../strategies/resolution.ts";
import {
  type Cancellation,
  type DecisionCheckpoint,
  RuntimeError,
  type RuntimeResult,
  r2Checkpoint,
} from "../strategies/runtimes/index.ts";
import { checkpointPrefix, encodeEquity, equityKey } from "./equity.ts";
import { hashBars } from "./execution.ts";
import { type Finished, finishBacktest } from "./finish.ts";

/**
 * Test-only fault injection (the HTTP routes never set it; only a test creating the workflow instance
 * directly can): crash the step after the given number of checkpoint saves in an attempt that started
 * from no checkpoint, as a lost isolate would, and checkpoint more often than in production.
 */
export interface BacktestFaults {
  crashAfterCheckpointSaves?: number;
  checkpointEveryCalls?: number;
}

/** Where an injected crash leaves its mark, so a test can tell the fault really fired. */
export function faultMarkerKey(backtestId: string): string {
  return `backtests/${backtestId}/fault-fired`;
}

/** Wraps a checkpoint so that the first attempt dies after `crashAfter` saves. */
function crashingCheckpoint(
  inner: DecisionCheckpoint,
  crashAfter: number,
  markFired: () => Promise<unknown>,
): DecisionCheckpoint {
  let resumed = false;
  let saves = 0;
  return {
    async load() {
      const recorded = await inner.load();
      resumed = recorded.size > 0;
      return recorded;
    },
    async save(entries) {
      await inner.save(entries);
      saves += 1;
      if (!resumed && saves === crashAfter) {
        await markFired();
        throw new Error("injected fault: the step died after a checkpoint");
      }
    },
    clear: () => inner.clear(),
  };
}

export interface BacktestOutcome {
  status: "completed" | "failed" | "cancelled" | "skipped";
  trades?: number;
  error?: string;
}

/** Rows per INSERT; each statement carries one array per column, whatever the row count. */
const TRADE_BATCH = 50_000;

/**
 * Concurrent slices of a long bar read (ranges under 100,000 buckets a slice are read in fewer). The
 * SMAX-1M bars straight from the dev stack's ClickHouse (`bench/market-data/slices.ts --symbol SMAX-1M
 * --from 2020-01-01 --to 2022-01-01 --slices 1,4,8`), p50 of 10 reads in three runs: 1 slice
 * 1,771–1,962 ms, 4 slices 594–887 ms, 8 slices 380–802 ms. Eight was not reliably better than four.
 */
const BAR_READ_SLICES = 4;

/** The closed trades of a run as one array per `backtest_trade` column, in entry order. */
interface TradeRowColumns {
  seq: number[];
  type: string[];
  size: number[];
  entryPrice: number[];
  entryTime: number[];
  exitPrice: number[];
  exitTime: number[];
  fees: number[];
  profit: number[];
  returnPct: number[];
  reason: string[];
  metadata: Array<string | null>;
}

function tradeRowColumns(bars: BarColumns, result: RuntimeResult): TradeRowColumns {
  const t = result.tradeColumns;
  const out: TradeRowColumns = {
    seq: [],
    type: [],
    size: [],
    entryPrice: [],
    entryTime: [],
    exitPrice: [],
    exitTime: [],
    fees: [],
    profit: [],
    returnPct: [],
    reason: [],
    metadata: [],
  };
  for (let k = 0; k < t.count; k++) {
    const size = t.size[k] as number;
    const entryPrice = t.entryPrice[k] as number;
    const pnl = t.pnl[k] as number;
    const note = result.notes?.[k];
    out.seq.push(k);
    out.type.push(size > 0 ? "BUY" : "SELL");
    out.size.push(Math.abs(size));
    out.entryPrice.push(entryPrice);
    out.entryTime.push(bars.time[t.entryIndex[k] as number] as number);
    out.exitPrice.push(t.exitPrice[k] as number);
    out.exitTime.push(bars.time[t.exitIndex[k] as number] as number);
    out.fees.push((t.entryFee[k] as number) + (t.exitFee[k] as number));
    out.profit.push(pnl);
    out.returnPct.push(pnl / (entryPrice * Math.abs(size)));
    out.reason.push(EXIT_REASONS[t.reason[k] as number] ?? "signal");
    out.metadata.push(
      note && (note.entry || note.exit)
        ? JSON.stringify({
            entryReason: note.entry?.reason ?? null,
            entryMetadata: note.entry?.metadata ?? null,
            exitReason: note.exit?.reason ?? null,
            exitMetadata: note.exit?.metadata ?? null,
          })
        : null,
    );
  }
  return out;
}

/**
 * A Postgres array literal (`{1,2.5,"a\"b",NULL}`) sent as ONE text parameter: drizzle's `sql`
 * would expand a JS array into one placeholder per element. Numbers are written in their shortest
 * round-trip form, which float8/int8 parse back exactly; strings are quoted and escaped.
 */
function pgArray(values: ReadonlyArray<number | string | null>): string {
  const items = values.map((v) =>
    v === null
      ? "NULL"
      : typeof v === "number"
        ? String(v)
        : `"${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`,
  );
  return `{${items.join(",")}}`;
}

/**
 * Inserts trades with one `unnest` statement per batch: tens of thousands of rows in one round trip
 * (a multi-row VALUES list needs 13 parameters a row and many statements; measured 2 s for 19,539
 * trades through the dev stack's proxy). Numbers travel as their shortest round-trip text, exact.
 */
async function insertTrades(tx: Transaction, id: string, c: TradeRowColumns): Promise<void> {
  for (let i = 0; i < c.seq.length; i += TRADE_BATCH) {
    const part = (xs: ReadonlyArray<number | string | null>) => pgArray(xs.slice(i, i + TRADE_BATCH));
    await tx.execute(sql`
      INSERT INTO ${backtestTrade} (backtest_id, seq, type, size, entry_price, entry_time, exit_price,
        exit_time, fees, profit, return_pct, reason, metadata)
      SELECT ${id}, * FROM unnest(${part(c.seq)}::int[], ${part(c.type)}::text[], ${part(c.size)}::float8[],
        ${part(c.entryPrice)}::float8[], ${part(c.entryTime)}::int8[], ${part(c.exitPrice)}::float8[],
        ${part(c.exitTime)}::int8[], ${part(c.fees)}::float8[], ${part(c.profit)}::float8[],
        ${part(c.returnPct)}::float8[], ${part(c.reason)}::text[], ${part(c.metadata)}::jsonb[])`);
  }
}

/** A failure the submitter can act on (bad strategy output, missing data...) rather than our bug. */
function userFacing(e: unknown): string | null {
  if (e instanceof RuntimeError) return e.message;
  if (e instanceof TimeframeTooFineError || e instanceof EngineConfigError) return e.message;
  return null;
}

type BacktestRow = typeof backtest.$inferSelect;

/**
 * Reads the backtest's bars through the columnar path; no bars at all is the user's problem. Sweeps
 * (domain/research) load their bars through it too.
 */
export async function loadBars(
  { clickhouse, config }: Services,
  row: Pick<BacktestRow, "symbol" | "timeframe" | "startDate" | "endDate">,
): Promise<ColumnarResult> {
  // Long ranges are read as a few concurrent, bucket-aligned slices: the same bars, sooner.
  const bars = await readBarsColumnar(
    clickhouse,
    {
      symbol: row.symbol,
      timeframe: row.timeframe as Timeframe,
      from: row.startDate,
      to: row.endDate,
      database: config.CLICKHOUSE_DB,
    },
    { slices: BAR_READ_SLICES },
  );
  if (bars.count === 0) {
    throw new RuntimeError(
      "strategy_parameters",
      `No ${row.timeframe} market data for ${row.symbol} between ${row.startDate.toISOString()} and ${row.endDate.toISOString()}.`,
    );
  }
  return bars;
}

/** Runs the pinned strategy over the bars, checkpointing remote answers and recording progress. */
async function runStrategy(
  services: Services,
  row: BacktestRow,
  bars: BarColumns,
  faults: BacktestFaults,
  phase: (name: string) => void,
  cancellation: Cancellation,
): Promise<{ result: RuntimeResult; checkpoint: DecisionCheckpoint }> {
  const { db, storage } = services;
  const id = row.id;
  const runtime = await runtimeFor(row, services);
  phase("prepareRuntime");
  const stored = r2Checkpoint(storage.results, checkpointPrefix(id));
  const checkpoint =
    faults.crashAfterCheckpointSaves === undefined
      ? stored
      : crashingCheckpoint(stored, faults.crashAfterCheckpointSaves, () =>
          storage.results.put(faultMarkerKey(id), "fired"),
        );
  const result = await runtime.run({
    cancellation,
    checkpoint,
    ...(faults.checkpointEveryCalls === undefined
      ? {}
      : { checkpointEveryCalls: faults.checkpointEveryCalls }),
    bars,
    config: (row.executionConfig ?? {}) as ExecutionConfig,
    parameters: row.parameters,
    timeframe: row.timeframe,
    onProgress: async (done) => {
      await db
        .update(backtest)
        .set({ barsDone: done, updatedAt: new Date() })
        .where(and(eq(backtest.id, id), eq(backtest.status, "running")));
    },
  });
  return { result, checkpoint: stored };
}

/**
 * Stores the equity curve (R2) and, through {@link finishBacktest}, the trades and the summary in one
 * transaction. The row turns `completed` only while it is still `running`: a cancel that landed
 * mid-run wins, and nothing of the run stays visible.
 */
async function storeResult(
  services: Services,
  row: BacktestRow,
  bars: ColumnarResult,
  result: RuntimeResult,
): Promise<BacktestOutcome> {
  const { storage } = services;
  const id = row.id;
  const key = equityKey(id);
  // The curve goes to R2 while the trades go to Postgres; the row turns `completed` only once both
  // are stored (the transaction waits for the put before its final update).
  const storingEquity = storage.results.put(key, encodeEquity(bars.time, result.equity));
  storingEquity.catch(() => {}); // awaited below; this only keeps an early rejection from going unhandled
  const trades = tradeRowColumns(bars, result);
  const resolved = resolveExecutionConfig((row.executionConfig ?? {}) as ExecutionConfig, bars.time);
  let finished: Finished;
  try {
    finished = await finishBacktest(services, id, {
      status: "completed",
      fields: {
        barsDone: bars.count,
        metrics: {
          ...result.metrics,
          evaluatedBars: result.evaluatedBars,
          finalCash: result.finalCash,
          openPosition: result.openPosition,
        },
        executionConfig: resolved as unknown as Record<string, unknown>,
        finalEquity: result.metrics.finalEquity,
        tradeCount: trades.seq.length,
        equityKey: key,
      },
      write: async (tx) => {
        await tx.delete(backtestTrade).where(eq(backtestTrade.backtestId, id));
        await insertTrades(tx, id, trades);
        await storingEquity;
      },
    });
  } finally {
    await storingEquity.catch(() => {});
  }
  if (!finished.row) return { status: "cancelled" };
  return { status: "completed", trades: trades.seq.length };
}

/** How often a run asks whether its backtest was cancelled or deleted. */
export const CANCELLATION_CHECK_MS = 250;

/** Why a run stopped early: its backtest is no longer `running` (cancelled, deleted). */
class BacktestStopped extends Error {
  override name = "BacktestStopped";
}

/**
 * The run's {@link Cancellation}, read from the row: `check()` reads the status at most every
 * {@link CANCELLATION_CHECK_MS} (the remote runtime calls it per candle), and a timer reads it as often
 * while a call is in flight, so a hung strategy is aborted too. Once the row is not `running` (or is
 * gone) the signal aborts with a {@link BacktestStopped}. The timer may not outlive the step: `stop()`.
 */
function watchCancellation(db: Database, id: string): Cancellation & { stop(): void } {
  const controller = new AbortController();
  let lastRead = Date.now();
  let reading: Promise<void> | null = null;
  const read = () => {
    reading ??= db
      .select({ status: backtest.status })
      .from(backtest)
      .where(eq(backtest.id, id))
      .then(([row]) => {
        if (row?.status !== "running") {
          controller.abort(new BacktestStopped(`backtest ${id} is ${row?.status ?? "deleted"}`));
        }
      })
      .finally(() => {
        lastRead = Date.now();
        reading = null;
      });
    return reading;
  };
  const timer = setInterval(() => {
    read().catch(() => {}); // the next check() reads again and reports a failure
  }, CANCELLATION_CHECK_MS);
  return {
    signal: controller.signal,
    async check() {
      controller.signal.throwIfAborted();
      if (Date.now() - lastRead >= CANCELLATION_CHECK_MS) await read();
      controller.signal.throwIfAborted();
    },
    stop: () => clearInterval(timer),
  };
}

export async function executeBacktest(
  services: Services,
  id: string,
  faults: BacktestFaults = {},
): Promise<BacktestOutcome> {
  const { db } = services;
  const [row] = await db
    .update(backtest)
    .set({ status: "running", startedAt: new Date(), barsDone: 0, updatedAt: new Date() })
    .where(and(eq(backtest.id, id), inArray(backtest.status, ["pending", "running"])))
    .returning();
  // Cancelled, deleted or already finished (a retry after the final commit): nothing to do.
  if (!row) return { status: "skipped" };
  // Wall time of each phase, logged once per run: where a slow backtest spends its time.
  const phases: Record<string, number> = {};
  let mark = Date.now();
  const phase = (name: string) => {
    const now = Date.now();
    phases[name] = now - mark;
    mark = now;
  };
  const cancellation = watchCancellation(db, id);
  try {
    const bars = await loadBars(services, row);
    phase("loadBars");
    const barsHash = await hashBars(bars);
    phase("hashBars");
    await db.update(backtest).set({ barsTotal: bars.count, barsHash }).where(eq(backtest.id, id));
    await cancellation.check();
    const { result } = await runStrategy(services, row, bars, faults, phase, cancellation);
    phase("run");
    cancellation.stop();
    const outcome = await storeResult(services, row, bars, result);
    if (outcome.status !== "completed") return outcome;
    phase("store");
    console.log(
      JSON.stringify({
        msg: "backtest completed",
        backtestId: id,
        bars: bars.count,
        trades: outcome.trades,
        phases,
      }),
    );
    return outcome;
  } catch (e) {
    if (e instanceof BacktestStopped) {
      // Cancelled or deleted mid-run: the run stops here and leaves nothing behind.
      await finishBacktest(services, id, { status: "cancelled" });
      console.log(JSON.stringify({ msg: "backtest stopped", backtestId: id, reason: e.message, phases }));
      return { status: "cancelled" };
    }
    const message = userFacing(e);
    if (message === null) throw e; // ours: let the step retry
    await finishBacktest(services, id, { status: "failed", message });
    return { status: "failed", error: message };
  } finally {
    cancellation.stop();
  }
}

/** After the step gave up: record a generic reason (the details are in the Worker's logs). */
export async function failAfterRetries(services: Services, id: string): Promise<void> {
  await finishBacktest(services, id, {
    status: "failed",
    message: "The backtest failed because of an internal error; try again later.",
  });
}
