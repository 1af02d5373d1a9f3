/**
 * One backtest, start to finish, as the workflow's step runs it: load the bars through the columnar
 * read path, hash them, run the pinned strategy in its runtime, then persist the equity curve (R2)
 * and, in one transaction, the trades and the summary. The final update only applies while the row
 * is still `running`, so a cancel that lands mid-run wins and nothing of the run becomes visible.
 * Re-running the step (a retry) starts over and writes the same rows again, never twice.
 */
import { backtest, backtestTrade, createDb, type Database } from "@quantago/db";
import {
  EngineConfigError,
  EXIT_REASONS,
  type ExecutionConfig,
  resolveExecutionConfig,
} from "@quantago/engine";
import {
  createClickHouse,
  readBarsColumnar,
  type Timeframe,
  TimeframeTooFineError,
} from "@quantago/market-data";
import type { BarColumns } from "@quantago/strategies";
import { and, eq, inArray } from "drizzle-orm";
import { type Env, readConfig } from "../../env.ts";
import { encodeEquity, equityKey } from "../../routes/backtests/equity.ts";
import { hashBars } from "../../routes/backtests/execution.ts";
import { runtimeFor } from "../../routes/backtests/strategy-resolution.ts";
import { RuntimeError, type RuntimeResult } from "../../runtimes/index.ts";

export interface BacktestOutcome {
  status: "completed" | "failed" | "cancelled" | "skipped";
  trades?: number;
  error?: string;
}

/** Rows per INSERT: 13 parameters a row stays far below Postgres' 65,535 bind parameters. */
const TRADE_BATCH = 2_000;

class Cancelled extends Error {}

function tradeRows(
  id: string,
  bars: BarColumns,
  result: RuntimeResult,
): Array<typeof backtestTrade.$inferInsert> {
  const t = result.tradeColumns;
  const rows: Array<typeof backtestTrade.$inferInsert> = [];
  for (let k = 0; k < t.count; k++) {
    const size = t.size[k] as number;
    const entryPrice = t.entryPrice[k] as number;
    const pnl = t.pnl[k] as number;
    const note = result.notes?.[k];
    const metadata =
      note && (note.entry || note.exit)
        ? {
            entryReason: note.entry?.reason ?? null,
            entryMetadata: note.entry?.metadata ?? null,
            exitReason: note.exit?.reason ?? null,
            exitMetadata: note.exit?.metadata ?? null,
          }
        : null;
    rows.push({
      backtestId: id,
      seq: k,
      type: size > 0 ? "BUY" : "SELL",
      size: Math.abs(size),
      entryPrice,
      entryTime: bars.time[t.entryIndex[k] as number] as number,
      exitPrice: t.exitPrice[k] as number,
      exitTime: bars.time[t.exitIndex[k] as number] as number,
      fees: (t.entryFee[k] as number) + (t.exitFee[k] as number),
      profit: pnl,
      returnPct: pnl / (entryPrice * Math.abs(size)),
      reason: EXIT_REASONS[t.reason[k] as number] ?? "signal",
      metadata,
    });
  }
  return rows;
}

async function markFailed(db: Database, id: string, message: string): Promise<void> {
  await db
    .update(backtest)
    .set({ status: "failed", errorMessage: message, finishedAt: new Date(), updatedAt: new Date() })
    .where(and(eq(backtest.id, id), inArray(backtest.status, ["pending", "running"])));
}

/** A failure the submitter can act on (bad strategy output, missing data...) rather than our bug. */
function userFacing(e: unknown): string | null {
  if (e instanceof RuntimeError) return e.message;
  if (e instanceof TimeframeTooFineError || e instanceof EngineConfigError) return e.message;
  return null;
}

