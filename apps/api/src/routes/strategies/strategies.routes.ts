import { strategySlugParamSchema } from "@quantago/contracts";
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { validate } from "../../lib/validate.ts";
import { getStrategy, listStrategies } from "./strategies.service.ts";

/** Strategy catalog (api-compat §4); signed-in users only. */
export const strategiesRoutes = new Hono<AppEnv>()
  .get("/", (c) => c.json({ strategies: listStrategies() }, 200))
  .get("/:slug", validate("param", strategySlugParamSchema), (c) =>
    c.json({ strategy: getStrategy(c.req.valid("param").slug) }, 200),
  );
