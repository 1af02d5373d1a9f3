import { introspectWorkflowInstance } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { clickHouseMigrations } from "@quantago/market-data";
import { describe, expect, it } from "vitest";
import { testClickHouse } from "./helpers.ts";

describe("Workflows: ClickHouseSchemaWorkflow", () => {
  it("runs to completion and leaves every migration recorded", async () => {
    const id = `schema-${crypto.randomUUID()}`;
    await using instance = await introspectWorkflowInstance(env.CLICKHOUSE_SCHEMA_WORKFLOW, id);
    await env.CLICKHOUSE_SCHEMA_WORKFLOW.create({ id, params: {} });
    await expect(instance.waitForStatus("complete")).resolves.not.toThrow();

    const output = (await (await env.CLICKHOUSE_SCHEMA_WORKFLOW.get(id)).status()).output as {
      database: string;
      applied: number[];
    };
    expect(output.database).toBe(env.CLICKHOUSE_DB);
    // The global setup already migrated, so a correct run applies nothing more.
    expect(output.applied).toEqual([]);

    const ch = testClickHouse();
    try {
      const rows = await (
        await ch.query({
          query: "SELECT version FROM schema_migrations ORDER BY version",
          format: "JSONEachRow",
        })
      ).json<{ version: number }>();
      expect(rows.map((r) => Number(r.version))).toEqual(clickHouseMigrations.map((m) => m.version));
    } finally {
      await ch.close();
    }
  });
});
