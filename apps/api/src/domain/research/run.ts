/**
 * The bodies of the research workflow's steps (workflows/research): start (which, for a sweep that
 * does not fan out, also runs its first step), steps of combinations sized by work for a sweep or one
 * window per step for a walk-forward, then finish (merged into a sweep's last step). Bars cannot
 * travel between steps (1 MiB step results), so each step loads them, through a one-entry cache in
 * the isolate: the steps of one instance usually run in the same isolate, which then reads them once.
 *
 * Every step is idempotent: results are keyed by (sweep, combination) and inserted with ON CONFLICT
 * DO NOTHING, so a retried step never duplicates; and every step first checks that the sweep is still
 * `running`, checks again at least every {@link CANCEL_CHECK_MS} while it runs, and stops when it is
 * not (cancelled or deleted): a cancel stops the remaining work, in child instances too.
 */
import type { DirectionMetrics, SweepMetric, WalkForwardSummary } from "@quantago/contracts";
import { type Database, researchSweep, researchSweepResult } from "@quantago/db";
import { computeMetrics, type ExecutionConfig, inferTimeframeMs, type Metrics } from "@quantago/engine";
import {
  type Combination,
  stitchEquity,
  type WalkForwardMode,
  walkForwardWindows,
} from "@quantago/engine/research";
import type { ColumnarResult } from "@quantago/market-data";
import { type BarColumns, getBuiltinStrategy, sliceBars } from "@quantago/strategies";
import { and, count, eq, sql } from "drizzle-orm";
import type { Services } from "../../services.ts";
import { downsampleIndices } from "../backtests/equity.ts";
import { barsOf } from "../backtests/execute.ts";
import { RuntimeError } from "../strategies/runtimes/index.ts";
import { type RunCombination, runWindow, scoreOf } from "./evaluate.ts";
import { type CombinationRange, planSweepSteps } from "./plan.ts";
import { sweepRunner } from "./runner.ts";
import { endSweep, type SweepRow } from "./sweeps.ts";

/**
 * Bar-runs (combinations × bars) per workflow step: 20 M is 200 runs of 100,000 bars, about a second
 * of engine time on the 2-core dev machine. A step stays well inside a step's CPU limit (30 s by
 * default on Workers Paid) and a retry redoes little, while a small sweep is a single step.
 */
export const STEP_BAR_RUNS = 20_000_000;
/** Steps per child instance when a sweep fans out (see {@link planSweepSteps}). */
export const STEPS_PER_SHARD = 4;
/** How often a running step asks whether its sweep was cancelled. */
const CANCEL_CHECK_MS = 250;
/** Points of the stitched out-of-sample equity kept in the summary. */
const SUMMARY_EQUITY_POINTS = 500;

/** Why a step stopped early: the sweep is no longer `running`. */
export class SweepStopped extends Error {
  override name = "SweepStopped";
}

/** The sweep's bars, loaded like a backtest's (cached per isolate, so every batch step reuses them). */
async function barsFor(services: Services, row: SweepRow): Promise<ColumnarResult> {
  const base = row.base as { start_date: string; end_date: string };
  const { bars } = await barsOf(services, {
    symbol: row.symbol,
    timeframe: row.timeframe,
    startDate: new Date(base.start_date),
    endDate: new Date(base.end_date),
  });
  return bars;
}

async function runningSweep(db: Database, id: string): Promise<SweepRow> {
  const [row] = await db.select().from(researchSweep).where(eq(researchSweep.id, id));
  if (row?.status !== "running") throw new SweepStopped(`sweep ${id} is ${row?.status ?? "deleted"}`);
  return row;
}

/** Throws {@link SweepStopped} once the sweep is not running, reading its status at most every 250 ms. */
function stopWatch(db: Database, id: string): () => Promise<void> {
  let last = Date.now();
  return async () => {
    if (Date.now() - last < CANCEL_CHECK_MS) return;
    last = Date.now();
    await runningSweep(db, id);
  };
}

/**
 * The sweep's runner (runner.ts): each combination as the native runtime runs it alone, sharing
 * indicators across the runs over the same bars, and the equity and trade memory when `reuseEquity`.
 */
function runnerFor(row: SweepRow, reuseEquity: boolean): RunCombination {
  const definition = getBuiltinStrategy(row.strategy);
  if (!definition)
    throw new RuntimeError("strategy_parameters", `Built-in strategy ${row.strategy} no longer exists.`);
  return sweepRunner(definition, {
    base: (row.base as { parameters: Record<string, unknown> }).parameters,
    config: row.executionConfig as ExecutionConfig,
    reuseEquity,
  });
}

