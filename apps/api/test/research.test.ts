import { env } from "cloudflare:workers";
import {
  backtestRecordSchema,
  MAX_ACTIVE_SWEEPS,
  MAX_SWEEP_COMBINATIONS,
  monteCarloRecordSchema,
  type SweepRecord,
  sweepHeatmapSchema,
  sweepRecordSchema,
  sweepResultSchema,
  walkForwardSummarySchema,
} from "@quantago/contracts";
import { prefixedId, researchSweep } from "@quantago/db";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { as, json, newUser, type TestUser } from "./auth-helpers.ts";
import { expectError, testDb } from "./helpers.ts";
import { seedSyntheticBars, submitBacktest } from "./synthetic-bars.ts";

const SYMBOL = `RS-${Date.now().toString(36).toUpperCase()}-USD`;
const FROM = Date.UTC(2025, 0, 6);
const START = "2025-01-06";
const END = "2025-01-09";
/** 15m bars over three days (288): several trades per combination, seconds per sweep. */
const BASE = {
  symbol: SYMBOL,
  exchange: "crypto",
  strategy: "sma-crossover",
  start_date: START,
  end_date: END,
  initial_balance: 10_000,
  parameters: { timeframe: "15m" },
};

function submitSweep(who: TestUser, sweep: Record<string, unknown>) {
  return as(who, "/api/research/sweeps", json({ sweep: { backtest: BASE, ...sweep } }));
}

async function accepted(res: Response): Promise<SweepRecord> {
  expect(res.status, await res.clone().text()).toBe(202);
  return sweepRecordSchema.parse(await res.json());
}

