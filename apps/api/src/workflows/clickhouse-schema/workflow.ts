import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";
import { applyClickHouseMigrations, createClickHouse } from "@quantago/market-data";
import { type Env, readConfig } from "../../env.ts";
import { clickHouseConnection } from "../../services.ts";

export interface ClickHouseSchemaResult {
  database: string;
  applied: number[];
}

/**
 * Applies the versioned ClickHouse DDL (packages/market-data) against `CLICKHOUSE_URL`. Run on deploy
 * and from the ingestion admin API; re-running it is a no-op, which is what makes the step retry-safe.
 */
export class ClickHouseSchemaWorkflow extends WorkflowEntrypoint<Env, Record<string, never>> {
  override async run(_event: WorkflowEvent<Record<string, never>>, step: WorkflowStep) {
    return step.do(
      "apply clickhouse migrations",
      { retries: { limit: 3, delay: "2 seconds", backoff: "exponential" }, timeout: "2 minutes" },
      async (): Promise<ClickHouseSchemaResult> => {
        const config = readConfig(this.env);
        // Connected to `default`: the market-data database may not exist yet.
        const client = createClickHouse({ ...clickHouseConnection(config), database: "default" });
        try {
          const applied = await applyClickHouseMigrations(client, config.CLICKHOUSE_DB);
          return { database: config.CLICKHOUSE_DB, applied };
        } finally {
          await client.close();
        }
      },
    );
  }
}