/** What the workflow needs to plan its steps. */
export interface SweepStart {
  /** `completed`: a sweep small enough for one step already ran whole in the start step. */
  status: "running" | "completed" | "skipped";
  kind: "sweep" | "walk_forward";
  /** A sweep's steps still to run: the combinations `[from, to)` of each. */
  steps: CombinationRange[];
  /** True when the steps are to run in child instances (more than {@link STEPS_PER_SHARD}). */
  fanOut: boolean;
  windows: number;
}

/** How a sweep's steps are cut (the defaults are the constants above; tests pass smaller ones). */
export interface StepTuning {
  stepBarRuns?: number;
  stepsPerShard?: number;
}

/**
 * First step: marks the sweep running, loads its bars (a range without bars fails it) and plans the
 * steps. A sweep that does not fan out runs its first step right here, on the bars just loaded, and
 * one that fits in a single step also completes here: one workflow step, one database connection.
 */
export async function startSweep(
  services: Services,
  id: string,
  tuning: StepTuning = {},
): Promise<SweepStart> {
  const { db } = services;
  const [row] = await db
    .update(researchSweep)
    .set({ status: "running", startedAt: new Date(), updatedAt: new Date() })
    .where(and(eq(researchSweep.id, id), sql`${researchSweep.status} IN ('pending', 'running')`))
    .returning();
  if (!row) return { status: "skipped", kind: "sweep", steps: [], fanOut: false, windows: 0 };
  const kind = row.kind as SweepStart["kind"];
  let bars: ColumnarResult;
  try {
    bars = await barsFor(services, row);
    if (kind === "walk_forward") planWindows(row, bars.count);
  } catch (e) {
    if (e instanceof RuntimeError || e instanceof RangeError) {
      await endSweep(db, id, { status: "failed", message: e.message });
      return { status: "skipped", kind, steps: [], fanOut: false, windows: 0 };
    }
    throw e;
  }
  const recordBars = () =>
    db.update(researchSweep).set({ barsTotal: bars.count }).where(eq(researchSweep.id, id));
  if (kind === "walk_forward") {
    await recordBars();
    const windows = (row.walkForward as { windows?: number } | null)?.windows ?? 0;
    return { status: "running", kind, steps: [], fanOut: false, windows };
  }
  const steps = planSweepSteps(row.combinations.length, bars.count, tuning.stepBarRuns ?? STEP_BAR_RUNS);
  if (steps.length > (tuning.stepsPerShard ?? STEPS_PER_SHARD)) {
    await recordBars();
    return { status: "running", kind, steps, fanOut: true, windows: 0 };
  }
  // Inline: the bar count is stored with the first step's progress.
  const [first, ...rest] = steps as [CombinationRange, ...CombinationRange[]];
  await runCombinations(services, row, bars, first, rest.length === 0);
  return {
    status: rest.length === 0 ? "completed" : "running",
    kind,
    steps: rest,
    fanOut: false,
    windows: 0,
  };
}

function planWindows(row: SweepRow, bars: number) {
  const plan = row.walkForward as { windows: number; in_sample_ratio: number; mode: WalkForwardMode };
  return walkForwardWindows({
    bars,
    windows: plan.windows,
    inSampleRatio: plan.in_sample_ratio,
    mode: plan.mode,
  });
}

/**
 * Metrics for storage, as a backtest stores them: every number finite or null, and the All / Long /
 * Short split (`byDirection`, finite or null by the engine's construction) kept whole.
 */
type StoredMetrics = Record<string, number | DirectionMetrics | null>;

function storedMetrics(metrics: Metrics): StoredMetrics {
  return Object.fromEntries(
    Object.entries(metrics).map(([k, v]) => [
      k,
      k === "byDirection"
        ? (v as DirectionMetrics | null)
        : typeof v === "number" && Number.isFinite(v)
          ? v
          : null,
    ]),
  );
}

/**
 * A sweep step: runs combinations `[from, to)` and stores their metrics; with `last`, the sweep then
 * completes in the same step (no finish step of its own).
 */
export async function runSweepBatch(
  services: Services,
  id: string,
  range: CombinationRange,
  last = false,
): Promise<{ ran: number }> {
  const row = await runningSweep(services.db, id);
  const bars = await barsFor(services, row);
  return runCombinations(services, row, bars, range, last);
}

/**
 * Runs combinations `[from, to)` over `bars` and stores their metrics in one multi-row INSERT at the
 * end (every second on a long step, so progress moves); progress grows by the rows actually
 * inserted, so a retried step never counts twice. Logs where its time went.
 */
