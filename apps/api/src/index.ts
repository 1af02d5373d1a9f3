import { createApp } from "./app.ts";
import type { Env } from "./env.ts";
import { runScheduled } from "./scheduled.ts";

export { BacktestWorkflow } from "./workflows/backtest/workflow.ts";
export { ClickHouseSchemaWorkflow } from "./workflows/clickhouse-schema/workflow.ts";
export { IngestionWorkflow } from "./workflows/ingestion/workflow.ts";
export { ResearchWorkflow } from "./workflows/research/workflow.ts";

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduled(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
