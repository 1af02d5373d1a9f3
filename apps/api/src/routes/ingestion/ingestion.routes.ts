import {
  backfillWorkflowBodySchema,
  bulkWorkflowBodySchema,
  coverageQuerySchema,
  deleteBarsQuerySchema,
  eventsQuerySchema,
  incrementalWorkflowBodySchema,
  ingestionLogsQuerySchema,
  runIdParamSchema,
  runOnceBodySchema,
  symbolParamSchema,
  symbolsQuerySchema,
  symbolsUpsertBodySchema,
  uploadQuerySchema,
} from "@quantago/contracts";
import { deleteBars } from "@quantago/market-data";
import { type Context, Hono } from "hono";
import { followIngestionEvents } from "../../domain/ingestion/events.ts";
import {
  listRegistry,
  normalizeSymbol,
  registeredAssetClass,
  serializeSymbol,
  unregisterSymbol,
  upsertSymbols,
} from "../../domain/ingestion/registry.ts";
import { runOnce } from "../../domain/ingestion/run-once.ts";
import { listRuns, requester, serializeRun, serializeRunSymbol } from "../../domain/ingestion/runs.ts";
import { uploadCsv } from "../../domain/ingestion/upload.ts";
import { cancelRun, getRunWithWorkflow, startWorkflowRun } from "../../domain/ingestion/workflow-runs.ts";
import { seriesCoverage } from "../../domain/market-data/coverage.ts";
import { liveProviders } from "../../domain/market-data/market-data.ts";
import type { AppEnv } from "../../env.ts";
import { validate } from "../../lib/validate.ts";
import { clickHouseConnection } from "../../services.ts";

/** Path of the CSV upload: it is exempt from the global 1 MiB body limit and enforces its own. */
export const UPLOAD_PATH = "/api/admin/ingestion/upload";

function connection(c: Context<AppEnv>) {
  return clickHouseConnection(c.get("services").config);
}

function workflowDeps(c: Context<AppEnv>) {
  const { db, workflows } = c.get("services");
  return { db, workflow: workflows.ingestion };
}

function accepted(c: Context<AppEnv>, run: Parameters<typeof serializeRun>[0]) {
  return c.json({ workflowId: run.workflowId, run: serializeRun(run) }, 202);
}

/**
 * `/api/admin/ingestion` (admin, or the `x-ingestion-admin-secret` header, by the access policy).
 * Workflow routes answer 202 with the workflow id (= run id); progress is on `GET /runs/:id` and on
 * the `GET /events` stream.
 */