async function runCombinations(
  services: Services,
  row: SweepRow,
  bars: ColumnarResult,
  [from, to]: CombinationRange,
  last: boolean,
): Promise<{ ran: number }> {
  const { db } = services;
  const id = row.id;
  const started = Date.now();
  const phases = { run: 0, store: 0 };
  const run = runnerFor(row, true);
  const check = stopWatch(db, id);
  const metric = row.metric as SweepMetric;
  const slice = row.combinations.slice(from, to) as Combination[];
  const rows: Array<typeof researchSweepResult.$inferInsert> = [];
  let lastFlush = Date.now();
  // Stores the rows so far; progress grows by those actually inserted, or, after the last step's
  // final rows, the sweep completes in the same write.
  const flush = async (complete: boolean) => {
    const t = Date.now();
    const inserted =
      rows.length === 0
        ? []
        : await db
            .insert(researchSweepResult)
            .values(rows.splice(0))
            .onConflictDoNothing()
            .returning({ combination: researchSweepResult.combination });
    if (complete) await completeSweep(db, row, null, bars.count);
    else if (inserted.length > 0) {
      await db
        .update(researchSweep)
        .set({
          workDone: sql`${researchSweep.workDone} + ${inserted.length}`,
          barsTotal: bars.count,
          updatedAt: new Date(),
        })
        .where(and(eq(researchSweep.id, id), eq(researchSweep.status, "running")));
    }
    lastFlush = Date.now();
    phases.store += lastFlush - t;
  };
  for (const [k, combination] of slice.entries()) {
    await check();
    const t = Date.now();
    const { metrics } = await run(bars, combination);
    rows.push({
      sweepId: id,
      combination: from + k,
      parameters: combination,
      score: scoreOf(metrics, metric),
      metrics: storedMetrics(metrics),
    });
    phases.run += Date.now() - t;
    if (Date.now() - lastFlush > 1_000) await flush(false);
  }
  await runningSweep(db, id); // cancelled meanwhile: store nothing more
  await flush(last);
  console.log(
    JSON.stringify({
      msg: "sweep step",
      sweepId: id,
      from,
      to,
      bars: bars.count,
      ms: Date.now() - started,
      phases,
    }),
  );
  return { ran: slice.length };
}

/** Whether every combination of the sweep has its result stored, or the sweep stopped running. */
export async function sweepProgress(services: Services, id: string): Promise<"running" | "done" | "stopped"> {
  const { db } = services;
  const [row] = await db
    .select({ status: researchSweep.status, total: researchSweep.workTotal })
    .from(researchSweep)
    .where(eq(researchSweep.id, id));
  if (row?.status !== "running") return "stopped";
  const [done] = await db
    .select({ n: count() })
    .from(researchSweepResult)
    .where(eq(researchSweepResult.sweepId, id));
  return (done?.n ?? 0) >= row.total ? "done" : "running";
}

/** What one walk-forward window step returns (small: it travels as the step's result). */
export interface WindowStep {
  index: number;
  parameters: Combination;
  inSampleScore: number | null;
  outOfSampleScore: number | null;
  inSampleMetrics: StoredMetrics;
  outOfSampleMetrics: StoredMetrics;
}

/** A walk-forward step: the in-sample sweep of window `index` and its out-of-sample test. */
export async function runWalkForwardWindow(
  services: Services,
  id: string,
  index: number,
): Promise<WindowStep> {
  const { db } = services;
  const row = await runningSweep(db, id);
  const bars = await barsFor(services, row);
  const window = planWindows(row, bars.count)[index];
  if (!window) throw new Error(`walk-forward window ${index} out of range`);
  const check = stopWatch(db, id);
  const perWindow = row.combinations.length + 1;
  let done = 0;
  let lastReport = Date.now();
  const outcome = await runWindow(
    bars,
    window,
    row.combinations as Combination[],
    runnerFor(row, true),
    row.metric as SweepMetric,
    async () => {
      done += 1;
      await check();
      if (Date.now() - lastReport > 1_000) {
        lastReport = Date.now();
        await db
          .update(researchSweep)
          .set({ workDone: index * perWindow + done, updatedAt: new Date() })
          .where(and(eq(researchSweep.id, id), eq(researchSweep.status, "running")));
      }
    },
  );
  await db
    .update(researchSweep)
    .set({ workDone: (index + 1) * perWindow, updatedAt: new Date() })
    .where(and(eq(researchSweep.id, id), eq(researchSweep.status, "running")));
  return {
    index,
    parameters: outcome.chosen.combination,
    inSampleScore: outcome.chosen.score,
    outOfSampleScore: outcome.outOfSample.score,
    inSampleMetrics: storedMetrics(outcome.chosen.metrics),
    outOfSampleMetrics: storedMetrics(outcome.outOfSample.metrics),
  };
}

/**
 * The stitched out-of-sample result: each window's chosen combination is re-run on its
 * out-of-sample bars (cheap, one run a window), the curves are chained by compounding, and the
 * metrics are computed over the joined out-of-sample bars as if one run.
 */
