import {
  createMonteCarloRequestSchema,
  createSweepRequestSchema,
  monteCarloIdParamSchema,
  monteCarloListQuerySchema,
  sweepHeatmapQuerySchema,
  sweepIdParamSchema,
  sweepListQuerySchema,
  sweepResultParamSchema,
  sweepResultsQuerySchema,
} from "@quantago/contracts";
import { type Context, Hono } from "hono";
import { streamSSE } from "hono/streaming";
import {
  createMonteCarlo,
  deleteMonteCarlo,
  getOwnMonteCarlo,
  listMonteCarlo,
  toMonteCarloRecord,
} from "../../domain/research/monte-carlo.ts";
import {
  cancelSweep,
  deleteSweep,
  followSweep,
  getOwnSweep,
  listSweepResults,
  listSweeps,
  openSweepResult,
  submitSweep,
  sweepHeatmap,
  toSweepRecord,
  walkForwardSummary,
} from "../../domain/research/sweeps.ts";
import type { AppEnv } from "../../env.ts";
import { setPageHeaders } from "../../lib/paging.ts";
import { validate } from "../../lib/validate.ts";
import { currentUser } from "../../middleware/session.ts";

/** A page as the list routes answer it: the bare array, the total and next link in headers. */
function page<T>(
  c: Context<AppEnv>,
  query: { limit: number; offset: number },
  result: { items: T[]; total: number },
) {
  setPageHeaders(c, {
    total: result.total,
    limit: query.limit,
    offset: query.offset,
    count: result.items.length,
  });
  return result.items;
}

/**
 * Research (docs/api.md#research): sweeps (and walk-forward analyses) and Monte Carlo runs. Session
 * users, owner only everywhere: another user's id is a 404.
 */
export const researchRoutes = new Hono<AppEnv>()
  .get("/sweeps", validate("query", sweepListQuerySchema), async (c) => {
    const query = c.req.valid("query");
    const result = await listSweeps(c.get("services").db, currentUser(c).user.id, query);
    return c.json(page(c, query, result), 200);
  })
  .post("/sweeps", validate("json", createSweepRequestSchema), async (c) => {
    const record = await submitSweep(c.get("services"), currentUser(c).user.id, c.req.valid("json").sweep);
    return c.json(record, 202);
  })
  .get("/sweeps/:id", validate("param", sweepIdParamSchema), async (c) => {
    const row = await getOwnSweep(c.get("services").db, currentUser(c).user.id, c.req.valid("param").id);
    return c.json(toSweepRecord(row), 200);
  })
  .get(
    "/sweeps/:id/results",
    validate("param", sweepIdParamSchema),
    validate("query", sweepResultsQuerySchema),
    async (c) => {
      const query = c.req.valid("query");
      const result = await listSweepResults(
        c.get("services").db,
        currentUser(c).user.id,
        c.req.valid("param").id,
        query,
      );
      return c.json(page(c, query, result), 200);
    },
  )
  .get(
    "/sweeps/:id/heatmap",
    validate("param", sweepIdParamSchema),
    validate("query", sweepHeatmapQuerySchema),
    async (c) => {
      const heatmap = await sweepHeatmap(
        c.get("services").db,
        currentUser(c).user.id,
        c.req.valid("param").id,
        c.req.valid("query"),
      );
      return c.json(heatmap, 200);
    },
  )
  .get("/sweeps/:id/walk-forward", validate("param", sweepIdParamSchema), async (c) => {
    const summary = await walkForwardSummary(
      c.get("services").db,
      currentUser(c).user.id,
      c.req.valid("param").id,
    );
    return c.json(summary, 200);
  })
  .post("/sweeps/:id/results/:combination/backtest", validate("param", sweepResultParamSchema), async (c) => {
    const { id, combination } = c.req.valid("param");
    const record = await openSweepResult(c.get("services"), currentUser(c).user.id, id, combination);
    return c.json(record, 202);
  })
  .get("/sweeps/:id/events", validate("param", sweepIdParamSchema), async (c) => {
    // 404 and 429 are answered before the stream opens.
    const follow = await followSweep(c.get("services"), currentUser(c).user.id, c.req.valid("param").id);
    return streamSSE(c, async (stream) => {
      const abort = new AbortController();
      stream.onAbort(() => abort.abort());
      try {
        for await (const event of follow.events(abort.signal)) await stream.writeSSE(event);
      } finally {
        await follow.close();
      }
    });
  })
  .post("/sweeps/:id/cancel", validate("param", sweepIdParamSchema), async (c) => {
    return c.json(await cancelSweep(c.get("services"), currentUser(c).user.id, c.req.valid("param").id), 200);
  })
  .delete("/sweeps/:id", validate("param", sweepIdParamSchema), async (c) => {
    await deleteSweep(c.get("services"), currentUser(c).user.id, c.req.valid("param").id);
    return c.body(null, 204);
  })
  .get("/monte-carlo", validate("query", monteCarloListQuerySchema), async (c) => {
    const query = c.req.valid("query");
    const result = await listMonteCarlo(c.get("services").db, currentUser(c).user.id, query);
    return c.json(page(c, query, result), 200);
  })
  .post("/monte-carlo", validate("json", createMonteCarloRequestSchema), async (c) => {
    const record = await createMonteCarlo(
      c.get("services"),
      currentUser(c).user.id,
      c.req.valid("json").monte_carlo,
    );
    return c.json(record, 201);
  })
  .get("/monte-carlo/:id", validate("param", monteCarloIdParamSchema), async (c) => {
    const row = await getOwnMonteCarlo(c.get("services").db, currentUser(c).user.id, c.req.valid("param").id);
    return c.json(toMonteCarloRecord(row), 200);
  })
  .delete("/monte-carlo/:id", validate("param", monteCarloIdParamSchema), async (c) => {
    await deleteMonteCarlo(c.get("services").db, currentUser(c).user.id, c.req.valid("param").id);
    return c.body(null, 204);
  });
