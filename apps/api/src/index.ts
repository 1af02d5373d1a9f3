import { createApp } from "./app.ts";
import type { Env } from "./env.ts";

export { BacktestWorkflow } from "./workflows/backtest/workflow.ts";
export { ClickHouseSchemaWorkflow } from "./workflows/clickhouse-schema/workflow.ts";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