async function stitchWalkForward(
  services: Services,
  row: SweepRow,
  steps: readonly WindowStep[],
): Promise<WalkForwardSummary> {
  const bars = await barsFor(services, row);
  const windows = planWindows(row, bars.count);
  const run = runnerFor(row, false); // the segments are kept
  const initialBalance = (row.base as { initial_balance: number }).initial_balance;
  const segments: Float64Array[] = [];
  const pnl: number[] = [];
  let barsInMarket = 0;
  let fees = 0;
  let scale = 1;
  for (const step of steps) {
    const window = windows[step.index];
    if (!window) continue;
    const slice: BarColumns = sliceBars(bars, window.outOfSample.start, window.outOfSample.end);
    const { metrics, equity, tradePnl } = await run(slice, step.parameters);
    segments.push(equity);
    // Each segment is rescaled to start where the previous ended; its trades' pnl scales with it.
    for (let t = 0; t < tradePnl.length; t++) pnl.push((tradePnl[t] as number) * scale);
    barsInMarket += Math.round((metrics.exposure ?? 0) * slice.time.length);
    fees += metrics.feesPaid * scale;
    scale = (metrics.finalEquity / initialBalance) * scale;
  }
  const first = windows[0]?.outOfSample.start ?? 0;
  const last = windows.at(-1)?.outOfSample.end ?? 0;
  const oos = sliceBars(bars, first, last);
  const equity = stitchEquity(segments, initialBalance);
  const timeframeMs = inferTimeframeMs(oos.time);
  const inSampleMetrics = steps[0]?.inSampleMetrics ?? {};
  const metrics = computeMetrics({
    time: oos.time,
    open: oos.open,
    close: oos.close,
    equity,
    tradePnl: pnl,
    initialBalance,
    barsInMarket,
    feesPaid: fees,
    timeframeMs,
    periodsPerYear: (inSampleMetrics.periodsPerYear as number | null) ?? null,
  });
  const iso = (i: number) => new Date(bars.time[i] as number).toISOString();
  return {
    windows: steps.map((s) => {
      const w = windows[s.index];
      return {
        index: s.index,
        in_sample: {
          start: iso(w?.inSample.start ?? 0),
          end: iso((w?.inSample.end ?? 1) - 1),
          bars: (w?.inSample.end ?? 0) - (w?.inSample.start ?? 0),
        },
        out_of_sample: {
          start: iso(w?.outOfSample.start ?? 0),
          end: iso((w?.outOfSample.end ?? 1) - 1),
          bars: (w?.outOfSample.end ?? 0) - (w?.outOfSample.start ?? 0),
        },
        parameters: s.parameters,
        in_sample_score: s.inSampleScore,
        out_of_sample_score: s.outOfSampleScore,
        in_sample_metrics: s.inSampleMetrics,
        out_of_sample_metrics: s.outOfSampleMetrics,
      };
    }),
    out_of_sample: {
      metrics: storedMetrics(metrics),
      equity: downsampleIndices(equity, SUMMARY_EQUITY_POINTS).map((i) => ({
        time: new Date(oos.time[i] as number).toISOString(),
        equity: equity[i] as number,
      })),
    },
  };
}

/** Last step: the sweep turns `completed` (only while still running), with the walk-forward summary. */
export async function finishSweep(
  services: Services,
  id: string,
  steps: readonly WindowStep[] = [],
): Promise<"completed"> {
  const row = await runningSweep(services.db, id);
  const summary = row.kind === "walk_forward" ? await stitchWalkForward(services, row, steps) : null;
  await completeSweep(services.db, row, summary);
  return "completed";
}

async function completeSweep(
  db: Database,
  row: SweepRow,
  summary: WalkForwardSummary | null,
  barsTotal?: number,
): Promise<void> {
  const now = new Date();
  await db
    .update(researchSweep)
    .set({
      status: "completed",
      workDone: row.workTotal,
      ...(barsTotal === undefined ? {} : { barsTotal }),
      summary: summary as Record<string, unknown> | null,
      finishedAt: now,
      updatedAt: now,
    })
    .where(and(eq(researchSweep.id, row.id), eq(researchSweep.status, "running")));
}

/**
 * A failure the submitter can act on (the strategy refusing its parameters or its output, missing
 * data) ends the sweep as failed at once, with its message, and is not retried: true when it was one.
 */
export async function failSweepNow(services: Services, id: string, error: unknown): Promise<boolean> {
  if (!(error instanceof RuntimeError)) return false;
  await endSweep(services.db, id, { status: "failed", message: error.message });
  return true;
}

/** After a step gave up: a generic reason (the details are in the Worker's logs). */
export async function failSweepAfterRetries(services: Services, id: string): Promise<void> {
  await endSweep(services.db, id, {
    status: "failed",
    message: "The sweep failed because of an internal error; try again later.",
  });
}
