/**
 * The dev stack's demo market data: two synthetic symbols with one year of 1m bars each, clearly marked
 * `source: "synthetic"` in the catalog, so a fresh `npm run dev` has data to explore and backtest.
 * Idempotent: a symbol that already holds its full year is left alone.
 */
import { countStoredBars, createClickHouse, writeSyntheticBars } from "@quantago/market-data";

export const DEMO_SERIES = [
  { symbol: "SYNTH-USD", assetClass: "crypto", seed: 1 },
  { symbol: "SYNTH", assetClass: "stock", seed: 2 },
] as const;

const YEAR_OF_MINUTES = 365 * 24 * 60;
const FROM_MS = Date.UTC(2025, 0, 1);

export async function seedDemoMarketData(connection: {
  clickhouseUrl: string;
  clickhouseUsername: string;
  clickhousePassword: string;
  clickhouseDb: string;
}): Promise<string[]> {
  const client = createClickHouse({
    url: connection.clickhouseUrl,
    username: connection.clickhouseUsername,
    password: connection.clickhousePassword,
    database: connection.clickhouseDb,
  });
  const written: string[] = [];
  try {
    for (const series of DEMO_SERIES) {
      if ((await countStoredBars(client, series.symbol, connection.clickhouseDb)) === YEAR_OF_MINUTES)
        continue;
      await writeSyntheticBars(client, {
        ...series,
        fromMs: FROM_MS,
        count: YEAR_OF_MINUTES,
        database: connection.clickhouseDb,
      });
      written.push(series.symbol);
    }
  } finally {
    await client.close();
  }
  return written;
}
