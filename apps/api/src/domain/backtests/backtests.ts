/**
 * Backtests (docs/compatibility.md#backtests): submit-time validation, the stored record, and the owner-only reads and
 * actions. Every query on a backtest goes through `ownedBy`: another user's id is a 404.
 */
import type {
  BacktestParameters,
  BacktestRecord,
  BacktestTrade,
  backtestEquityResponseSchema,
  backtestListQuerySchema,
  backtestTradesQuerySchema,
  CreateBacktestRequest,
  UpdateBacktestRequest,
} from "@quantago/contracts";
import { DEFAULT_BACKTEST_TIMEFRAME, marketTimeframeSchema } from "@quantago/contracts";
import { backtest, type Database, ownedBy, prefixedId } from "@quantago/db";
import { EngineConfigError } from "@quantago/engine";
import { type AssetClass, hasBars, inferAssetClass, TimeframeTooFineError } from "@quantago/market-data";
import { count, desc, eq, type SQL } from "drizzle-orm";
import type { z } from "zod";
import { AppError } from "../../lib/errors.ts";
import { pageAndTotal } from "../../lib/paging.ts";
import type { Services, Workflows } from "../../services.ts";
import { resolveStrategy, type StrategyDefaults } from "../strategies/resolution.ts";
import { r2Checkpoint } from "../strategies/runtimes/index.ts";
import { checkpointPrefix, decodeEquity, downsampleIndices, equityKey } from "./equity.ts";
import { executionConfigFor } from "./execution.ts";
import { finishBacktest } from "./finish.ts";
import { deleteTrades, readTradesPage } from "./trades.ts";

export type BacktestRow = typeof backtest.$inferSelect;
type MarketTimeframe = z.infer<typeof marketTimeframeSchema>;

const ACTIVE: BacktestRow["status"][] = ["pending", "running"];

export function toRecord(row: BacktestRow): BacktestRecord {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  const metric = (key: string) => {
    const value = row.metrics?.[key];
    return typeof value === "number" && Number.isFinite(value) ? value : null;
  };
  const percent = (value: number | null) => (value === null ? null : value * 100);
  return {
    id: row.id,
    user_id: row.userId,
    status: row.status as BacktestRecord["status"],
    symbol: row.symbol,
    exchange: row.exchange as BacktestRecord["exchange"],
    asset_class: row.assetClass as BacktestRecord["asset_class"],
    timeframe: row.timeframe,
    strategy: row.strategy,
    strategy_source: row.strategySource as BacktestRecord["strategy_source"],
    strategy_runtime: row.strategyRuntime as BacktestRecord["strategy_runtime"],
    strategy_version: row.strategyVersion,
    artifact_sha256: row.artifactSha256,
    start_date: row.startDate.toISOString(),
    end_date: row.endDate.toISOString(),
    initial_balance: row.initialBalance,
    parameters: row.parameters,
    execution_config: row.executionConfig,
    bars_total: row.barsTotal,
    bars_done: row.barsDone,
    progress: row.barsTotal ? Math.min(1, row.barsDone / row.barsTotal) : row.status === "completed" ? 1 : 0,
    bars_hash: row.barsHash,
    metrics: row.metrics as BacktestRecord["metrics"],
    final_equity: row.finalEquity,
    final_balance: row.finalEquity,
    // The published columns are percentages (our metrics keep fractions).
    win_rate: percent(metric("winRate")),
    profit_factor: metric("profitFactor"),
    max_drawdown: percent(metric("maxDrawdown")),
    trade_count: row.tradeCount,
    error_message: row.errorMessage,
    rerun_of: row.rerunOf,
    note: row.note,
    workflow_instance_id: row.workflowId,
    created_at: row.createdAt.toISOString(),
    started_at: iso(row.startedAt),
    finished_at: iso(row.finishedAt),
    updated_at: row.updatedAt.toISOString(),
  };
}

function invalid(path: string[], message: string): AppError {
  return new AppError("VALIDATION_FAILED", message, { issues: [{ path: ["backtest", ...path], message }] });
}

/** Start and end instants of the request; a calendar date means UTC midnight. */
export function rangeOf(request: CreateBacktestRequest["backtest"]): { start: Date; end: Date } {
  const start = new Date(request.start_date);
  const end = new Date(request.end_date);
  if (start.getTime() > Date.now()) throw invalid(["start_date"], "start_date is in the future");
  return { start, end };
}

/** 400 unless the store has bars for the symbol in the range at the timeframe (never a live provider). */
export async function assertDataPresent(
  services: Services,
  symbol: string,
  timeframe: MarketTimeframe,
  start: Date,
  end: Date,
): Promise<void> {
  try {
    const present = await hasBars(services.clickhouse, {
      symbol,
      timeframe,
      from: start,
      to: end,
      database: services.config.CLICKHOUSE_DB,
    });
    if (!present) {
      throw invalid(
        ["symbol"],
        `No ${timeframe} market data for ${symbol} between ${start.toISOString()} and ${end.toISOString()}; ingest it first.`,
      );
    }
  } catch (e) {
    if (e instanceof TimeframeTooFineError) throw invalid(["parameters", "timeframe"], e.message);
    throw e;
  }
}

