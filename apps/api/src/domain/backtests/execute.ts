/**
 * One backtest, start to finish, as the workflow's step runs it: load the bars (cached between runs of
 * the same range), hash them while the pinned strategy runs in its runtime, then store the equity
 * curve and the trades (R2, side by side) and the summary. The final update only applies while the
 * row is still `running`, so a cancel that lands mid-run wins and nothing of the run becomes visible.
 * Re-running the step (a retry) starts over and overwrites what it stored, never twice.
 */

import { backtest, type Database } from "@quantago/db";
import { EngineConfigError, type ExecutionConfig, resolveExecutionConfig } from "@quantago/engine";
import { type ColumnarResult, type Timeframe, TimeframeTooFineError } from "@quantago/market-data";
import type { BarColumns } from "@quantago/strategies";
import { and, eq, inArray } from "drizzle-orm";
import type { Services } from "../../services.ts";
import { type LoadedBars, loadBars } from "../market-data/bars.ts";
import { runtimeFor } from "../strategies/resolution.ts";
import {
  type Cancellation,
  type DecisionCheckpoint,
  RuntimeError,
  type RuntimeResult,
  r2Checkpoint,
  type StrategyRuntime,
} from "../strategies/runtimes/index.ts";
import { checkpointPrefix, encodeEquity, equityKey } from "./equity.ts";
import { finishBacktest } from "./finish.ts";
import { storeTrades } from "./trades.ts";

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

/** A failure the submitter can act on (bad strategy output, missing data...) rather than our bug. */
function userFacing(e: unknown): string | null {
  if (e instanceof RuntimeError) return e.message;
  if (e instanceof TimeframeTooFineError || e instanceof EngineConfigError) return e.message;
  return null;
}

type BacktestRow = typeof backtest.$inferSelect;

/**
 * The bars of a backtest's range (see {@link loadBars}); no bars at all is the user's problem. Sweeps
 * (domain/research) load theirs through it too, so they share the isolate's bar cache.
 */
export async function barsOf(
  services: Services,
  row: Pick<BacktestRow, "symbol" | "timeframe" | "startDate" | "endDate">,
): Promise<LoadedBars> {
  const loaded = await loadBars(services, {
    symbol: row.symbol,
    timeframe: row.timeframe as Timeframe,
    from: row.startDate,
    to: row.endDate,
  });
  if (loaded.bars.count === 0) {
    throw new RuntimeError(
      "strategy_parameters",
      `No ${row.timeframe} market data for ${row.symbol} between ${row.startDate.toISOString()} and ${row.endDate.toISOString()}.`,
    );
  }
  return loaded;
}

/** Runs the pinned strategy over the bars, checkpointing remote answers and recording progress. */
async function runStrategy(
  services: Services,
  row: BacktestRow,
  runtime: StrategyRuntime,
  bars: BarColumns,
  faults: BacktestFaults,
  cancellation: Cancellation,
): Promise<{ result: RuntimeResult; checkpoint: DecisionCheckpoint }> {
  const { db, storage } = services;
  const id = row.id;
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
 * Stores the equity curve and the trades (R2, concurrently) and, through {@link finishBacktest}, the
 * summary. The row turns `completed` only while it is still `running`: a cancel that landed mid-run
 * wins, and nothing of the run stays visible.
 */
async function storeResult(
  services: Services,
  row: BacktestRow,
  bars: ColumnarResult,
  result: RuntimeResult,
  phase: (name: string) => void,
  /** Writes of the run still in flight; the row turns `completed` only after them. */
  inFlight: Promise<unknown>,
): Promise<BacktestOutcome> {
  const id = row.id;
  const key = equityKey(id);
  const tradeCount = result.tradeColumns.count;
  const resolved = resolveExecutionConfig((row.executionConfig ?? {}) as ExecutionConfig, bars.time);
  const finished = await finishBacktest(services, id, {
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
      tradeCount,
      equityKey: key,
    },
    write: async () => {
      await Promise.all([
        services.storage.results.put(key, encodeEquity(bars.time, result.equity)),
        storeTrades(services, id, result.tradeColumns, bars.time, result.notes),
        inFlight,
      ]);
      phase("storeResults");
    },
  });
  if (!finished.row) return { status: "cancelled" };
  return { status: "completed", trades: tradeCount };
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
    const { bars, hash, cached } = await barsOf(services, row);
    phase("loadBars");
    await cancellation.check();
    const runtime = await runtimeFor(row, services);
    phase("prepareRuntime");
    // The hash (when the bars were not cached) and recording it run beside running the strategy:
    // nothing in the run needs them. Recorded only now, after the runtime's own query: two queries
    // at once make the step's pool open a second connection, which took ~40 ms on the dev stack.
    const recorded = hash.then((barsHash) =>
      db.update(backtest).set({ barsTotal: bars.count, barsHash }).where(eq(backtest.id, id)),
    );
    recorded.catch(() => {}); // awaited below; this only keeps an early rejection from going unhandled
    const { result } = await runStrategy(services, row, runtime, bars, faults, cancellation);
    phase("run");
    cancellation.stop();
    const outcome = await storeResult(services, row, bars, result, phase, recorded);
    result.release?.(); // stored (or dropped by a cancel): the next run may write over its arrays
    if (outcome.status !== "completed") return outcome;
    phase("commit");
    console.log(
      JSON.stringify({
        msg: "backtest completed",
        backtestId: id,
        bars: bars.count,
        barsCached: cached,
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
