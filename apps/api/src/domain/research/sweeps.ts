/**
 * Sweeps and walk-forward analyses (docs/api.md#research): submit-time planning and limits, the stored
 * record, the ranked results, the heatmap, and the owner-only actions. Every query goes through
 * `ownedBy`: another user's id is a 404.
 */
import type {
  CreateSweepRequest,
  SweepHeatmap,
  SweepMetric,
  SweepRecord,
  SweepResult,
  sweepHeatmapQuerySchema,
  sweepListQuerySchema,
  sweepResultsQuerySchema,
  WalkForwardSummary,
} from "@quantago/contracts";
import { MAX_ACTIVE_SWEEPS } from "@quantago/contracts";
import { type Database, ownedBy, prefixedId, researchSweep, researchSweepResult } from "@quantago/db";
import { EngineConfigError } from "@quantago/engine";
import { type AxisSpec, axisValues, type SweepValue, walkForwardWindows } from "@quantago/engine/research";
import { getBuiltinStrategy } from "@quantago/strategies";
import { and, asc, count, desc, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { z } from "zod";
import { AppError } from "../../lib/errors.ts";
import { pageAndTotal } from "../../lib/paging.ts";
import type { Services } from "../../services.ts";
import { assertDataPresent, rangeOf, submitBacktest, withDefaults } from "../backtests/backtests.ts";
import { executionConfigFor } from "../backtests/execution.ts";
import { followProgress, type ProgressFollow } from "../backtests/progress.ts";
import { resolveStrategy } from "../strategies/resolution.ts";
import { lowerIsBetter } from "./evaluate.ts";
import { planSweep, type SweepSearch } from "./plan.ts";

export type SweepRow = typeof researchSweep.$inferSelect;
type ResultRow = typeof researchSweepResult.$inferSelect;

export const ACTIVE_SWEEP: SweepRow["status"][] = ["pending", "running"];

export function toSweepRecord(row: SweepRow): SweepRecord {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: row.id,
    kind: row.kind as SweepRecord["kind"],
    status: row.status as SweepRecord["status"],
    strategy: row.strategy,
    symbol: row.symbol,
    timeframe: row.timeframe,
    base: row.base,
    axes: row.axes,
    search: row.search,
    metric: row.metric as SweepMetric,
    walk_forward: row.walkForward,
    combinations_total: row.combinationsTotal,
    combinations_skipped: row.combinationsSkipped,
    combinations: row.combinations.length,
    work_done: row.workDone,
    work_total: row.workTotal,
    progress: row.workTotal > 0 ? Math.min(1, row.workDone / row.workTotal) : 0,
    bars_total: row.barsTotal,
    error_message: row.errorMessage,
    created_at: row.createdAt.toISOString(),
    started_at: iso(row.startedAt),
    finished_at: iso(row.finishedAt),
  };
}

function invalid(path: Array<string | number>, message: string): AppError {
  return new AppError("VALIDATION_FAILED", message, { issues: [{ path: ["sweep", ...path], message }] });
}

/**
 * `POST /api/research/sweeps`: the strategy (built-ins only: sweeps run on the native engine), the
 * combinations and the data are checked now; then, under a per-user lock, the user's active sweeps
 * are counted (a 429 past the limit) and the sweep stored `pending` and its workflow started.
 */
