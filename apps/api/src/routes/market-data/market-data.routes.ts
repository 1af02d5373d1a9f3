import {
  columnsBinaryLayout,
  columnsQuerySchema,
  marketTimeframes,
  ticksQuerySchema,
} from "@quantago/contracts";
import { TIMEFRAME_MS } from "@quantago/market-data";
import { Hono } from "hono";
import {
  getColumns,
  getSymbols,
  getTicks,
  liveProviders,
  ticksBody,
} from "../../domain/market-data/market-data.ts";
import type { AppEnv } from "../../env.ts";
import { validate } from "../../lib/validate.ts";

/** Public market-data routes (docs/compatibility.md#market-data): candles, the stored catalog, the timeframes. */
export const marketDataRoutes = new Hono<AppEnv>()
  .get("/ticks", validate("query", ticksQuerySchema), async (c) => {
    const { clickhouse, config } = c.get("services");
    const body = await getTicks(
      {
        clickhouse,
        database: config.CLICKHOUSE_DB,
        providers: liveProviders(config.YAHOO_BASE_URL, config.BINANCE_BASE_URL),
        now: Date.now(),
      },
      c.req.valid("query"),
    );
    if (body.kind === "object") return c.json(body.body, 200);
    return c.body(ticksBody(body.envelope, body.ticks), 200, { "Content-Type": "application/json" });
  })
  .get("/columns", validate("query", columnsQuerySchema), async (c) => {
    const { clickhouse, config } = c.get("services");
    const { body, transfer } = await getColumns(
      { clickhouse, database: config.CLICKHOUSE_DB },
      c.req.valid("query"),
    );
    const logged = transfer.catch((error: unknown) => {
      // The status is sent by now; the client sees a body shorter than its Content-Length.
      console.error(
        JSON.stringify({
          msg: "columns transfer failed",
          requestId: c.get("requestId"),
          error: error instanceof Error ? error.message : String(error),
        }),
      );
    });
    try {
      c.executionCtx.waitUntil(logged);
    } catch {
      // No execution context (app.request() in a unit test): the stream's reader drives the transfer.
    }
    return c.body(body, 200, { "Content-Type": columnsBinaryLayout.contentType });
  })
  .get("/symbols", async (c) => {
    const { clickhouse, config } = c.get("services");
    return c.json(await getSymbols({ clickhouse, database: config.CLICKHOUSE_DB }), 200);
  })
  .get("/timeframes", (c) =>
    c.json({ timeframes: marketTimeframes.map((id) => ({ id, ms: TIMEFRAME_MS[id] })) }, 200),
  );
