import { startAppStack } from "@quantago/e2e-kit/stack";
import { createClickHouse, writeSyntheticBars } from "@quantago/market-data";
import type { TestProject } from "vitest/node";

/** One year of synthetic 1m bars, like `npm run dev` seeds (the explorer's "year of candles" case). */
export const E2E_SYMBOL = "SYNTH-USD";
const YEAR_OF_MINUTES = 365 * 24 * 60;

/** The trader app's stack (`@quantago/e2e-kit`), with a year of bars for the seeded symbol. */
export default async function setup(project: TestProject) {
  const stack = await startAppStack({
    app: "web",
    origin: "FRONTEND_ORIGIN",
    prepare: async (ready) => {
      const clickhouse = createClickHouse({
        url: ready.clickhouseUrl,
        username: ready.clickhouseUsername,
        password: ready.clickhousePassword,
        database: ready.clickhouseDb,
      });
      try {
        await writeSyntheticBars(clickhouse, {
          symbol: E2E_SYMBOL,
          assetClass: "crypto",
          seed: 1,
          fromMs: Date.UTC(2025, 0, 1),
          count: YEAR_OF_MINUTES,
          database: ready.clickhouseDb,
        });
      } finally {
        await clickhouse.close();
      }
    },
  });
  project.provide("webUrl", stack.appUrl);
  return stack.stop;
}

declare module "vitest" {
  export interface ProvidedContext {
    webUrl: string;
  }
}