async function settleSweep(who: TestUser, id: string, timeoutMs = 60_000): Promise<SweepRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const record = sweepRecordSchema.parse(await (await as(who, `/api/research/sweeps/${id}`)).json());
    if (["completed", "failed", "cancelled"].includes(record.status)) return record;
    if (Date.now() > deadline) throw new Error(`sweep ${id} still ${record.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function settleBacktest(who: TestUser, id: string) {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const record = backtestRecordSchema.parse(await (await as(who, `/api/backtests/${id}`)).json());
    if (["completed", "failed", "cancelled"].includes(record.status)) return record;
    if (Date.now() > deadline) throw new Error(`backtest ${id} still ${record.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function results(who: TestUser, id: string) {
  const res = await as(who, `/api/research/sweeps/${id}/results?limit=1000`);
  expect(res.status).toBe(200);
  return {
    items: sweepResultSchema.array().parse(await res.json()),
    total: Number(res.headers.get("X-Total-Count")),
  };
}

let owner: TestUser;
let stranger: TestUser;

beforeAll(async () => {
  await seedSyntheticBars(SYMBOL, FROM, 3 * 1440, 18);
  [owner, stranger] = await Promise.all([newUser(), newUser()]);
});

describe("parameter sweeps", () => {
  let sweep: SweepRecord;

  it("a 2-parameter grid runs each valid combination once, each identical to that backtest alone", async () => {
    sweep = await accepted(
      await submitSweep(owner, {
        axes: { fast: { values: [3, 5, 20] }, slow: { min: 10, max: 20, step: 10 } },
        metric: "totalReturn",
      }),
    );
    // fast 20 with slow 10 or 20 breaks the strategy's rule (fast < slow): counted, skipped.
    expect(sweep).toMatchObject({
      status: "pending",
      combinations_total: 6,
      combinations_skipped: 2,
      combinations: 4,
    });
    const done = await settleSweep(owner, sweep.id);
    expect(done.status, done.error_message ?? "").toBe("completed");
    expect(done.progress).toBe(1);

    const { items, total } = await results(owner, sweep.id);
    expect(total).toBe(4);
    expect(items.map((r) => `${r.parameters.fast}/${r.parameters.slow}`).sort()).toEqual([
      "3/10",
      "3/20",
      "5/10",
      "5/20",
    ]);
    // Ranked by total return, best first.
    const scores = items.map((r) => r.score ?? Number.NEGATIVE_INFINITY);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(items.map((r) => r.rank)).toEqual([1, 2, 3, 4]);

    for (const result of items) {
      const alone = await submitBacktest(owner, {
        symbol: SYMBOL,
        start: START,
        end: END,
        strategy: "sma-crossover",
        parameters: { timeframe: "15m", ...result.parameters },
      });
      const finished = await settleBacktest(owner, alone.id);
      expect(finished.status).toBe("completed");
      const metrics = finished.metrics as Record<string, unknown>;
      for (const key of Object.keys(result.metrics)) {
        expect(result.metrics[key], `${key} of ${JSON.stringify(result.parameters)}`).toEqual(metrics[key]);
      }
      expect(result.metrics.numberOfTrades).toBeGreaterThan(0);
    }
  });

  it("a heatmap over the two parameters holds one cell per pair, none where the rule refused", async () => {
    const res = await as(owner, `/api/research/sweeps/${sweep.id}/heatmap?x=fast&y=slow`);
    expect(res.status).toBe(200);
    const heatmap = sweepHeatmapSchema.parse(await res.json());
    expect(heatmap.x.values).toEqual([3, 5, 20]);
    expect(heatmap.y.values).toEqual([10, 20]);
    expect(heatmap.cells.map((row) => row.map((c) => c !== null))).toEqual([
      [true, true, false],
      [true, true, false],
    ]);
    await expectError(
      await as(owner, `/api/research/sweeps/${sweep.id}/heatmap?x=fast&y=nope`),
      400,
      "VALIDATION_FAILED",
    );
  });

  it("a heatmap over two of three parameters holds the third at a value, or aggregates it", async () => {
    const three = await accepted(
      await submitSweep(owner, {
        backtest: { ...BASE, strategy: "macd" },
        axes: { fast: { values: [3, 5] }, slow: { values: [10, 20] }, signal: { values: [4, 9] } },
        metric: "totalReturn",
      }),
    );
    const done = await settleSweep(owner, three.id);
    expect(done.status, done.error_message ?? "").toBe("completed");
    const { items } = await results(owner, three.id);
    const heatmap = async (query: string) => {
      const res = await as(owner, `/api/research/sweeps/${three.id}/heatmap?x=fast&y=slow${query}`);
      expect(res.status, await res.clone().text()).toBe(200);
      return sweepHeatmapSchema.parse(await res.json());
    };
    const scoreOf = (fast: number, slow: number, signal: number) =>
      items.find(
        (r) => r.parameters.fast === fast && r.parameters.slow === slow && r.parameters.signal === signal,
      );
    for (const signal of [4, 9]) {
      const held = await heatmap(`&fixed=${encodeURIComponent(JSON.stringify({ signal }))}`);
      expect(held.fixed).toEqual({ signal });
      for (const [yi, slow] of [10, 20].entries()) {
        for (const [xi, fast] of [3, 5].entries()) {
          const own = scoreOf(fast, slow, signal);
          expect(held.cells[yi]?.[xi]).toEqual({ score: own?.score, combination: own?.combination });
        }
      }
    }
    // Not fixed: the mean over both signal values.
    const mean = await heatmap("&aggregate=mean");
    expect(mean.fixed).toEqual({});
    const both = (scoreOf(3, 10, 4)?.score ?? 0) + (scoreOf(3, 10, 9)?.score ?? 0);
    expect(mean.cells[0]?.[0]?.score).toBeCloseTo(both / 2, 10);
    const refused = async (fixed: string, text: RegExp) => {
      const res = await as(
        owner,
        `/api/research/sweeps/${three.id}/heatmap?x=fast&y=slow&fixed=${encodeURIComponent(fixed)}`,
      );
      expect(JSON.stringify(await expectError(res, 400, "VALIDATION_FAILED"))).toMatch(text);
    };
    await refused('{"signal":7}', /not swept at 7/);
    await refused('{"fast":3}', /already an axis/);
    await refused('{"window":3}', /not swept/);
    await refused("signal=4", /JSON object/);
  });

  it("fanned out over child instances, a sweep stores the very same results", async () => {
    // The same sweep again, cut into one-combination steps and one step per child instance.
    const { db, close } = testDb();
    const id = prefixedId("researchSweep");
    try {
      const [row] = await db.select().from(researchSweep).where(eq(researchSweep.id, sweep.id));
      if (!row) throw new Error("no sweep row");
      await db.insert(researchSweep).values({
        ...row,
        id,
        status: "pending",
        workDone: 0,
        workflowId: id,
        startedAt: null,
        finishedAt: null,
        createdAt: new Date(),
        updatedAt: new Date(),
      });
    } finally {
      await close();
    }
    await env.RESEARCH_WORKFLOW.create({
      id,
      params: { sweepId: id, tuning: { stepBarRuns: 1, stepsPerShard: 1 } },
    });
    const done = await settleSweep(owner, id);
    expect(done.status, done.error_message ?? "").toBe("completed");
    const byCombination = (items: Awaited<ReturnType<typeof results>>["items"]) =>
      Object.fromEntries(items.map((r) => [r.combination, { parameters: r.parameters, metrics: r.metrics }]));
    const fanned = await results(owner, id);
    expect(fanned.total).toBe(4);
    expect(byCombination(fanned.items)).toEqual(byCombination((await results(owner, sweep.id)).items));
  });

  it("a cell opens as a real backtest with that combination", async () => {
    const [best] = (await results(owner, sweep.id)).items;
    if (!best) throw new Error("no results");
    const res = await as(owner, `/api/research/sweeps/${sweep.id}/results/${best.combination}/backtest`, {
      method: "POST",
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const opened = backtestRecordSchema.parse(await res.json());
    expect(opened.parameters).toMatchObject(best.parameters);
    const finished = await settleBacktest(owner, opened.id);
    expect(finished.final_equity).toBe(best.metrics.finalEquity);
    const again = (await results(owner, sweep.id)).items.find((r) => r.combination === best.combination);
    expect(again?.backtest_id).toBe(opened.id);
  });

  it("is the owner's only: another user gets 404 everywhere", async () => {
    for (const path of ["", "/results", "/heatmap?x=fast&y=slow", "/walk-forward", "/events"]) {
      await expectError(await as(stranger, `/api/research/sweeps/${sweep.id}${path}`), 404, "NOT_FOUND");
    }
    await expectError(
      await as(stranger, `/api/research/sweeps/${sweep.id}/cancel`, { method: "POST" }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await as(stranger, `/api/research/sweeps/${sweep.id}/results/0/backtest`, { method: "POST" }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await as(stranger, `/api/research/sweeps/${sweep.id}`, { method: "DELETE" }),
      404,
      "NOT_FOUND",
    );
    const list = await as(stranger, "/api/research/sweeps");
    expect(await list.json()).toEqual([]);
  });

  it("refuses, before anything runs, what cannot be swept", async () => {
    const refused = async (sweepBody: Record<string, unknown>, text: RegExp) => {
      const body = await expectError(await submitSweep(owner, sweepBody), 400, "VALIDATION_FAILED");
      expect(JSON.stringify(body)).toMatch(text);
    };
    await refused({ axes: { window: { values: [1, 2] } } }, /has no parameter window/);
    await refused({ axes: { constructor: { values: [1] } } }, /has no parameter constructor/);
    await refused({ axes: { fast: { values: [0, 2] } } }, /must be >= 1/);
    await refused({ axes: { fast: { values: [1.5] } } }, /integer/);
    await refused({ axes: { fast: { min: 5, max: 1, step: 1 } } }, /max must be >= min/);
    await refused({ axes: { fast: { values: [50] }, slow: { values: [10] } } }, /None of the 1 combinations/);
    await refused(
      { axes: { fast: { min: 1, max: 100, step: 1 }, slow: { min: 200, max: 300, step: 1 } } },
      new RegExp(`at most ${MAX_SWEEP_COMBINATIONS} run`),
    );
    // A range without bars: refused, and no sweep is left behind (the insert waits for that answer).
    const before = await (await as(owner, "/api/research/sweeps")).json();
    await refused(
      { backtest: { ...BASE, symbol: "NO-BARS-USD" }, axes: { fast: { values: [5] } } },
      /No 15m market data for NO-BARS-USD.*ingest it first/,
    );
    expect(await (await as(owner, "/api/research/sweeps")).json()).toEqual(before);
  });

  it("limits the sweeps a user may have active at once (429)", async () => {
    const busy = await newUser();
    const { db, close } = testDb();
    try {
      for (let k = 0; k < MAX_ACTIVE_SWEEPS; k++) {
        await db.insert(researchSweep).values({
          id: prefixedId("researchSweep"),
          userId: busy.id,
          kind: "sweep",
          status: "running",
          base: {},
          executionConfig: {},
          strategy: "sma-crossover",
          symbol: SYMBOL,
          timeframe: "15m",
          axes: {},
          search: {},
          metric: "sharpe",
          combinations: [],
          combinationsTotal: 0,
          combinationsSkipped: 0,
          workTotal: 0,
        });
      }
    } finally {
      await close();
    }
    await expectError(await submitSweep(busy, { axes: { fast: { values: [3] } } }), 429, "RATE_LIMITED");
  });

  it("cancel stops the remaining work", async () => {
    // A month of 1m bars: 1,599 combinations are about 70 M bar-runs (four steps, seconds of work), so
    // the cancel lands while most of it is left. Over three days of bars a fast machine sometimes
    // finished the whole sweep before the cancel arrived.
    const symbol = `RL-${Date.now().toString(36).toUpperCase()}-USD`;
    await seedSyntheticBars(symbol, FROM, 30 * 1440, 19);
    const big = await accepted(
      await submitSweep(owner, {
        backtest: { ...BASE, symbol, end_date: "2025-02-05", parameters: { timeframe: "1m" } },
        axes: { fast: { min: 2, max: 40, step: 1 }, slow: { min: 50, max: 90, step: 1 } },
      }),
    );
    expect(big.combinations).toBeGreaterThan(1_000);
    const res = await as(owner, `/api/research/sweeps/${big.id}/cancel`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(sweepRecordSchema.parse(await res.json()).status).toBe("cancelled");
    await new Promise((r) => setTimeout(r, 2_000));
    const first = (await results(owner, big.id)).total;
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await results(owner, big.id)).total).toBe(first);
    expect(first).toBeLessThan(big.combinations);
    const after = sweepRecordSchema.parse(await (await as(owner, `/api/research/sweeps/${big.id}`)).json());
    expect(after.status).toBe("cancelled");
    await expectError(
      await as(owner, `/api/research/sweeps/${big.id}/cancel`, { method: "POST" }),
      409,
      "CONFLICT",
    );
  });
});

describe("walk-forward", () => {
  it("picks parameters per window in-sample, tests them out-of-sample, and stitches the OOS equity", async () => {
    const wf = await accepted(
      await submitSweep(owner, {
        axes: { fast: { values: [3, 5, 8] }, slow: { values: [10, 20] } },
        metric: "totalReturn",
        walk_forward: { windows: 3, in_sample_ratio: 0.6, mode: "rolling" },
      }),
    );
    expect(wf.kind).toBe("walk_forward");
    const done = await settleSweep(owner, wf.id);
    expect(done.status, done.error_message ?? "").toBe("completed");
    const res = await as(owner, `/api/research/sweeps/${wf.id}/walk-forward`);
    expect(res.status).toBe(200);
    const summary = walkForwardSummarySchema.parse(await res.json());
    expect(summary.windows).toHaveLength(3);
    for (const [k, w] of summary.windows.entries()) {
      // The in-sample part ends before its out-of-sample part starts; OOS parts follow each other.
      expect(Date.parse(w.in_sample.end)).toBeLessThan(Date.parse(w.out_of_sample.start));
      const prev = summary.windows[k - 1];
      if (prev) expect(Date.parse(prev.out_of_sample.end)).toBeLessThan(Date.parse(w.out_of_sample.start));
      expect([3, 5, 8]).toContain(w.parameters.fast);
    }
    expect(summary.out_of_sample.equity.length).toBeGreaterThan(10);
    expect(summary.out_of_sample.metrics.finalEquity).toBe(summary.out_of_sample.equity.at(-1)?.equity);
  });
});

describe("Monte Carlo", () => {
  let backtestId: string;

  beforeAll(async () => {
    const bt = await submitBacktest(owner, {
      symbol: SYMBOL,
      start: START,
      end: END,
      strategy: "sma-crossover",
      parameters: { timeframe: "15m", fast: 3, slow: 10 },
    });
    expect((await settleBacktest(owner, bt.id)).status).toBe("completed");
    backtestId = bt.id;
  });

  const run = (who: TestUser, body: Record<string, unknown>) =>
    as(who, "/api/research/monte-carlo", json({ monte_carlo: { backtest_id: backtestId, ...body } }));

  it("is reproducible with a fixed seed, and its percentiles match a plain computation", async () => {
    const options = { method: "bootstrap", runs: 101, seed: 42, ruin_equity: 9_900 };
    const a = monteCarloRecordSchema.parse(await (await run(owner, options)).json());
    const b = monteCarloRecordSchema.parse(await (await run(owner, options)).json());
    expect(a.id).not.toBe(b.id);
    expect({ ...a, id: "", created_at: "" }).toEqual({ ...b, id: "", created_at: "" });
    const sorted = [...a.samples.final_equity].sort((x, y) => x - y);
    // 101 paths: the p-th percentile is exactly the element at rank p (0-based).
    expect(a.final_equity).toMatchObject({
      p5: sorted[5],
      p25: sorted[25],
      p50: sorted[50],
      p75: sorted[75],
      p95: sorted[95],
    });
    const ruined = a.samples.final_equity.length;
    expect(ruined).toBe(101);
    const other = monteCarloRecordSchema.parse(await (await run(owner, { ...options, seed: 43 })).json());
    expect(other.samples.final_equity).not.toEqual(a.samples.final_equity);
  });

  it("shuffling keeps the final equity; the record is the owner's only", async () => {
    const res = await run(owner, { method: "shuffle", runs: 50, seed: 1 });
    expect(res.status).toBe(201);
    const mc = monteCarloRecordSchema.parse(await res.json());
    expect(mc.final_equity.max - mc.final_equity.min).toBeLessThan(1e-6);
    expect(mc.fan[0]?.p50).toBe(10_000);
    await expectError(await as(stranger, `/api/research/monte-carlo/${mc.id}`), 404, "NOT_FOUND");
    await expectError(await run(stranger, { runs: 10 }), 400, "VALIDATION_FAILED");
    expect((await as(owner, `/api/research/monte-carlo/${mc.id}`)).status).toBe(200);
  });
});
