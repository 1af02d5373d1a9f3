import {
  backtestEquityQuerySchema,
  backtestIdParamSchema,
  backtestListQuerySchema,
  backtestTradesQuerySchema,
  createBacktestRequestSchema,
  updateBacktestRequestSchema,
} from "@quantago/contracts";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import {
  cancelBacktest,
  deleteBacktest,
  getOwnBacktest,
  listBacktests,
  listTrades,
  readEquityCurve,
  rerunBacktest,
  submitBacktest,
  toRecord,
  updateBacktest,
} from "../../domain/backtests/backtests.ts";
import { followBacktest } from "../../domain/backtests/progress.ts";
import type { AppEnv } from "../../env.ts";
import { setPageHeaders } from "../../lib/paging.ts";
import { validate } from "../../lib/validate.ts";
import { currentUser } from "../../middleware/session.ts";

/**
 * Backtests (docs/compatibility.md#backtests): session users, owner only everywhere. The lists answer
 * bare arrays with paging headers (lib/paging.ts), as published.
 */
export const backtestsRoutes = new Hono<AppEnv>()
  .get("/", validate("query", backtestListQuerySchema), async (c) => {
    const { user } = currentUser(c);
    const query = c.req.valid("query");
    const page = await listBacktests(c.get("services").db, user.id, query);
    setPageHeaders(c, {
      total: page.total,
      limit: query.limit,
      offset: query.offset,
      count: page.items.length,
    });
    return c.json(page.items, 200);
  })
  .post("/", validate("json", createBacktestRequestSchema), async (c) => {
    const { user } = currentUser(c);
    const record = await submitBacktest(c.get("services"), user.id, c.req.valid("json").backtest);
    return c.json(record, 202);
  })
  .get("/:id", validate("param", backtestIdParamSchema), async (c) => {
    const { user } = currentUser(c);
    return c.json(
      toRecord(await getOwnBacktest(c.get("services").db, user.id, c.req.valid("param").id)),
      200,
    );
  })
  .patch(
    "/:id",
    validate("param", backtestIdParamSchema),
    validate("json", updateBacktestRequestSchema),
    async (c) => {
      const { user } = currentUser(c);
      const record = await updateBacktest(
        c.get("services").db,
        user.id,
        c.req.valid("param").id,
        c.req.valid("json"),
      );
      return c.json(record, 200);
    },
  )
  .get(
    "/:id/trades",
    validate("param", backtestIdParamSchema),
    validate("query", backtestTradesQuerySchema),
    async (c) => {
      const { user } = currentUser(c);
      const query = c.req.valid("query");
      const page = await listTrades(c.get("services"), user.id, c.req.valid("param").id, query);
      setPageHeaders(c, {
        total: page.total,
        limit: query.limit,
        offset: query.offset,
        count: page.items.length,
      });
      return c.json(page.items, 200);
    },
  )
  .get(
    "/:id/equity",
    validate("param", backtestIdParamSchema),
    validate("query", backtestEquityQuerySchema),
    async (c) => {
      const { user } = currentUser(c);
      const curve = await readEquityCurve(
        c.get("services"),
        user.id,
        c.req.valid("param").id,
        c.req.valid("query").points,
      );
      return c.json(curve, 200);
    },
  )
  .get("/:id/events", validate("param", backtestIdParamSchema), async (c) => {
    const { user } = currentUser(c);
    // 404 and 429 are answered before the stream opens.
    const follow = await followBacktest(c.get("services"), user.id, c.req.valid("param").id);
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
  .post("/:id/cancel", validate("param", backtestIdParamSchema), async (c) => {
    const { user } = currentUser(c);
    return c.json(await cancelBacktest(c.get("services"), user.id, c.req.valid("param").id), 200);
  })
  .post("/:id/rerun", validate("param", backtestIdParamSchema), async (c) => {
    const { user } = currentUser(c);
    return c.json(await rerunBacktest(c.get("services"), user.id, c.req.valid("param").id), 202);
  })
  .delete("/:id", validate("param", backtestIdParamSchema), async (c) => {
    const { user } = currentUser(c);
    await deleteBacktest(c.get("services"), user.id, c.req.valid("param").id);
    return c.body(null, 204);
  });
