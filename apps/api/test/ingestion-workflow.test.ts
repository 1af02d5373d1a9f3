import { introspectWorkflow } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { countBarsInRange } from "@quantago/market-data";
import { describe, expect, it } from "vitest";
import { startWorkflowRun } from "../src/domain/ingestion/workflow-runs.ts";
import { testClickHouse, testDb } from "./helpers.ts";
import { registerSymbols, uniqueSymbol, waitForRun } from "./ingestion-helpers.ts";

const DAY = 86_400_000;
const FROM = Date.UTC(2024, 2, 1);
const TO = FROM + 2 * DAY; // 2,880 one-minute bars

async function count(symbol: string, fromMs = FROM, toMs = TO) {
  const ch = testClickHouse();
  try {
    return await countBarsInRange(ch, { symbol, timeframe: "1m", fromMs, toMs, database: env.CLICKHOUSE_DB });
  } finally {
    await ch.close();
  }
}

async function start(input: Omit<Parameters<typeof startWorkflowRun>[1], "requestedBy" | "timeframe">) {
  const { db, close } = testDb();
  try {
    return await startWorkflowRun(
      { db, workflow: env.INGESTION_WORKFLOW },
      { timeframe: "1m", requestedBy: "test", ...input },
    );
  } finally {
    await close();
  }
}

