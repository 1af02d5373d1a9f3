/**
 * Monte Carlo runs over a completed backtest's closed trades (docs/api.md#research): resampled in the
 * request (10,000 paths over 10,000 trades is well under a second of arithmetic), stored with their
 * options so a run can be read back, and reproducible: the same backtest, options and seed give the
 * same result. Owner only, like the backtest.
 */
import type {
  CreateMonteCarloRequest,
  MonteCarloRecord,
  monteCarloListQuerySchema,
} from "@quantago/contracts";
import { type Database, ownedBy, prefixedId, researchMonteCarlo } from "@quantago/db";
import { type MonteCarloResult, monteCarlo } from "@quantago/engine/research";
import { count, desc, eq, type SQL } from "drizzle-orm";
import type { z } from "zod";
import { AppError } from "../../lib/errors.ts";
import { pageAndTotal } from "../../lib/paging.ts";
import type { Services } from "../../services.ts";
import { getOwnBacktest } from "../backtests/backtests.ts";
import { readTradeProfits } from "../backtests/trades.ts";

type Row = typeof researchMonteCarlo.$inferSelect;
type Options = Required<Omit<CreateMonteCarloRequest["monte_carlo"], "backtest_id">> & {
  initial_balance: number;
};

/** Paths times trades one run may simulate (bounds the request's CPU time). */
export const MAX_MONTE_CARLO_STEPS = 20_000_000;

export function toMonteCarloRecord(row: Row): MonteCarloRecord {
  const options = row.options as Options;
  const r = row.result as unknown as MonteCarloResult;
  return {
    id: row.id,
    backtest_id: row.backtestId,
    method: options.method,
    runs: options.runs,
    seed: options.seed,
    ruin_equity: options.ruin_equity,
    initial_balance: options.initial_balance,
    trades: r.trades,
    final_equity: r.finalEquity,
    max_drawdown: r.maxDrawdown,
    longest_drawdown_trades: r.longestDrawdownTrades,
    probability_of_ruin: r.probabilityOfRuin,
    fan: r.fan.map(({ tradeIndex, ...p }) => ({ trade_index: tradeIndex, ...p })),
    samples: {
      final_equity: r.samples.finalEquity,
      max_drawdown: r.samples.maxDrawdown,
      longest_drawdown_trades: r.samples.longestDrawdownTrades,
    },
    created_at: row.createdAt.toISOString(),
  };
}

function invalid(path: string, message: string): AppError {
  return new AppError("VALIDATION_FAILED", message, { issues: [{ path: ["monte_carlo", path], message }] });
}

/** `POST /api/research/monte-carlo`: simulates now and stores the run (201). */
export async function createMonteCarlo(
  services: Pick<Services, "db" | "storage">,
  userId: string,
  request: CreateMonteCarloRequest["monte_carlo"],
): Promise<MonteCarloRecord> {
  const { db } = services;
  let backtest: Awaited<ReturnType<typeof getOwnBacktest>>;
  try {
    backtest = await getOwnBacktest(db, userId, request.backtest_id);
  } catch (e) {
    if (e instanceof AppError && e.code === "NOT_FOUND") throw invalid("backtest_id", "No such backtest.");
    throw e;
  }
  if (backtest.status !== "completed") {
    throw new AppError("CONFLICT", `The backtest is ${backtest.status}; Monte Carlo needs a completed one.`);
  }
  const profits = await readTradeProfits(services, backtest.id);
  if (profits.length === 0) throw invalid("backtest_id", "The backtest has no closed trades to resample.");
  if (profits.length * request.runs > MAX_MONTE_CARLO_STEPS) {
    throw invalid(
      "runs",
      `runs x trades must be at most ${MAX_MONTE_CARLO_STEPS} (${profits.length} trades).`,
    );
  }
  const options: Options = {
    method: request.method,
    runs: request.runs,
    seed: request.seed,
    ruin_equity: request.ruin_equity ?? backtest.initialBalance / 2,
    initial_balance: backtest.initialBalance,
  };
  const result = monteCarlo(profits, {
    method: options.method,
    runs: options.runs,
    seed: options.seed,
    initialBalance: options.initial_balance,
    ruinEquity: options.ruin_equity,
  });
  const [row] = await db
    .insert(researchMonteCarlo)
    .values({
      id: prefixedId("researchMonteCarlo"),
      userId,
      backtestId: backtest.id,
      options,
      result: result as unknown as Record<string, unknown>,
    })
    .returning();
  if (!row) throw new Error("insert returned no row");
  return toMonteCarloRecord(row);
}

export async function getOwnMonteCarlo(db: Database, userId: string, id: string): Promise<Row> {
  const [row] = await db
    .select()
    .from(researchMonteCarlo)
    .where(ownedBy(researchMonteCarlo, userId, eq(researchMonteCarlo.id, id)));
  if (!row) throw new AppError("NOT_FOUND", "No such Monte Carlo run.");
  return row;
}

/** `GET /api/research/monte-carlo`: the caller's runs, newest first (optionally of one backtest). */
export async function listMonteCarlo(
  db: Database,
  userId: string,
  query: z.infer<typeof monteCarloListQuerySchema>,
): Promise<{ items: MonteCarloRecord[]; total: number }> {
  const filters: SQL[] = [];
  if (query.backtest_id) filters.push(eq(researchMonteCarlo.backtestId, query.backtest_id));
  const where = ownedBy(researchMonteCarlo, userId, ...filters);
  const { rows, total } = await pageAndTotal(
    db
      .select()
      .from(researchMonteCarlo)
      .where(where)
      .orderBy(desc(researchMonteCarlo.createdAt), desc(researchMonteCarlo.id))
      .limit(query.limit)
      .offset(query.offset),
    db.select({ total: count() }).from(researchMonteCarlo).where(where),
  );
  return { items: rows.map(toMonteCarloRecord), total };
}

export async function deleteMonteCarlo(db: Database, userId: string, id: string): Promise<void> {
  const row = await getOwnMonteCarlo(db, userId, id);
  await db.delete(researchMonteCarlo).where(eq(researchMonteCarlo.id, row.id));
}