export async function submitSweep(
  services: Services,
  userId: string,
  request: CreateSweepRequest["sweep"],
): Promise<SweepRecord> {
  const base = request.backtest;
  const { start, end } = rangeOf(base);
  const strategy = await resolveStrategy(
    services.db,
    services.config,
    userId,
    base.strategy,
    base.parameters,
  );
  const definition = strategy.source === "builtin" ? getBuiltinStrategy(strategy.name) : undefined;
  if (!definition) {
    throw invalid(
      ["backtest", "strategy"],
      "Sweeps run built-in strategies only (they run on the native engine).",
    );
  }
  const parameters = withDefaults(base.parameters, strategy.defaults);
  let config: ReturnType<typeof executionConfigFor>;
  try {
    config = executionConfigFor(parameters, {
      exchange: base.exchange,
      initialBalance: base.initial_balance,
    });
  } catch (e) {
    if (e instanceof EngineConfigError) throw invalid(["backtest", "parameters"], e.message);
    throw e;
  }
  const plan = planSweep(definition, parameters, request.axes, request.search as SweepSearch);
  const walkForward = request.walk_forward;
  if (walkForward) {
    // The windows are cut by bar index once the bars are loaded; a plan that cannot work at all is refused now.
    try {
      walkForwardWindows({
        bars: 1_000_000,
        windows: walkForward.windows,
        inSampleRatio: walkForward.in_sample_ratio,
        mode: walkForward.mode,
      });
    } catch (e) {
      if (e instanceof RangeError) throw invalid(["walk_forward"], e.message);
      throw e;
    }
  }
  // Asked of ClickHouse while the transaction below takes its lock and counts; the insert waits for
  // the answer, so a range without bars never leaves a row.
  const present = assertDataPresent(services, base.symbol, parameters.timeframe, start, end);
  present.catch(() => {}); // awaited in the transaction; this only keeps an early failure from going unhandled

  const id = prefixedId("researchSweep");
  const row = await services.db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`research-sweeps:${userId}`}, 0))`);
    const [active] = await tx
      .select({ n: count() })
      .from(researchSweep)
      .where(ownedBy(researchSweep, userId, inArray(researchSweep.status, ACTIVE_SWEEP)));
    if ((active?.n ?? 0) >= MAX_ACTIVE_SWEEPS) {
      throw new AppError(
        "RATE_LIMITED",
        `You already have ${MAX_ACTIVE_SWEEPS} sweeps pending or running; wait for one to finish or cancel it.`,
        { headers: { "Retry-After": "30" } },
      );
    }
    await present;
    const [inserted] = await tx
      .insert(researchSweep)
      .values({
        id,
        userId,
        kind: walkForward ? "walk_forward" : "sweep",
        status: "pending",
        base: { ...base, parameters } as Record<string, unknown>,
        executionConfig: config as Record<string, unknown>,
        strategy: definition.slug,
        symbol: base.symbol,
        timeframe: parameters.timeframe,
        axes: request.axes,
        search: request.search,
        metric: request.metric,
        walkForward: walkForward ?? null,
        workflowId: id,
        combinations: plan.combinations,
        combinationsTotal: plan.total,
        combinationsSkipped: plan.skipped,
        // A walk-forward runs every combination in each window, plus one out-of-sample run per window.
        workTotal: walkForward
          ? walkForward.windows * (plan.combinations.length + 1)
          : plan.combinations.length,
      })
      .returning();
    if (!inserted) throw new Error("insert returned no row");
    return inserted;
  });
  try {
    // The instance's id is the sweep's, stored with the row above: no second write.
    await services.workflows.research.create({ id: row.id, params: { sweepId: row.id } });
    return toSweepRecord(row);
  } catch (e) {
    await services.db
      .update(researchSweep)
      .set({ status: "failed", errorMessage: "The sweep could not be started.", finishedAt: new Date() })
      .where(eq(researchSweep.id, row.id));
    throw new AppError("INTERNAL", "The sweep could not be started.", { cause: e });
  }
}

export async function getOwnSweep(db: Database, userId: string, id: string): Promise<SweepRow> {
  const [row] = await db
    .select()
    .from(researchSweep)
    .where(ownedBy(researchSweep, userId, eq(researchSweep.id, id)));
  if (!row) throw new AppError("NOT_FOUND", "No such sweep.");
  return row;
}

/** `GET /api/research/sweeps`: a page of the caller's sweeps, newest first, and their total. */
export async function listSweeps(
  db: Database,
  userId: string,
  query: z.infer<typeof sweepListQuerySchema>,
): Promise<{ items: SweepRecord[]; total: number }> {
  const filters: SQL[] = [];
  if (query.kind) filters.push(eq(researchSweep.kind, query.kind));
  if (query.status) filters.push(eq(researchSweep.status, query.status));
  const where = ownedBy(researchSweep, userId, ...filters);
  const { rows, total } = await pageAndTotal(
    db
      .select()
      .from(researchSweep)
      .where(where)
      .orderBy(desc(researchSweep.createdAt), desc(researchSweep.id))
      .limit(query.limit)
      .offset(query.offset),
    db.select({ total: count() }).from(researchSweep).where(where),
  );
  return { items: rows.map(toSweepRecord), total };
}

/** Best first by the sweep's metric, undefined scores last, then by combination. */
function rankOrder(metric: SweepMetric) {
  return [
    sql`${researchSweepResult.score} IS NULL`,
    lowerIsBetter(metric) ? asc(researchSweepResult.score) : desc(researchSweepResult.score),
    asc(researchSweepResult.combination),
  ];
}

function toResult(row: ResultRow, rank: number): SweepResult {
  return {
    rank,
    combination: row.combination,
    parameters: row.parameters,
    score: row.score,
    metrics: row.metrics,
    backtest_id: row.backtestId,
  };
}

/** `GET /:id/results`: a page of the results so far, ranked; the total is the results stored. */
export async function listSweepResults(
  db: Database,
  userId: string,
  id: string,
  query: z.infer<typeof sweepResultsQuerySchema>,
): Promise<{ items: SweepResult[]; total: number }> {
  const sweep = await getOwnSweep(db, userId, id);
  const { rows, total } = await pageAndTotal(
    db
      .select()
      .from(researchSweepResult)
      .where(eq(researchSweepResult.sweepId, sweep.id))
      .orderBy(...rankOrder(sweep.metric as SweepMetric))
      .limit(query.limit)
      .offset(query.offset),
    db.select({ total: count() }).from(researchSweepResult).where(eq(researchSweepResult.sweepId, sweep.id)),
  );
  return { items: rows.map((r, k) => toResult(r, query.offset + k + 1)), total };
}

/**
 * `GET /:id/heatmap`: scores over two swept parameters. The results are first narrowed to those whose
 * other parameters hold the `fixed` values; each cell then aggregates the results sharing its two
 * values (the parameters neither on an axis nor fixed vary): `max`/`min` keep the best/worst score and
 * its combination, `mean` averages the scores (the combination is the best one there, so a click
 * still opens a run).
 */
export async function sweepHeatmap(
  db: Database,
  userId: string,
  id: string,
  query: z.infer<typeof sweepHeatmapQuerySchema>,
): Promise<SweepHeatmap> {
  const sweep = await getOwnSweep(db, userId, id);
  const metric = sweep.metric as SweepMetric;
  for (const axis of [query.x, query.y]) {
    if (!Object.hasOwn(sweep.axes, axis)) {
      throw new AppError("VALIDATION_FAILED", `The sweep does not vary ${axis}.`, {
        issues: [
          {
            path: [axis === query.x ? "x" : "y"],
            message: `swept parameters: ${Object.keys(sweep.axes).join(", ")}`,
          },
        ],
      });
    }
  }
  const fixed = query.fixed ?? {};
  for (const [name, value] of Object.entries(fixed)) {
    const problem =
      name === query.x || name === query.y
        ? "is already an axis of the heatmap"
        : !Object.hasOwn(sweep.axes, name)
          ? `is not swept (swept parameters: ${Object.keys(sweep.axes).join(", ")})`
          : !axisValues(name, sweep.axes[name] as AxisSpec).includes(value)
            ? `was not swept at ${JSON.stringify(value)}`
            : undefined;
    if (problem) {
      throw new AppError("VALIDATION_FAILED", `Cannot fix ${name}: it ${problem}.`, {
        issues: [{ path: ["fixed", name], message: `${name} ${problem}` }],
      });
    }
  }
  const all = await db
    .select({
      combination: researchSweepResult.combination,
      parameters: researchSweepResult.parameters,
      score: researchSweepResult.score,
    })
    .from(researchSweepResult)
    .where(eq(researchSweepResult.sweepId, sweep.id));
  const rows = all.filter((r) => Object.entries(fixed).every(([name, v]) => r.parameters[name] === v));
  // Every value of the axis, refused combinations included (their cells stay empty).
  const distinct = (key: string) =>
    axisValues(key, sweep.axes[key] as AxisSpec).sort((a, b) =>
      typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b)),
    );
  const xs = distinct(query.x);
  const ys = distinct(query.y);
  type Acc = {
    best: number | null;
    bestCombination: number;
    sum: number;
    n: number;
    worst: number | null;
    worstCombination: number;
  };
  const acc: Array<Array<Acc | null>> = ys.map(() => xs.map(() => null));
  const lower = lowerIsBetter(metric);
  const better = (a: number, b: number) => (lower ? a < b : a > b);
  for (const r of rows) {
    const xi = xs.indexOf(r.parameters[query.x] as SweepValue);
    const yi = ys.indexOf(r.parameters[query.y] as SweepValue);
    const line = acc[yi];
    if (!line || xi < 0) continue;
    const cell = line[xi] ?? {
      best: null,
      bestCombination: r.combination,
      sum: 0,
      n: 0,
      worst: null,
      worstCombination: r.combination,
    };
    if (r.score !== null) {
      if (cell.best === null || better(r.score, cell.best)) {
        cell.best = r.score;
        cell.bestCombination = r.combination;
      }
      if (cell.worst === null || better(cell.worst, r.score)) {
        cell.worst = r.score;
        cell.worstCombination = r.combination;
      }
      cell.sum += r.score;
      cell.n += 1;
    }
    line[xi] = cell;
  }
  return {
    x: { parameter: query.x, values: xs },
    y: { parameter: query.y, values: ys },
    metric,
    aggregate: query.aggregate,
    fixed,
    cells: acc.map((line) =>
      line.map((cell) => {
        if (!cell) return null;
        if (query.aggregate === "min") return { score: cell.worst, combination: cell.worstCombination };
        if (query.aggregate === "mean")
          return { score: cell.n ? cell.sum / cell.n : null, combination: cell.bestCombination };
        return { score: cell.best, combination: cell.bestCombination };
      }),
    ),
  };
}

/**
 * `POST /:id/results/:combination/backtest`: opens a cell as a real backtest (the sweep's base
 * request with that combination), submitted like any other, so its trades, equity and metrics are
 * the full result. The result row remembers the latest backtest opened from it.
 */
export async function openSweepResult(
  services: Services,
  userId: string,
  id: string,
  combination: number,
): Promise<ReturnType<typeof submitBacktest>> {
  const sweep = await getOwnSweep(services.db, userId, id);
  const [result] = await services.db
    .select()
    .from(researchSweepResult)
    .where(and(eq(researchSweepResult.sweepId, sweep.id), eq(researchSweepResult.combination, combination)));
  if (!result) throw new AppError("NOT_FOUND", "No result for that combination (yet).");
  const base = sweep.base as CreateSweepRequest["sweep"]["backtest"];
  const record = await submitBacktest(services, userId, {
    ...base,
    parameters: { ...base.parameters, ...result.parameters },
  });
  await services.db
    .update(researchSweepResult)
    .set({ backtestId: record.id })
    .where(and(eq(researchSweepResult.sweepId, sweep.id), eq(researchSweepResult.combination, combination)));
  return record;
}

/** Ends an active sweep as cancelled (or failed); false when it had already ended. */
export async function endSweep(
  db: Database,
  id: string,
  ending: { status: "cancelled" } | { status: "failed"; message: string },
): Promise<SweepRow | null> {
  const now = new Date();
  const [row] = await db
    .update(researchSweep)
    .set({
      status: ending.status,
      ...(ending.status === "failed" ? { errorMessage: ending.message } : {}),
      finishedAt: now,
      updatedAt: now,
    })
    .where(and(eq(researchSweep.id, id), inArray(researchSweep.status, ACTIVE_SWEEP)))
    .returning();
  return row ?? null;
}

async function stopWorkflow({ workflows }: Services, workflowId: string | null): Promise<void> {
  if (!workflowId) return;
  try {
    await (await workflows.research.get(workflowId)).terminate();
  } catch {
    // Already finished or never started: its steps also stop once they see the status.
  }
}

/** `POST /:id/cancel`: the remaining work stops (results so far stay); a finished sweep is a 409. */
export async function cancelSweep(services: Services, userId: string, id: string): Promise<SweepRecord> {
  const row = await getOwnSweep(services.db, userId, id);
  const ended = await endSweep(services.db, row.id, { status: "cancelled" });
  if (!ended) throw new AppError("CONFLICT", `The sweep is already ${row.status}.`);
  await stopWorkflow(services, row.workflowId);
  return toSweepRecord(ended);
}

/** `DELETE /:id`: stops it if active, then removes it and its results. */
export async function deleteSweep(services: Services, userId: string, id: string): Promise<void> {
  const row = await getOwnSweep(services.db, userId, id);
  if (ACTIVE_SWEEP.includes(row.status)) {
    await endSweep(services.db, row.id, { status: "cancelled" });
    await stopWorkflow(services, row.workflowId);
  }
  await services.db.delete(researchSweep).where(eq(researchSweep.id, row.id));
}

/**
 * How often a sweep's event stream reads its row at most (a primary-key read on the stream's open
 * connection; more often in its first second, see `pollDelay`). Below a backtest's 500 ms because a
 * sweep's results land in one write at its end: a client learns of the end within 100 ms.
 */
const SWEEP_EVENTS_POLL_MS = 100;

/** `GET /:id/events`: progress of a sweep over SSE, like a backtest's (404 and 429 before it opens). */
export async function followSweep(services: Services, userId: string, id: string): Promise<ProgressFollow> {
  await getOwnSweep(services.db, userId, id);
  return followProgress(
    services,
    userId,
    async (db) => {
      // The progress columns only (not the combinations): this runs up to 20 times a second.
      const [row] = await db
        .select({
          status: researchSweep.status,
          workDone: researchSweep.workDone,
          workTotal: researchSweep.workTotal,
          errorMessage: researchSweep.errorMessage,
        })
        .from(researchSweep)
        .where(ownedBy(researchSweep, userId, eq(researchSweep.id, id)));
      if (!row) throw new AppError("NOT_FOUND", "No such sweep.");
      return {
        status: row.status,
        data: {
          status: row.status,
          work_done: row.workDone,
          work_total: row.workTotal,
          progress: row.workTotal > 0 ? Math.min(1, row.workDone / row.workTotal) : 0,
          error_message: row.errorMessage,
        },
      };
    },
    SWEEP_EVENTS_POLL_MS,
  );
}

/** `GET /:id/walk-forward`: the windows and stitched out-of-sample result (409 until completed). */
export async function walkForwardSummary(
  db: Database,
  userId: string,
  id: string,
): Promise<WalkForwardSummary> {
  const row = await getOwnSweep(db, userId, id);
  if (row.kind !== "walk_forward")
    throw new AppError("CONFLICT", "The sweep is not a walk-forward analysis.");
  if (row.status !== "completed" || !row.summary) {
    throw new AppError(
      "CONFLICT",
      `The walk-forward is ${row.status}; its summary exists once it has completed.`,
    );
  }
  return row.summary as unknown as WalkForwardSummary;
}
