import { adminBacktestsSummaryQuerySchema } from "@quantago/contracts";
import { Hono } from "hono";
import { backtestsSummary } from "../../domain/backtests/admin-summary.ts";
import type { AppEnv } from "../../env.ts";
import { validate } from "../../lib/validate.ts";

/** `/api/admin/backtests` (admin only): every user's backtests, summarised for the operator. */
export const adminBacktestsRoutes = new Hono<AppEnv>().get(
  "/summary",
  validate("query", adminBacktestsSummaryQuerySchema),
  async (c) => {
    return c.json(await backtestsSummary(c.get("services").db, c.req.valid("query").limit), 200);
  },
);