describe("Workflows: IngestionWorkflow", () => {
  it("a bulk run over several symbols completes and the rows are in ClickHouse", async () => {
    const symbols = [uniqueSymbol("BA"), uniqueSymbol("BB"), uniqueSymbol("BC")];
    await registerSymbols([
      ...symbols.map((symbol) => ({ symbol, source: "synthetic", availableFrom: "2024-01-01" })),
    ]);
    const run = await start({
      kind: "bulk",
      symbols,
      fromMs: FROM,
      toMs: TO,
      options: { chunkBars: 1_000, concurrency: 2 },
    });
    expect(run.workflowId).toBe(run.id);
    const done = await waitForRun(run.id);
    expect(done.run?.status).toBe("completed");
    expect(done.run?.rowsWritten).toBe(3 * 2_880);
    expect(done.symbols.map((s) => [s.status, s.rowsWritten])).toEqual(
      symbols.map(() => ["completed", 2_880]),
    );
    for (const symbol of symbols) expect(await count(symbol)).toBe(2_880);

    const types = done.events.map((e) => e.type);
    expect(types[0]).toBe("run.started");
    expect(types.at(-1)).toBe("run.completed");
    expect(types.filter((t) => t === "symbol.started")).toHaveLength(3);
    expect(types.filter((t) => t === "symbol.progress")).toHaveLength(9); // 3 chunks each
    expect(types.filter((t) => t === "symbol.completed")).toHaveLength(3);
    const progress = done.events.filter((e) => e.type === "symbol.progress" && e.symbol === symbols[0]);
    expect(progress.map((e) => e.payload.rows)).toEqual([1_000, 2_000, 2_880]);

    // The workflow's own output agrees with the run record.
    const output = (await (await env.INGESTION_WORKFLOW.get(run.id)).status()).output as { status: string };
    expect(output.status).toBe("completed");
  });

  it("a chunk that fails twice after writing, then succeeds, leaves exactly one copy", async () => {
    const symbol = uniqueSymbol("RT");
    await registerSymbols([{ symbol, source: "synthetic", availableFrom: "2024-01-01" }]);
    await using introspector = await introspectWorkflow(env.INGESTION_WORKFLOW);
    await introspector.modifyAll(async (m) => {
      await m.disableRetryDelays();
    });
    const run = await start({
      kind: "backfill",
      symbols: [symbol],
      fromMs: FROM,
      toMs: TO,
      options: { chunkBars: 1_000 },
      faults: { failAfterWrite: { [symbol]: 2 } },
    });
    const done = await waitForRun(run.id);
    expect(done.run?.status).toBe("completed");
    expect(done.symbols[0]?.attempts).toBe(3);
    expect(done.symbols[0]?.rowsWritten).toBe(2_880);
    expect(await count(symbol)).toBe(2_880);
    // One progress event per chunk although each chunk ran three times.
    expect(done.events.filter((e) => e.type === "symbol.progress")).toHaveLength(3);

    // Physically one copy once parts merge: the retried INSERTs wrote identical rows.
    const ch = testClickHouse();
    try {
      await ch.command({ query: `OPTIMIZE TABLE ${env.CLICKHOUSE_DB}.ohlcv FINAL` });
      const rows = await (
        await ch.query({
          query: `SELECT count() AS n, uniqExact(time) AS u FROM ${env.CLICKHOUSE_DB}.ohlcv WHERE symbol = {symbol:String}`,
          query_params: { symbol },
          format: "JSONEachRow",
        })
      ).json<{ n: string | number; u: string | number }>();
      expect(Number(rows[0]?.n)).toBe(2_880);
      expect(Number(rows[0]?.u)).toBe(2_880);
    } finally {
      await ch.close();
    }
  });

  it("a symbol that keeps failing is marked failed while the others complete", async () => {
    const good = uniqueSymbol("OK");
    await registerSymbols([
      { symbol: good, source: "synthetic", availableFrom: "2024-01-01" },
      // The recorded Binance server answers 500 for ETHUSDT, every time.
      { symbol: "ETH-USD", source: "binance" },
    ]);
    await using introspector = await introspectWorkflow(env.INGESTION_WORKFLOW);
    await introspector.modifyAll(async (m) => {
      await m.disableRetryDelays();
    });
    const run = await start({
      kind: "bulk",
      symbols: ["ETH-USD", good],
      fromMs: FROM,
      toMs: FROM + 60 * 60_000,
      options: { delayMs: 0, concurrency: 1 },
    });
    const done = await waitForRun(run.id);
    expect(done.run?.status).toBe("partial");
    const eth = done.symbols.find((s) => s.symbol === "ETH-USD");
    expect(eth?.status).toBe("failed");
    expect(eth?.attempts).toBe(0); // no attempt got past the provider
    expect(eth?.error).toBe("binance failed to answer");
    expect(done.run?.error).toContain("ETH-USD (binance failed to answer)");
    expect(done.symbols.find((s) => s.symbol === good)?.status).toBe("completed");
    expect(await count(good, FROM, FROM + 60 * 60_000)).toBe(60);
    const failed = done.events.filter((e) => e.type === "symbol.failed");
    expect(failed.map((e) => [e.symbol, e.payload.error])).toEqual([["ETH-USD", "binance failed to answer"]]);
    expect(done.events.at(-1)?.payload).toMatchObject({ status: "partial", failed: ["ETH-USD"] });
  });

  it("re-running a finished range adds zero rows; an incremental run resumes after the last bar", async () => {
    const symbol = uniqueSymbol("RR");
    await registerSymbols([{ symbol, source: "synthetic", availableFrom: "2024-01-01" }]);
    const first = await waitForRun(
      (await start({ kind: "backfill", symbols: [symbol], fromMs: FROM, toMs: TO })).id,
    );
    expect(first.run?.status).toBe("completed");
    expect(await count(symbol, 0, Date.now())).toBe(2_880);
    const again = await waitForRun(
      (await start({ kind: "backfill", symbols: [symbol], fromMs: FROM, toMs: TO })).id,
    );
    expect(again.run?.status).toBe("completed");
    expect(await count(symbol, 0, Date.now())).toBe(2_880);

    // Incremental: from the bar after the last stored one up to now (synthetic covers any range).
    const inc = await waitForRun((await start({ kind: "incremental", symbols: [symbol] })).id);
    expect(inc.run?.status).toBe("completed");
    expect(inc.run?.rangeStart?.getTime()).toBe(TO);
    const now = Math.floor(Date.now() / 60_000) * 60_000;
    const total = await count(symbol, 0, now + 60_000);
    expect(total).toBeGreaterThanOrEqual((now - FROM) / 60_000 - 2);
    expect(total).toBeLessThanOrEqual((now - FROM) / 60_000 + 1);
  }, 180_000);
});
