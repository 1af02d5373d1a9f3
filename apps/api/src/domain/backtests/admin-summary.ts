import {
  type AdminBacktestRow,
  type AdminBacktestsSummary,
  type BacktestStatus,
  backtestStatuses,
} from "@quantago/contracts";
import { backtest, type Database, user } from "@quantago/db";
import { and, asc, count, desc, eq, gte, inArray, isNotNull, type SQL, sql } from "drizzle-orm";

const DAY_MS = 24 * 60 * 60 * 1000;

const durationMs = sql<
  number | null
>`(extract(epoch from (${backtest.finishedAt} - ${backtest.startedAt})) * 1000)::bigint`;

const rowColumns = {
  id: backtest.id,
  userId: backtest.userId,
  userEmail: user.email,
  status: backtest.status,
  strategy: backtest.strategy,
  symbol: backtest.symbol,
  timeframe: backtest.timeframe,
  errorMessage: backtest.errorMessage,
  barsDone: backtest.barsDone,
  barsTotal: backtest.barsTotal,
  durationMs,
  createdAt: backtest.createdAt,
  startedAt: backtest.startedAt,
  finishedAt: backtest.finishedAt,
};

function toRow(row: Row): AdminBacktestRow {
  return {
    ...row,
    status: row.status as BacktestStatus,
    durationMs: row.durationMs === null ? null : Number(row.durationMs),
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

function select(db: Database, where: SQL | undefined, order: SQL[], limit: number) {
  return db
    .select(rowColumns)
    .from(backtest)
    .innerJoin(user, eq(user.id, backtest.userId))
    .where(where)
    .orderBy(...order)
    .limit(limit);
}
type Row = Awaited<ReturnType<typeof select>>[number];

async function rows(db: Database, where: SQL | undefined, order: SQL[], limit: number) {
  return (await select(db, where, order, limit)).map(toRow);
}

/**
 * Backtests of every user, for the operator: counts by status, the newest failures with their
 * reasons, the slowest completed runs and the pending/running queue. Each list holds `limit` rows.
 */
export async function backtestsSummary(
  db: Database,
  limit: number,
  now = new Date(),
): Promise<AdminBacktestsSummary> {
  const since = new Date(now.getTime() - DAY_MS);
  const failedAt = sql`coalesce(${backtest.finishedAt}, ${backtest.createdAt})`;
  const [byStatus, [failed], recentFailures, slowest, queue] = await Promise.all([
    db.select({ status: backtest.status, n: count() }).from(backtest).groupBy(backtest.status),
    db
      .select({ n: count() })
      .from(backtest)
      .where(and(eq(backtest.status, "failed"), gte(failedAt, since))),
    rows(db, eq(backtest.status, "failed"), [desc(failedAt), desc(backtest.id)], limit),
    rows(
      db,
      and(eq(backtest.status, "completed"), isNotNull(backtest.startedAt), isNotNull(backtest.finishedAt)),
      [sql`${durationMs} desc`, desc(backtest.id)],
      limit,
    ),
    rows(
      db,
      inArray(backtest.status, ["pending", "running"]),
      [asc(backtest.createdAt), asc(backtest.id)],
      limit,
    ),
  ]);
  const counts = Object.fromEntries(backtestStatuses.map((s) => [s, 0])) as Record<BacktestStatus, number>;
  for (const { status, n } of byStatus) if (status in counts) counts[status as BacktestStatus] = n;
  return { counts, failedLast24h: failed?.n ?? 0, recentFailures, slowest, queue };
}