export async function executeBacktest(env: Env, id: string): Promise<BacktestOutcome> {
  const config = readConfig(env);
  const { db, close } = createDb({ databaseUrl: config.DATABASE_URL, wsProxy: config.DATABASE_WS_PROXY });
  const clickhouse = createClickHouse({
    url: config.CLICKHOUSE_URL,
    username: config.CLICKHOUSE_USERNAME,
    password: config.CLICKHOUSE_PASSWORD,
    database: config.CLICKHOUSE_DB,
  });
  try {
    const [row] = await db
      .update(backtest)
      .set({ status: "running", startedAt: new Date(), barsDone: 0, updatedAt: new Date() })
      .where(and(eq(backtest.id, id), inArray(backtest.status, ["pending", "running"])))
      .returning();
    // Cancelled, deleted or already finished (a retry after the final commit): nothing to do.
    if (!row) return { status: "skipped" };
    try {
      const bars = await readBarsColumnar(clickhouse, {
        symbol: row.symbol,
        timeframe: row.timeframe as Timeframe,
        from: row.startDate,
        to: row.endDate,
        database: config.CLICKHOUSE_DB,
      });
      if (bars.count === 0) {
        throw new RuntimeError(
          "strategy_parameters",
          `No ${row.timeframe} market data for ${row.symbol} between ${row.startDate.toISOString()} and ${row.endDate.toISOString()}.`,
        );
      }
      const barsHash = await hashBars(bars);
      await db.update(backtest).set({ barsTotal: bars.count, barsHash }).where(eq(backtest.id, id));
      const runtime = await runtimeFor(row, {
        db,
        artifacts: env.STRATEGY_ARTIFACTS,
        loader: env.LOADER,
        allowPrivate: config.REMOTE_STRATEGY_ALLOW_PRIVATE,
      });
      const executionConfig = (row.executionConfig ?? {}) as ExecutionConfig;
      const result = await runtime.run({
        bars,
        config: executionConfig,
        parameters: row.parameters,
        timeframe: row.timeframe,
        onProgress: async (done) => {
          await db
            .update(backtest)
            .set({ barsDone: done, updatedAt: new Date() })
            .where(and(eq(backtest.id, id), eq(backtest.status, "running")));
        },
      });

      const key = equityKey(id);
      await env.BACKTEST_RESULTS.put(key, encodeEquity(bars.time, result.equity));
      const trades = tradeRows(id, bars, result);
      const resolved = resolveExecutionConfig(executionConfig, bars.time);
      try {
        await db.transaction(async (tx) => {
          await tx.delete(backtestTrade).where(eq(backtestTrade.backtestId, id));
          for (let i = 0; i < trades.length; i += TRADE_BATCH) {
            await tx.insert(backtestTrade).values(trades.slice(i, i + TRADE_BATCH));
          }
          const [done] = await tx
            .update(backtest)
            .set({
              status: "completed",
              barsDone: bars.count,
              metrics: {
                ...result.metrics,
                evaluatedBars: result.evaluatedBars,
                finalCash: result.finalCash,
                openPosition: result.openPosition,
              },
              executionConfig: resolved as unknown as Record<string, unknown>,
              finalEquity: result.metrics.finalEquity,
              tradeCount: trades.length,
              equityKey: key,
              finishedAt: new Date(),
              updatedAt: new Date(),
            })
            .where(and(eq(backtest.id, id), eq(backtest.status, "running")))
            .returning({ id: backtest.id });
          if (!done) throw new Cancelled();
        });
      } catch (e) {
        if (e instanceof Cancelled) {
          await env.BACKTEST_RESULTS.delete(key);
          return { status: "cancelled" };
        }
        throw e;
      }
      return { status: "completed", trades: trades.length };
    } catch (e) {
      const message = userFacing(e);
      if (message === null) throw e; // ours: let the step retry
      await markFailed(db, id, message);
      return { status: "failed", error: message };
    }
  } finally {
    await Promise.allSettled([close(), clickhouse.close()]);
  }
}

/** After the step gave up: record a generic reason (the details are in the Worker's logs). */
export async function failAfterRetries(env: Env, id: string): Promise<void> {
  const config = readConfig(env);
  const { db, close } = createDb({ databaseUrl: config.DATABASE_URL, wsProxy: config.DATABASE_WS_PROXY });
  try {
    await markFailed(db, id, "The backtest failed because of an internal error; try again later.");
  } finally {
    await close();
  }
}
