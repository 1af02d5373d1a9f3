import {
  createStrategyRequestSchema,
  createVersionRequestSchema,
  strategySlugParamSchema,
  strategyVersionParamSchema,
} from "@quantago/contracts";
import { Hono } from "hono";
import { getStrategy, listStrategies } from "../../domain/strategies/catalog.ts";
import {
  createStrategy,
  createVersion,
  listVersions,
  readArtifact,
} from "../../domain/strategies/registry.ts";
import type { AppEnv } from "../../env.ts";
import { setTotalHeader } from "../../lib/paging.ts";
import { validate } from "../../lib/validate.ts";
import { currentUser } from "../../middleware/session.ts";

/**
 * Strategy catalog and registry (docs/compatibility.md#strategy-catalog-and-registry); signed-in users
 * only. The lists answer bare arrays with `X-Total-Count`, the new version its bare row, as published.
 */
export const strategiesRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const { user } = currentUser(c);
    const strategies = await listStrategies(c.get("services").db, user.id);
    setTotalHeader(c, strategies.length);
    return c.json(strategies, 200);
  })
  .post("/", validate("json", createStrategyRequestSchema), async (c) => {
    const { user } = currentUser(c);
    const created = await createStrategy(
      c.get("services").db,
      c.get("services").storage.artifacts,
      user.id,
      c.req.valid("json").strategy,
    );
    return c.json(created, 201);
  })
  .get("/:slug", validate("param", strategySlugParamSchema), async (c) => {
    const { user } = currentUser(c);
    return c.json(
      { strategy: await getStrategy(c.get("services").db, user.id, c.req.valid("param").slug) },
      200,
    );
  })
  .get("/:slug/versions", validate("param", strategySlugParamSchema), async (c) => {
    const { user } = currentUser(c);
    const versions = await listVersions(c.get("services").db, user.id, c.req.valid("param").slug);
    setTotalHeader(c, versions.length);
    return c.json(versions, 200);
  })
  .post(
    "/:slug/versions",
    validate("param", strategySlugParamSchema),
    validate("json", createVersionRequestSchema),
    async (c) => {
      const { user } = currentUser(c);
      const version = await createVersion(
        c.get("services").db,
        c.get("services").storage.artifacts,
        user.id,
        c.req.valid("param").slug,
        c.req.valid("json").version,
      );
      return c.json(version, 201);
    },
  )
  .get("/:slug/versions/:version/artifact", validate("param", strategyVersionParamSchema), async (c) => {
    const { user } = currentUser(c);
    const { slug, version } = c.req.valid("param");
    const { row, object } = await readArtifact(c.get("services"), user.id, slug, version);
    const fileName = (row.artifactFileName ?? "artifact").replace(/["\\\r\n]/g, "_");
    return new Response(object.body, {
      headers: {
        "Content-Type": row.artifactContentType ?? "application/octet-stream",
        "Content-Length": String(object.size),
        "Content-Disposition": `attachment; filename="${fileName}"`,
        ETag: `"${row.artifactSha256}"`,
        "Cache-Control": "private, max-age=31536000, immutable",
        "X-Content-Type-Options": "nosniff",
        // The type is the uploader's word: never let a browser render it on our origin.
        "Content-Security-Policy": "sandbox",
      },
    });
  });
