import { healthQuerySchema } from "@quantago/contracts";
import { Hono } from "hono";
import { deepHealth } from "../../domain/health.ts";
import type { AppEnv } from "../../env.ts";
import { validate } from "../../lib/validate.ts";

/**
 * `GET /api/health` is a cheap liveness probe: `{ "ok": true }`. With `?deep=1` it also reports
 * configuration, PostgreSQL and ClickHouse, and answers 503 when any of them fails.
 */
export const healthRoutes = new Hono<AppEnv>().get("/", validate("query", healthQuerySchema), async (c) => {
  const { deep } = c.req.valid("query");
  if (deep !== "1" && deep !== "true") return c.json({ ok: true }, 200);
  const checks = await deepHealth(c.get("services"));
  const ok = Object.values(checks).every((check) => check.ok);
  return c.json({ ok, checks }, ok ? 200 : 503);
});
