import { env } from "cloudflare:workers";
import { countBarsInRange } from "@quantago/market-data";
import { describe, expect, it } from "vitest";
import { api, expectError, testClickHouse } from "./helpers.ts";
import { admin, runRecord, uniqueSymbol } from "./ingestion-helpers.ts";

const T0 = Date.UTC(2023, 0, 2);

async function storedBars(symbol: string): Promise<number> {
  const ch = testClickHouse();
  try {
    // The whole range a bar may be stored in, and then some: an unstorable time must not be there.
    return await countBarsInRange(ch, {
      symbol,
      timeframe: "1m",
      fromMs: -62_200_000_000_000,
      toMs: 9_100_000_000_000_000,
      database: env.CLICKHOUSE_DB,
    });
  } finally {
    await ch.close();
  }
}

describe("a CSV upload with unstorable times and NUL bytes", () => {
  it("answers with the rejected rows, ends its run failed, writes nothing; the symbols list still answers", async () => {
    const symbol = uniqueSymbol("CSVX");
    const body = [
      "timestamp,open,high,low,close,volume",
      `${T0},1,2,1,1.5,10`,
      "9000000000000000,1,2,1,1.5,10",
      "0000-01-01T00:00:00Z,1,2,1,1.5,10",
      `${T0 + 60_000},1\u0000,2,1,1.5,10`,
      `${T0 + 120_000},1,2,1,1.5,10`,
    ].join("\n");
    const res = await admin(`/upload?symbol=${symbol}&timeframe=1m&assetClass=crypto`, {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body,
    });
    const err = await expectError(res, 400, "VALIDATION_FAILED");
    expect(err.error.message).toMatch(/^3 of 5 rows rejected; .* Nothing was written \(run ing_/);
    expect(err.error.issues?.map((i) => i.path[1])).toEqual([3, 4, 5]);

    const runId = /run (ing_[0-9A-Za-z]+)/.exec(err.error.message)?.[1] as string;
    const { run } = await runRecord(runId);
    expect(run?.status).toBe("failed");
    expect(run?.rowsWritten).toBe(0);
    expect(await storedBars(symbol)).toBe(0);

    const symbols = await api("/api/market-data/symbols");
    expect(symbols.status, await symbols.clone().text()).toBe(200);
  });
});