/** A new backtest's id, which is also its Workflow instance's id. */
function newBacktestIds(): Pick<BacktestRow, "id" | "workflowId"> {
  const id = prefixedId("backtest");
  return { id, workflowId: id };
}

/**
 * Starts the workflow of a stored pending backtest; a failure to start marks it failed. The instance's
 * id is the backtest's, stored with the row: no second write, so the answer is the record as accepted
 * (`pending`) even when the workflow has already marked the row `running`.
 */
async function startWorkflow(db: Database, workflows: Workflows, row: BacktestRow): Promise<BacktestRow> {
  try {
    await workflows.backtest.create({ id: row.id, params: { backtestId: row.id } });
    return row;
  } catch (e) {
    await db
      .update(backtest)
      .set({ status: "failed", errorMessage: "The backtest could not be started.", finishedAt: new Date() })
      .where(eq(backtest.id, row.id));
    throw new AppError("INTERNAL", "The backtest could not be started.", { cause: e });
  }
}

/**
 * The parameters a backtest runs with: the request's, then for each platform key it left out the
 * strategy's default (timeframe, entry frequency, take-profit, stop-loss), then the platform's
 * timeframe. What is stored on the record and shown back is this, so a reader sees what ran.
 */
export function withDefaults(
  parameters: BacktestParameters,
  defaults: StrategyDefaults,
): BacktestParameters & { timeframe: MarketTimeframe } {
  const timeframe = marketTimeframeSchema.safeParse(defaults.timeframe);
  return {
    ...(defaults.entryFrequency === undefined
      ? {}
      : { entryFrequency: defaults.entryFrequency as BacktestParameters["entryFrequency"] }),
    ...(defaults.takeProfitLevel === undefined ? {} : { takeProfitLevel: defaults.takeProfitLevel }),
    ...(defaults.stopLossLevel === undefined ? {} : { stopLossLevel: defaults.stopLossLevel }),
    ...parameters,
    timeframe:
      parameters.timeframe ??
      (timeframe.success ? timeframe.data : (DEFAULT_BACKTEST_TIMEFRAME as MarketTimeframe)),
  };
}

/**
 * `POST /api/backtests`: everything that can be checked is checked now (strategy, parameters,
 * execution config, data present), then the backtest is stored `pending` and its workflow started.
 */
export async function submitBacktest(
  services: Services,
  userId: string,
  request: CreateBacktestRequest["backtest"],
): Promise<BacktestRecord> {
  const { start, end } = rangeOf(request);
  const strategy = await resolveStrategy(
    services.db,
    services.config,
    userId,
    request.strategy,
    request.parameters,
  );
  const parameters = withDefaults(request.parameters, strategy.defaults);
  const assetClass: AssetClass = parameters.assetClass ?? inferAssetClass(request.symbol);
  let config: ReturnType<typeof executionConfigFor>;
  try {
    config = executionConfigFor(parameters, {
      exchange: request.exchange,
      initialBalance: request.initial_balance,
    });
  } catch (e) {
    if (e instanceof EngineConfigError) throw invalid(["parameters"], e.message);
    throw e;
  }
  await assertDataPresent(services, request.symbol, parameters.timeframe, start, end);

  const [row] = await services.db
    .insert(backtest)
    .values({
      ...newBacktestIds(),
      userId,
      status: "pending",
      symbol: request.symbol,
      exchange: request.exchange,
      assetClass,
      timeframe: parameters.timeframe,
      startDate: start,
      endDate: end,
      initialBalance: request.initial_balance,
      strategy: strategy.name,
      strategySource: strategy.source,
      strategyRuntime: strategy.runtime,
      strategyVersion: strategy.version,
      strategyVersionId: strategy.versionId,
      artifactSha256: strategy.artifactSha256,
      parameters,
      executionConfig: config as Record<string, unknown>,
    })
    .returning();
  if (!row) throw new Error("insert returned no row");
  return toRecord(await startWorkflow(services.db, services.workflows, row));
}

/** `POST /:id/rerun`: the same request with the same pinned strategy version, as a new backtest. */
export async function rerunBacktest(services: Services, userId: string, id: string): Promise<BacktestRecord> {
  const original = await getOwnBacktest(services.db, userId, id);
  const [row] = await services.db
    .insert(backtest)
    .values({
      ...original,
      ...newBacktestIds(),
      status: "pending",
      barsTotal: null,
      barsDone: 0,
      barsHash: null,
      metrics: null,
      finalEquity: null,
      tradeCount: null,
      equityKey: null,
      errorMessage: null,
      rerunOf: original.id,
      createdAt: new Date(),
      startedAt: null,
      finishedAt: null,
      updatedAt: new Date(),
    })
    .returning();
  if (!row) throw new Error("insert returned no row");
  return toRecord(await startWorkflow(services.db, services.workflows, row));
}

