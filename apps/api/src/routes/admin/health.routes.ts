import { Hono } from "hono";
import { adminHealth } from "../../domain/health.ts";
import type { AppEnv } from "../../env.ts";

/**
 * `GET /api/admin/health` (admin only): the deep check plus R2, Workflows and versions. Always 200
 * when it could check: the body says what is failing (the public `?deep=1` answers 503 for probes).
 */
export const adminHealthRoutes = new Hono<AppEnv>().get("/", async (c) => {
  return c.json(await adminHealth(c.get("services")), 200);
});
