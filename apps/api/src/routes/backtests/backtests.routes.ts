import {
  backtestEquityQuerySchema,
  backtestIdParamSchema,
  backtestListQuerySchema,
  backtestTradesQuerySchema,
  createBacktestRequestSchema,
} from "@quantago/contracts";
import { createDb, type Database } from "@quantago/db";
import { Hono } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import type { AppEnv } from "../../env.ts";
import { AppError } from "../../lib/errors.ts";
import { acquireStreamLease, releaseStreamLease } from "../../lib/stream-leases.ts";
import { validate } from "../../lib/validate.ts";
import { currentUser } from "../../middleware/session.ts";
import {
  cancelBacktest,
  deleteBacktest,
  getOwnBacktest,
  listBacktests,
  listTrades,
  rerunBacktest,
  submitBacktest,
  toRecord,
} from "./backtests.service.ts";
import { decodeEquity, downsampleIndices } from "./equity.ts";

/** How often the SSE stream looks at the row, and how long one stream lives before the client reconnects. */
const EVENTS_POLL_MS = 500;
const EVENTS_MAX_MS = 10 * 60_000;
const HEARTBEAT_MS = 15_000;
const TERMINAL = new Set(["completed", "failed", "cancelled"]);

/** Sends a `progress` event whenever status or bars done change, then the terminal event, then ends. */
async function pollProgress(
  stream: SSEStreamingApi,
  db: Database,
  userId: string,
  id: string,
): Promise<void> {
  let aborted = false;
  stream.onAbort(() => {
    aborted = true;
  });
  const started = Date.now();
  let lastSent = "";
  let lastBeat = Date.now();
  let seq = 0;
  while (!aborted && Date.now() - started < EVENTS_MAX_MS) {
    const record = toRecord(await getOwnBacktest(db, userId, id));
    const state = `${record.status}:${record.bars_done}:${record.bars_total}`;
    if (state !== lastSent) {
      lastSent = state;
      seq += 1;
      await stream.writeSSE({
        id: String(seq),
        event: TERMINAL.has(record.status) ? record.status : "progress",
        data: JSON.stringify({
          status: record.status,
          bars_done: record.bars_done,
          bars_total: record.bars_total,
          progress: record.progress,
          error_message: record.error_message,
        }),
      });
      if (TERMINAL.has(record.status)) return;
    } else if (Date.now() - lastBeat > HEARTBEAT_MS) {
      lastBeat = Date.now();
      await stream.writeSSE({ event: "heartbeat", data: "{}" });
    }
    await stream.sleep(EVENTS_POLL_MS);
  }
}

/** Backtests (api-compat §3): session users, owner only everywhere. */
export const backtestsRoutes = new Hono<AppEnv>()
  .get("/", validate("query", backtestListQuerySchema), async (c) => {
    const { user } = currentUser(c);
    return c.json(await listBacktests(c.get("services").db, user.id, c.req.valid("query")), 200);
  })
  .post("/", validate("json", createBacktestRequestSchema), async (c) => {
    const { user } = currentUser(c);
    const record = await submitBacktest(c.get("services"), c.env, user.id, c.req.valid("json").backtest);
    return c.json(record, 202);
  })
  .get("/:id", validate("param", backtestIdParamSchema), async (c) => {
    const { user } = currentUser(c);
    return c.json(
      toRecord(await getOwnBacktest(c.get("services").db, user.id, c.req.valid("param").id)),
      200,
    );
  })
  .get(
    "/:id/trades",
    validate("param", backtestIdParamSchema),
    validate("query", backtestTradesQuerySchema),
    async (c) => {
      const { user } = currentUser(c);
      const page = await listTrades(
        c.get("services").db,
        user.id,
        c.req.valid("param").id,
        c.req.valid("query"),
      );
      return c.json(page, 200);
    },
  )
  .get(
    "/:id/equity",
    validate("param", backtestIdParamSchema),
    validate("query", backtestEquityQuerySchema),
    async (c) => {
      const { user } = currentUser(c);
      const row = await getOwnBacktest(c.get("services").db, user.id, c.req.valid("param").id);
      if (row.status !== "completed" || !row.equityKey) {
        throw new AppError(
          "CONFLICT",
          `The backtest is ${row.status}; its equity curve exists once it has completed.`,
        );
      }
      const object = await c.env.BACKTEST_RESULTS.get(row.equityKey);
      if (!object)
        throw new AppError("INTERNAL", "Equity curve missing from storage.", { cause: row.equityKey });
      const { time, equity } = decodeEquity(await object.arrayBuffer());
      const points = downsampleIndices(equity, c.req.valid("query").points).map((i) => ({
        time: new Date(time[i] as number).toISOString(),
        equity: equity[i] as number,
      }));
      return c.json({ total: equity.length, points }, 200);
    },
  )
  .get("/:id/events", validate("param", backtestIdParamSchema), async (c) => {
    const { user } = currentUser(c);
    const services = c.get("services");
    const id = c.req.valid("param").id;
    await getOwnBacktest(services.db, user.id, id); // 404 before the stream opens
    // 429 before the stream opens when the user already holds the most streams allowed.
    const lease = await acquireStreamLease(services.db, user.id, EVENTS_MAX_MS + 60_000);
    // The request's pool closes when the handler returns, before the stream ends: the stream has its own.
    const { db, close } = createDb({
      databaseUrl: services.config.DATABASE_URL,
      wsProxy: services.config.DATABASE_WS_PROXY,
    });
    return streamSSE(c, async (stream) => {
      try {
        await pollProgress(stream, db, user.id, id);
      } finally {
        await releaseStreamLease(db, lease).catch(() => {}); // else it expires on its own
        await close();
      }
    });
  })
  .post("/:id/cancel", validate("param", backtestIdParamSchema), async (c) => {
    const { user } = currentUser(c);
    return c.json(await cancelBacktest(c.get("services").db, c.env, user.id, c.req.valid("param").id), 200);
  })
  .post("/:id/rerun", validate("param", backtestIdParamSchema), async (c) => {
    const { user } = currentUser(c);
    return c.json(await rerunBacktest(c.get("services"), c.env, user.id, c.req.valid("param").id), 202);
  })
  .delete("/:id", validate("param", backtestIdParamSchema), async (c) => {
    const { user } = currentUser(c);
    await deleteBacktest(c.get("services").db, c.env, user.id, c.req.valid("param").id);
    return c.body(null, 204);
  });