export async function getOwnBacktest(db: Database, userId: string, id: string): Promise<BacktestRow> {
  const [row] = await db
    .select()
    .from(backtest)
    .where(ownedBy(backtest, userId, eq(backtest.id, id)));
  if (!row) throw new AppError("NOT_FOUND", "No such backtest.");
  return row;
}

/** `GET /api/backtests`: a page of the caller's backtests, newest first, filtered, and their total. */
export async function listBacktests(
  db: Database,
  userId: string,
  query: z.infer<typeof backtestListQuerySchema>,
): Promise<{ items: BacktestRecord[]; total: number }> {
  const filters: SQL[] = [];
  if (query.status) filters.push(eq(backtest.status, query.status));
  if (query.symbol) filters.push(eq(backtest.symbol, query.symbol));
  if (query.strategy) filters.push(eq(backtest.strategy, query.strategy));
  const where = ownedBy(backtest, userId, ...filters);
  const { rows, total } = await pageAndTotal(
    db
      .select()
      .from(backtest)
      .where(where)
      .orderBy(desc(backtest.createdAt), desc(backtest.id))
      .limit(query.limit)
      .offset(query.offset),
    db.select({ total: count() }).from(backtest).where(where),
  );
  return { items: rows.map(toRecord), total };
}

/** `GET /:id/trades`: a page of closed trades (entry order unless sorted), and their total. */
export async function listTrades(
  services: Services,
  userId: string,
  id: string,
  query: z.infer<typeof backtestTradesQuerySchema>,
): Promise<{ items: BacktestTrade[]; total: number }> {
  const row = await getOwnBacktest(services.db, userId, id);
  // Only a completed backtest has trades (a run stores them before it turns completed).
  if (row.status !== "completed") return { items: [], total: row.tradeCount ?? 0 };
  return { items: await readTradesPage(services, row.id, query), total: row.tradeCount ?? 0 };
}

/** `POST /:id/cancel`: a pending or running backtest becomes `cancelled`; a finished one is a 409. */
export async function cancelBacktest(
  services: Services,
  userId: string,
  id: string,
): Promise<BacktestRecord> {
  const row = await getOwnBacktest(services.db, userId, id);
  // The run reads its row's status and stops within a second; terminating the instance is the backstop.
  const { row: updated, status } = await finishBacktest(services, row.id, {
    status: "cancelled",
    workflowId: row.workflowId,
  });
  if (!updated) throw new AppError("CONFLICT", `The backtest is already ${status}.`);
  return toRecord(updated);
}

/**
 * `PATCH /:id` (ours): sets the owner's note on the backtest, whatever its status; an empty or
 * whitespace-only note clears it (null).
 */
export async function updateBacktest(
  db: Database,
  userId: string,
  id: string,
  update: UpdateBacktestRequest,
): Promise<BacktestRecord> {
  const note = update.note?.trim() ? update.note : null;
  const [row] = await db
    .update(backtest)
    .set({ note, updatedAt: new Date() })
    .where(ownedBy(backtest, userId, eq(backtest.id, id)))
    .returning();
  if (!row) throw new AppError("NOT_FOUND", "No such backtest.");
  return toRecord(row);
}

/** `DELETE /:id`: stops it if active, then removes the record, its trades and its equity curve. */
export async function deleteBacktest(services: Services, userId: string, id: string): Promise<void> {
  const { db, storage } = services;
  const row = await getOwnBacktest(db, userId, id);
  if (ACTIVE.includes(row.status)) {
    await finishBacktest(services, row.id, { status: "cancelled", workflowId: row.workflowId });
  }
  await db.delete(backtest).where(eq(backtest.id, row.id));
  await storage.results.delete(equityKey(row.id));
  await deleteTrades(services, row.id);
  await r2Checkpoint(storage.results, checkpointPrefix(row.id)).clear();
}

/**
 * `GET /:id/equity`: the stored curve of a completed backtest, downsampled to at most `points` with
 * per-bucket min/max kept (see `downsampleIndices`).
 */
export async function readEquityCurve(
  { db, storage }: Services,
  userId: string,
  id: string,
  points: number,
): Promise<z.infer<typeof backtestEquityResponseSchema>> {
  const row = await getOwnBacktest(db, userId, id);
  if (row.status !== "completed" || !row.equityKey) {
    throw new AppError(
      "CONFLICT",
      `The backtest is ${row.status}; its equity curve exists once it has completed.`,
    );
  }
  const object = await storage.results.get(row.equityKey);
  if (!object) throw new AppError("INTERNAL", "Equity curve missing from storage.", { cause: row.equityKey });
  const { time, equity } = decodeEquity(await object.arrayBuffer());
  return {
    total: equity.length,
    points: downsampleIndices(equity, points).map((i) => ({
      time: new Date(time[i] as number).toISOString(),
      equity: equity[i] as number,
    })),
  };
}