export const ingestionRoutes = new Hono<AppEnv>()
  .get("/symbols", validate("query", symbolsQuerySchema), async (c) => {
    const q = c.req.valid("query");
    const rows = await listRegistry(c.get("services").db, {
      ...(q.enabled ? { enabled: q.enabled === "true" } : {}),
      ...(q.source ? { source: q.source } : {}),
    });
    return c.json({ symbols: rows.map(serializeSymbol) }, 200);
  })
  .get(
    "/symbols/:symbol/coverage",
    validate("param", symbolParamSchema),
    validate("query", coverageQuerySchema),
    async (c) => {
      const symbol = normalizeSymbol(c.req.valid("param").symbol);
      const { clickhouse, config } = c.get("services");
      return c.json(
        await seriesCoverage(clickhouse, { symbol, ...c.req.valid("query") }, config.CLICKHOUSE_DB),
        200,
      );
    },
  )
  .delete(
    "/symbols/:symbol/bars",
    validate("param", symbolParamSchema),
    validate("query", deleteBarsQuerySchema),
    async (c) => {
      const symbol = normalizeSymbol(c.req.valid("param").symbol);
      const q = c.req.valid("query");
      const { clickhouse, config } = c.get("services");
      // Rollups and the series catalog are brought in line: reads afterwards equal aggregating the
      // remaining bars.
      const { series } = await deleteBars(
        clickhouse,
        { symbol, fromMs: q.from, toMs: q.to, ...(q.timeframe ? { timeframe: q.timeframe } : {}) },
        config.CLICKHOUSE_DB,
      );
      return c.json(
        { symbol, from: new Date(q.from).toISOString(), to: new Date(q.to).toISOString(), series },
        200,
      );
    },
  )
  .delete("/symbols/:symbol", validate("param", symbolParamSchema), async (c) => {
    await unregisterSymbol(c.get("services"), normalizeSymbol(c.req.valid("param").symbol));
    return c.body(null, 204);
  })
  .post("/symbols", validate("json", symbolsUpsertBodySchema), async (c) => {
    const rows = await upsertSymbols(c.get("services").db, c.req.valid("json").symbols);
    return c.json({ symbols: rows.map(serializeSymbol) }, 200);
  })
  .get("/logs", validate("query", ingestionLogsQuerySchema), async (c) => {
    return c.json(await listRuns(c.get("services").db, c.req.valid("query")), 200);
  })
  .post("/run-once", validate("json", runOnceBodySchema), async (c) => {
    const body = c.req.valid("json");
    const { db, config } = c.get("services");
    const result = await runOnce(
      {
        db,
        connection: connection(c),
        providers: liveProviders(config.YAHOO_BASE_URL, config.BINANCE_BASE_URL),
        now: Date.now(),
      },
      {
        symbol: normalizeSymbol(body.symbol),
        timeframe: body.timeframe,
        fromMs: body.from,
        toMs: body.to,
        source: body.source,
        assetClass: body.assetClass,
        requestedBy: requester(c.get("principal")),
      },
    );
    return c.json({ run: serializeRun(result.run), symbols: result.symbols.map(serializeRunSymbol) }, 200);
  })
  .post("/upload", validate("query", uploadQuerySchema), async (c) => {
    const q = c.req.valid("query");
    const symbol = normalizeSymbol(q.symbol);
    const { db } = c.get("services");
    const length = c.req.header("content-length");
    const result = await uploadCsv(
      { db, connection: connection(c) },
      {
        symbol,
        assetClass: q.assetClass ?? (await registeredAssetClass(db, symbol)),
        timeframe: q.timeframe,
        requestedBy: requester(c.get("principal")),
        body: c.req.raw.body,
        contentLength: length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined,
      },
    );
    return c.json(result, 200);
  })
  .post("/workflows/bulk", validate("json", bulkWorkflowBodySchema), async (c) => {
    const body = c.req.valid("json");
    const run = await startWorkflowRun(workflowDeps(c), {
      kind: "bulk",
      timeframe: body.timeframe,
      symbols: body.symbols,
      fromMs: body.from,
      toMs: body.to,
      options: body.options,
      requestedBy: requester(c.get("principal")),
    });
    return accepted(c, run);
  })
  .post("/workflows/incremental", validate("json", incrementalWorkflowBodySchema), async (c) => {
    const body = c.req.valid("json");
    const run = await startWorkflowRun(workflowDeps(c), {
      kind: "incremental",
      timeframe: body.timeframe,
      symbols: body.symbols,
      options: body.options,
      requestedBy: requester(c.get("principal")),
    });
    return accepted(c, run);
  })
  .post("/workflows/backfill", validate("json", backfillWorkflowBodySchema), async (c) => {
    const body = c.req.valid("json");
    const run = await startWorkflowRun(workflowDeps(c), {
      kind: "backfill",
      timeframe: body.timeframe,
      symbols: [body.symbol],
      fromMs: body.from,
      toMs: body.to,
      options: body.options,
      requestedBy: requester(c.get("principal")),
    });
    return accepted(c, run);
  })
  .get("/runs/:id", validate("param", runIdParamSchema), async (c) => {
    const { found, workflow } = await getRunWithWorkflow(workflowDeps(c), c.req.valid("param").id);
    return c.json(
      { run: serializeRun(found.run), symbols: found.symbols.map(serializeRunSymbol), workflow },
      200,
    );
  })
  .post("/runs/:id/cancel", validate("param", runIdParamSchema), async (c) => {
    const run = await cancelRun(workflowDeps(c), c.req.valid("param").id);
    return c.json({ run: serializeRun(run) }, 200);
  })
  .post("/schema/ensure", async (c) => {
    const instance = await c.get("services").workflows.clickhouseSchema.create({ params: {} });
    return c.json({ workflowId: instance.id }, 202);
  })
  .get("/events", validate("query", eventsQuerySchema), async (c) => {
    const q = c.req.valid("query");
    const header = c.req.header("last-event-id");
    const fromHeader =
      header !== undefined && /^\d+$/.test(header.trim()) ? Number(header.trim()) : undefined;
    const maxMs = (q.maxSeconds ?? 300) * 1000;
    // An admin's streams count against the same per-user cap as their backtest streams (429 before the
    // stream opens). The ingestion secret is the deployment's own credential and is not capped.
    const stream = await followIngestionEvents(c.get("services"), c.get("principal")?.user?.id, {
      lastEventId: fromHeader ?? q.lastEventId,
      runId: q.runId,
      untilComplete: q.untilComplete !== undefined && q.runId !== undefined,
      maxMs,
    });
    return new Response(stream, {
      status: 200,
      headers: {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-cache, no-transform",
        Connection: "keep-alive",
        "X-Accel-Buffering": "no",
      },
    });
  });
