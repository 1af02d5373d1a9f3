import { env } from "cloudflare:workers";
import {
  type BacktestRecord,
  backtestEquityResponseSchema,
  backtestListResponseSchema,
  backtestRecordSchema,
  backtestTradesResponseSchema,
} from "@quantago/contracts";
import { backtest, backtestTrade } from "@quantago/db";
import { EXIT_REASONS, runBacktest, TRADE_BLOB_BYTES_PER_TRADE } from "@quantago/engine";
import {
  generateSmaxBars,
  SMAX_EXECUTION_CONFIG,
  SMAX_REFERENCE,
  SMAX_START_MS,
  SMAX_STRATEGY_PARAMETERS,
} from "@quantago/engine/fixtures/smax";
import { insertBars, readBarsColumnar, writeSyntheticBars } from "@quantago/market-data";
import { smaCrossover } from "@quantago/strategies";
import { hostileColumnarModule } from "@quantago/wasm-sdk/testing";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { equityKey } from "../src/domain/backtests/equity.ts";
import { faultMarkerKey } from "../src/domain/backtests/execute.ts";
import { tradesKey } from "../src/domain/backtests/trades.ts";
import { hashBars } from "../src/domain/market-data/bars.ts";
import { as, json, newUser, type TestUser } from "./auth-helpers.ts";
import { defined, expectError, testClickHouse, testDb } from "./helpers.ts";

const SYMBOL = `BT-${Date.now().toString(36).toUpperCase()}-USD`;
const FROM = Date.UTC(2025, 0, 6);
const DAYS = 3;
const START = "2025-01-06";
const END = "2025-01-09";
/** The cross-runtime comparison: 15m bars (288), short windows so there are several trades. */
const CROSS = { timeframe: "15m", fast: 5, slow: 20 } as const;
/**
 * SMAX-1m execution settings (docs/smax-reference.md): the API's parameter names are the engine's
 * config names, so the fixture's config is sent as it is (its balance goes in `initial_balance`).
 */
const { initialBalance: SMAX_BALANCE, ...SMAX_PARAMETERS } = SMAX_EXECUTION_CONFIG;

function submit(who: TestUser, backtest: Record<string, unknown>) {
  return as(
    who,
    "/api/backtests",
    json({
      backtest: {
        symbol: SYMBOL,
        exchange: "crypto",
        start_date: START,
        end_date: END,
        initial_balance: SMAX_BALANCE,
        ...backtest,
      },
    }),
  );
}

async function accepted(res: Response): Promise<BacktestRecord> {
  expect(res.status, await res.clone().text()).toBe(202);
  const record = backtestRecordSchema.parse(await res.json());
  expect(record.status).toBe("pending");
  return record;
}

/** Polls until the backtest reaches a terminal status, collecting the statuses seen on the way. */
async function settle(
  who: TestUser,
  id: string,
  timeoutMs = 45_000,
): Promise<BacktestRecord & { seen: string[] }> {
  const seen: string[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const record = backtestRecordSchema.parse(await (await as(who, `/api/backtests/${id}`)).json());
    if (seen.at(-1) !== record.status) seen.push(record.status);
    if (["completed", "failed", "cancelled"].includes(record.status)) return { ...record, seen };
    if (Date.now() > deadline) throw new Error(`backtest ${id} still ${record.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function allTrades(who: TestUser, id: string) {
  const res = await as(who, `/api/backtests/${id}/trades?limit=1000`);
  expect(res.status).toBe(200);
  const total = Number(res.headers.get("X-Total-Count"));
  return { trades: backtestTradesResponseSchema.parse(await res.json()), total };
}

/** The decisions of a run, as (side, entry time, exit time, reason) — equal across runtimes. */
async function tradeKeys(who: TestUser, id: string) {
  return (await allTrades(who, id)).trades.map((t) => `${t.type} ${t.entry_time} ${t.exit_time} ${t.reason}`);
}

const base64 = (file: string) => inject("wasmModulesBase64")[file] as string;

async function registerWasm(who: TestUser, slug: string, file: string, abi: "columnar" | "json") {
  await registerModule(who, slug, base64(file), abi);
}

async function registerModule(
  who: TestUser,
  slug: string,
  module: string | Uint8Array,
  abi: "columnar" | "json",
) {
  const content = typeof module === "string" ? module : btoa(String.fromCharCode(...module));
  const res = await as(
    who,
    "/api/strategies",
    json({
      strategy: {
        slug,
        name: `SMA crossover (${abi})`,
        description: "SMA crossover from packages/wasm-sdk.",
        runtime_type: "wasm",
        language: "assemblyscript",
        default_frequency: "scalping",
        min_candles: CROSS.slow + 1,
        lookback_candles: CROSS.slow + 1,
        default_config: { takeProfitLevel: null, stopLossLevel: null },
        parameter_schema: { type: "object", properties: {} },
        initial_version: {
          version: "1.0.0",
          runtime_config: { type: "wasm", language: "assemblyscript", abi },
          artifact: { file_name: `${slug}.wasm`, content_base64: content, content_type: "application/wasm" },
        },
      },
    }),
  );
  expect(res.status, await res.clone().text()).toBe(201);
}

describe("backtests", () => {
  let trader: TestUser;
  let stranger: TestUser;
  const remote = () => inject("remoteStrategyUrl");
  const adhoc = (path: string, extra: Record<string, unknown> = {}) => ({
    strategyRuntime: { type: "remote", language: "python", endpoint: `${remote()}${path}`, timeoutMs: 2_000 },
    strategyMinCandles: CROSS.slow + 1,
    strategyLookbackCandles: CROSS.slow + 1,
    ...extra,
  });

  beforeAll(async () => {
    const ch = testClickHouse();
    try {
      await writeSyntheticBars(ch, {
        symbol: SYMBOL,
        assetClass: "crypto",
        fromMs: FROM,
        count: DAYS * 1440,
        seed: 42,
        database: env.CLICKHOUSE_DB,
      });
    } finally {
      await ch.close();
    }
    [trader, stranger] = await Promise.all([newUser({ name: "Trader" }), newUser({ name: "Stranger" })]);
  });

  it("runs the built-in SMA crossover with the SMAX-1m settings and matches the engine run locally", async () => {
    const record = await accepted(
      await submit(trader, {
        strategy: "sma-crossover",
        parameters: { timeframe: "1m", ...SMAX_STRATEGY_PARAMETERS, ...SMAX_PARAMETERS },
      }),
    );
    const done = await settle(trader, record.id);
    expect(done.status, done.error_message ?? "").toBe("completed");
    expect(done.seen.at(-1)).toBe("completed");
    expect(done).toMatchObject({
      strategy_source: "builtin",
      strategy_runtime: "native",
      bars_total: DAYS * 1440,
    });
    expect(done.bars_done).toBe(DAYS * 1440);
    expect(done.bars_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(done.execution_config).toMatchObject(SMAX_EXECUTION_CONFIG);

    // The same bars through the engine here, with the same settings.
    const ch = testClickHouse();
    let expected: ReturnType<typeof runBacktest>;
    try {
      const bars = await readBarsColumnar(ch, {
        symbol: SYMBOL,
        timeframe: "1m",
        from: START,
        to: END,
        database: env.CLICKHOUSE_DB,
      });
      expected = runBacktest(bars, smaCrossover.create(SMAX_STRATEGY_PARAMETERS), {
        ...SMAX_EXECUTION_CONFIG,
        exchange: "crypto",
        timeframe: "1m",
      });
    } finally {
      await ch.close();
    }
    expect(expected.trades.length).toBeGreaterThan(10);
    expect(done.trade_count).toBe(expected.trades.length);
    expect(done.final_equity).toBe(expected.metrics.finalEquity);
    expect(done.metrics).toMatchObject({
      sharpe: expected.metrics.sharpe,
      maxDrawdown: expected.metrics.maxDrawdown,
    });
    expect(done.metrics?.openPosition === null).toBe(expected.openPosition === null);

    const { trades, total } = await allTrades(trader, record.id);
    expect(total).toBe(expected.trades.length);
    trades.forEach((t, k) => {
      const e = expected.trades[k];
      expect(t).toMatchObject({
        seq: k,
        type: e?.side === "long" ? "BUY" : "SELL",
        size: e?.size,
        entry_price: e?.entryPrice,
        entry_time: new Date(e?.entryTime ?? 0).toISOString(),
        exit_price: e?.exitPrice,
        exit_time: new Date(e?.exitTime ?? 0).toISOString(),
        profit: e?.pnl,
        fees: e?.fees,
        reason: EXIT_REASONS.includes(e?.reason ?? "signal") ? e?.reason : "?",
      });
    });

    // Paging of trades, the equity curve (extremes kept), the list, and owner-only access.
    const page = backtestTradesResponseSchema.parse(
      await (await as(trader, `/api/backtests/${record.id}/trades?limit=5&offset=5`)).json(),
    );
    expect(page.map((t) => t.seq)).toEqual([5, 6, 7, 8, 9]);
    // Sorted by profit, worst last, ties in entry order; the next page continues the same order.
    const byProfit = [...trades].sort((a, b) => b.profit - a.profit || a.seq - b.seq).map((t) => t.seq);
    const sorted = await as(trader, `/api/backtests/${record.id}/trades?sort=profit&order=desc&limit=3`);
    expect(backtestTradesResponseSchema.parse(await sorted.json()).map((t) => t.seq)).toEqual(
      byProfit.slice(0, 3),
    );
    expect(sorted.headers.get("link")).toContain("sort=profit");
    const sortedNext = backtestTradesResponseSchema.parse(
      await (
        await as(trader, `/api/backtests/${record.id}/trades?sort=profit&order=desc&limit=3&offset=3`)
      ).json(),
    );
    expect(sortedNext.map((t) => t.seq)).toEqual(byProfit.slice(3, 6));
    await expectError(
      await as(trader, `/api/backtests/${record.id}/trades?sort=notes`),
      400,
      "VALIDATION_FAILED",
    );
    // The trades are one blob beside the equity curve, not table rows.
    expect((await env.BACKTEST_RESULTS.head(tradesKey(record.id)))?.size).toBe(
      16 + TRADE_BLOB_BYTES_PER_TRADE * expected.trades.length,
    );
    const curve = backtestEquityResponseSchema.parse(
      await (await as(trader, `/api/backtests/${record.id}/equity?points=200`)).json(),
    );
    expect(curve.total).toBe(DAYS * 1440);
    expect(curve.points.length).toBeLessThanOrEqual(200);
    expect(curve.points.at(-1)?.equity).toBe(expected.metrics.finalEquity);
    expect(Math.min(...curve.points.map((p) => p.equity))).toBe(Math.min(...expected.equity));
    expect(Math.max(...curve.points.map((p) => p.equity))).toBe(Math.max(...expected.equity));
    const list = backtestListResponseSchema.parse(
      await (await as(trader, `/api/backtests?status=completed&symbol=${SYMBOL}`)).json(),
    );
    expect(list.map((b) => b.id)).toContain(record.id);
    for (const path of ["", "/trades", "/equity", "/events"]) {
      await expectError(await as(stranger, `/api/backtests/${record.id}${path}`), 404, "NOT_FOUND");
    }
    await expectError(
      await as(stranger, `/api/backtests/${record.id}/cancel`, { method: "POST" }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await as(stranger, `/api/backtests/${record.id}`, { method: "DELETE" }),
      404,
      "NOT_FOUND",
    );
    const strangerList = backtestListResponseSchema.parse(
      await (await as(stranger, "/api/backtests")).json(),
    );
    expect(strangerList.map((b) => b.id)).not.toContain(record.id);

    // A rerun on unchanged data reproduces every trade and metric exactly.
    const rerun = await accepted(await as(trader, `/api/backtests/${record.id}/rerun`, { method: "POST" }));
    expect(rerun.rerun_of).toBe(record.id);
    const again = await settle(trader, rerun.id);
    expect(again.status).toBe("completed");
    expect(again.bars_hash).toBe(done.bars_hash);
    expect(again.metrics).toEqual(done.metrics);
    // Every trade field but the ids, which name the backtest.
    const withoutIds = (list: typeof trades) => list.map(({ id: _id, backtest_id: _bt, ...t }) => t);
    expect(withoutIds((await allTrades(trader, rerun.id)).trades)).toEqual(withoutIds(trades));
    // The rerun wrote its equity into the array the first run handed back once stored (the native
    // runtime's pool): the stored curves are the same.
    const againCurve = backtestEquityResponseSchema.parse(
      await (await as(trader, `/api/backtests/${rerun.id}/equity?points=200`)).json(),
    );
    expect(againCurve.points).toEqual(curve.points);
  });

  it("reads the bars again once they changed: a rerun never runs on cached old bars", async () => {
    const n = 3 * 1440;
    const bars = generateSmaxBars(n);
    const symbol = `BC-${Date.now().toString(36).toUpperCase()}`;
    const connection = {
      url: defined(env.CLICKHOUSE_URL, "CLICKHOUSE_URL"),
      username: env.CLICKHOUSE_USERNAME,
      password: env.CLICKHOUSE_PASSWORD,
      database: env.CLICKHOUSE_DB,
    };
    const meta = { symbol, assetClass: "crypto", timeframe: "1m" as const, source: "csv" };
    await insertBars(connection, { ...meta, ingestVersion: 1 }, bars);
    const range = {
      symbol,
      start_date: new Date(SMAX_START_MS).toISOString(),
      end_date: new Date(SMAX_START_MS + n * 60_000).toISOString(),
    };
    const first = await settle(
      trader,
      (
        await accepted(
          await submit(trader, {
            ...range,
            strategy: "sma-crossover",
            parameters: { timeframe: "1h", fast: 3, slow: 8 },
          }),
        )
      ).id,
    );
    const rerun = async (id: string) =>
      settle(trader, (await accepted(await as(trader, `/api/backtests/${id}/rerun`, { method: "POST" }))).id);
    const same = await rerun(first.id);
    expect(same.bars_hash).toBe(first.bars_hash);
    expect(same.metrics).toEqual(first.metrics);
    // One bar re-ingested with another close: the next run must see it.
    const k = 2000;
    const pick = (column: Float64Array, value = column[k] as number) => [value];
    await insertBars(
      connection,
      { ...meta, ingestVersion: 2 },
      {
        time: pick(bars.time),
        open: pick(bars.open),
        high: pick(bars.high, (bars.high[k] as number) * 1.5),
        low: pick(bars.low),
        close: pick(bars.close, (bars.high[k] as number) * 1.5),
        volume: pick(bars.volume),
      },
    );
    const changed = await rerun(first.id);
    expect(changed.status).toBe("completed");
    expect(changed.bars_hash).not.toBe(first.bars_hash);
    const ch = testClickHouse();
    try {
      const fresh = await readBarsColumnar(ch, {
        symbol,
        timeframe: "1h",
        from: range.start_date,
        to: range.end_date,
        database: env.CLICKHOUSE_DB,
      });
      expect(changed.bars_hash).toBe(await hashBars(fresh));
    } finally {
      await ch.close();
    }
  });

  it("reproduces the published SMAX-1m reference (N = 100,000) through POST /api/backtests", async () => {
    // The exact SMAX bars, stored like any ingested series, then the documented parameters.
    const n = 100_000;
    const bars = generateSmaxBars(n);
    const symbol = `SMAX-${Date.now().toString(36).toUpperCase()}`;
    await insertBars(
      {
        url: defined(env.CLICKHOUSE_URL, "CLICKHOUSE_URL"),
        username: env.CLICKHOUSE_USERNAME,
        password: env.CLICKHOUSE_PASSWORD,
        database: env.CLICKHOUSE_DB,
      },
      { symbol, assetClass: "crypto", timeframe: "1m", source: "csv", ingestVersion: 1 },
      bars,
    );
    const record = await accepted(
      await submit(trader, {
        symbol,
        strategy: "sma-crossover",
        start_date: new Date(SMAX_START_MS).toISOString(),
        end_date: new Date(SMAX_START_MS + n * 60_000).toISOString(),
        parameters: { timeframe: "1m", ...SMAX_STRATEGY_PARAMETERS, ...SMAX_PARAMETERS },
      }),
    );
    const done = await settle(trader, record.id);
    expect(done.status, done.error_message ?? "").toBe("completed");
    const reference = SMAX_REFERENCE[n];
    expect(done.trade_count).toBe(reference.trades);
    expect(Math.abs((done.final_equity ?? 0) - reference.equity) / reference.equity).toBeLessThan(1e-14);
    const { trades } = await allTrades(trader, record.id);
    const page2 = backtestTradesResponseSchema.parse(
      await (await as(trader, `/api/backtests/${record.id}/trades?limit=1000&offset=1000`)).json(),
    );
    const lines = [...trades, ...page2]
      .map(
        (t) =>
          `${t.entry_time.slice(0, 19).replace("T", " ")},${t.exit_time.slice(0, 19).replace("T", " ")}\n`,
      )
      .join("");
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(lines)));
    expect(Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")).toBe(reference.digest);
  });

  it("gives the same decisions from native, WASM columnar, WASM JSON ABI and a remote server", async () => {
    const tag = Date.now().toString(36);
    await registerWasm(trader, `bt-columnar-${tag}`, "sma-crossover.wasm", "columnar");
    await registerWasm(trader, `bt-json-${tag}`, "json-sma-crossover.wasm", "json");
    // The exit settings are explicit: an ad-hoc remote strategy's defaults (1 % / 0.5 %, daily) are
    // not a built-in's, and the four runs must run the same rules.
    const parameters = {
      timeframe: CROSS.timeframe,
      fast: CROSS.fast,
      slow: CROSS.slow,
      entryFrequency: "scalping",
      takeProfitLevel: 1,
      stopLossLevel: 0.5,
    };
    const submitted = await Promise.all([
      submit(trader, { strategy: "sma-crossover", parameters }).then(accepted),
      submit(trader, { strategy: `bt-columnar-${tag}`, parameters }).then(accepted),
      submit(trader, { strategy: `bt-json-${tag}`, parameters }).then(accepted),
      submit(trader, { strategy: "remote-sma", parameters: { ...parameters, ...adhoc("/signal") } }).then(
        accepted,
      ),
    ]);
    const settled = await Promise.all(submitted.map((r) => settle(trader, r.id)));
    for (const r of settled) expect(r.status, `${r.strategy}: ${r.error_message}`).toBe("completed");
    expect(settled.map((r) => r.strategy_runtime)).toEqual(["native", "wasm", "wasm", "remote"]);
    expect(settled[1]?.artifact_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(settled[3]?.strategy_source).toBe("adhoc");

    const keys = await Promise.all(settled.map((r) => tradeKeys(trader, r.id)));
    expect(keys[0]?.length).toBeGreaterThan(2);
    expect(keys[1]).toEqual(keys[0]);
    expect(keys[2]).toEqual(keys[0]);
    expect(keys[3]).toEqual(keys[0]);
    const finals = settled.map((r) => r.final_equity);
    expect(new Set(finals).size).toBe(1);
    // Every metric too, including the position left open at the end (the sandbox reports it as well).
    for (const r of settled.slice(1)) expect(r.metrics, r.strategy_runtime).toEqual(settled[0]?.metrics);
    // The remote strategy's reason and metadata travel with its trades.
    const remoteTrades = await allTrades(trader, settled[3]?.id ?? "");
    expect(remoteTrades.trades[0]?.metadata).toMatchObject({ entryReason: expect.stringMatching(/crossed/) });
  });

  it("stores the reason and metadata a published-ABI WASM module answers with on its trades", async () => {
    const slug = `bt-notes-${Date.now().toString(36)}`;
    await registerWasm(trader, slug, "json-notes.wasm", "json");
    // Long only: the module's SELL closes its long (by default a SELL would reverse into a short).
    const record = await accepted(
      await submit(trader, { strategy: slug, parameters: { timeframe: "15m", direction: "long_only" } }),
    );
    const done = await settle(trader, record.id);
    expect(done.status, done.error_message ?? "").toBe("completed");
    const { trades } = await allTrades(trader, record.id);
    expect(trades.length).toBeGreaterThan(3);
    for (const trade of trades.slice(0, -1)) {
      expect(trade.metadata).toEqual({
        entryReason: "scheduled entry",
        entryMetadata: { call: expect.any(Number) },
        exitReason: "scheduled exit",
        exitMetadata: null,
      });
      // The same, as the published `signals` of the trade.
      expect(trade.signals).toEqual({
        entry: { action: "BUY", reason: "scheduled entry", metadata: { call: expect.any(Number) } },
        exit: { action: "SELL", trigger: "signal", reason: "scheduled exit", metadata: null },
      });
    }
  });

  it("fails a backtest whose strategy misbehaves, with a reason a person understands", async () => {
    const parameters = { timeframe: CROSS.timeframe };
    const cases = [
      ["/garbage", /Invalid strategy output at candle 0: .*MAYBE/],
      ["/error", /answered HTTP 500 at candle 0/],
      ["/redirect", /HTTP 302 .*redirects are not followed/],
    ] as const;
    for (const [path, reason] of cases) {
      const record = await accepted(
        await submit(trader, {
          strategy: `remote${path.replace("/", "-")}`,
          parameters: { ...parameters, ...adhoc(path) },
        }),
      );
      const done = await settle(trader, record.id);
      expect(done.status).toBe("failed");
      expect(done.error_message).toMatch(reason);
      expect(done.trade_count).toBeNull();
    }
  });

  it("resumes a remote run from its checkpoint when the step dies mid-run: no answer asked for twice", async () => {
    const parameters = (tag: string) => ({
      timeframe: CROSS.timeframe,
      fast: CROSS.fast,
      slow: CROSS.slow,
      ...adhoc(`/signal?tag=${tag}`),
    });
    const calls = async (tag: string) =>
      ((await (await fetch(`${remote()}/calls?tag=${tag}`)).json()) as { calls: number }).calls;
    const tag = Date.now().toString(36);

    const clean = await settle(
      trader,
      (
        await accepted(
          await submit(trader, { strategy: "remote-clean", parameters: parameters(`clean-${tag}`) }),
        )
      ).id,
    );
    expect(clean.status).toBe("completed");
    const cleanCalls = await calls(`clean-${tag}`);

    // The same backtest, stored directly and started with a fault the API cannot set: the first
    // attempt dies after its second checkpoint (100 answers), the retry resumes from it.
    const id = `bkt_resume${tag}`;
    const { db, close } = testDb();
    try {
      const [row] = await db.select().from(backtest).where(eq(backtest.id, clean.id));
      await db.insert(backtest).values({
        ...defined(row, "the clean run"),
        id,
        status: "pending",
        parameters: parameters(`resume-${tag}`),
        barsHash: null,
        metrics: null,
        finalEquity: null,
        tradeCount: null,
        equityKey: null,
      });
    } finally {
      await close();
    }
    await env.BACKTEST_WORKFLOW.create({
      id,
      params: { backtestId: id, faults: { crashAfterCheckpointSaves: 2, checkpointEveryCalls: 50 } },
    });
    const resumed = await settle(trader, id);
    expect(resumed.status, resumed.error_message ?? "").toBe("completed");
    expect(await env.BACKTEST_RESULTS.head(faultMarkerKey(id)), "the injected crash fired").not.toBeNull();
    expect(await tradeKeys(trader, id)).toEqual(await tradeKeys(trader, clean.id));
    expect(resumed.final_equity).toBe(clean.final_equity);
    // Preflight and every candle once, exactly as the uninterrupted run: nothing was asked again.
    expect(await calls(`resume-${tag}`)).toBe(cleanCalls);
    expect((await env.BACKTEST_RESULTS.list({ prefix: `backtests/${id}/checkpoint/` })).objects).toEqual([]);
  });

  it("fails a backtest whose WASM module traps, loops forever or returns garbage, and runs the next one", async () => {
    const tag = Date.now().toString(36);
    const cases = [
      ["trap", /trapped|unreachable/i],
      ["loop", /exceeded its CPU budget/],
      ["bad-action", /action code 7/],
    ] as const;
    for (const [behaviour, reason] of cases) {
      const slug = `hostile-${behaviour}-${tag}`;
      await registerModule(trader, slug, hostileColumnarModule(behaviour), "columnar");
      const record = await accepted(
        await submit(trader, { strategy: slug, parameters: { timeframe: "15m" } }),
      );
      const done = await settle(trader, record.id);
      expect(done.status, behaviour).toBe("failed");
      expect(done.error_message, behaviour).toMatch(reason);
    }
    const after = await accepted(
      await submit(trader, { strategy: "sma-crossover", parameters: { timeframe: "1h", fast: 3, slow: 8 } }),
    );
    expect((await settle(trader, after.id)).status).toBe("completed");
  });

  it("cancels a running backtest; it stays cancelled and leaves no results", async () => {
    const record = await accepted(
      await submit(trader, { strategy: "remote-slow", parameters: { timeframe: "15m", ...adhoc("/slow") } }),
    );
    const deadline = Date.now() + 20_000;
    for (;;) {
      const now = backtestRecordSchema.parse(await (await as(trader, `/api/backtests/${record.id}`)).json());
      if (now.status === "running") break;
      if (Date.now() > deadline) throw new Error(`never started: ${now.status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const cancelled = await as(trader, `/api/backtests/${record.id}/cancel`, { method: "POST" });
    expect(cancelled.status).toBe(200);
    expect(backtestRecordSchema.parse(await cancelled.json()).status).toBe("cancelled");
    await new Promise((r) => setTimeout(r, 1_000));
    const after = backtestRecordSchema.parse(await (await as(trader, `/api/backtests/${record.id}`)).json());
    expect(after.status).toBe("cancelled");
    expect(after.trade_count).toBeNull();
    expect(await env.BACKTEST_RESULTS.head(equityKey(record.id))).toBeNull();
    await expectError(
      await as(trader, `/api/backtests/${record.id}/cancel`, { method: "POST" }),
      409,
      "CONFLICT",
    );
  });

  it("streams progress over SSE until the backtest ends", async () => {
    const record = await accepted(
      await submit(trader, { strategy: "sma-crossover", parameters: { timeframe: "1h", fast: 3, slow: 8 } }),
    );
    const res = await as(trader, `/api/backtests/${record.id}/events`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const text = await res.text();
    const events = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(events.at(-1)).toBe("completed");
    const last = text.trim().split("\n\n").at(-1) ?? "";
    expect(JSON.parse(/^data: (.*)$/m.exec(last)?.[1] ?? "{}")).toMatchObject({
      status: "completed",
      progress: 1,
    });
  });

  it("caps the event streams one user holds open, and frees a slot when a stream ends", async () => {
    const [holder, other] = await Promise.all([newUser({ name: "Streams" }), newUser({ name: "Other" })]);
    const done = await settle(
      holder,
      (await accepted(await submit(holder, { strategy: "sma-crossover", parameters: { timeframe: "1h" } })))
        .id,
    );
    // A copy that stays `running` (no workflow behind it): its event streams stay open.
    const id = `bkt_streams${Date.now().toString(36)}`;
    const { db, close } = testDb();
    try {
      const [row] = await db.select().from(backtest).where(eq(backtest.id, done.id));
      const copy = { ...defined(row, "the finished run"), status: "running" };
      await db.insert(backtest).values([
        { ...copy, id },
        { ...copy, id: `${id}o`, userId: other.id },
      ]);
    } finally {
      await close();
    }
    const open = async (who: TestUser) => {
      const res = await as(who, `/api/backtests/${who === other ? `${id}o` : id}/events`);
      if (res.status !== 200) return res;
      // Read the first event: the stream is running (and holds its lease) from here on.
      const reader = defined(res.body, "an event stream").getReader();
      await reader.read();
      return Object.assign(res, { reader });
    };
    const streams: Array<{ reader: ReadableStreamDefaultReader<Uint8Array> }> = [];
    try {
      for (let i = 0; i < 10; i++) {
        const res = await open(holder);
        expect(res.status).toBe(200);
        streams.push(res as Response & { reader: ReadableStreamDefaultReader<Uint8Array> });
      }
      const refused = await open(holder);
      await expectError(refused, 429, "RATE_LIMITED");
      expect(refused.headers.get("retry-after")).toBe("15");
      // The cap is per user: someone else still opens a stream of their own backtest.
      const others = await open(other);
      expect(others.status).toBe(200);
      streams.push(others as Response & { reader: ReadableStreamDefaultReader<Uint8Array> });
      // Closing one stream frees its slot once the server notices (it releases the lease on abort).
      await streams.shift()?.reader.cancel();
      let again: Response | undefined;
      for (let attempt = 0; attempt < 40; attempt++) {
        again = await open(holder);
        if (again.status === 200) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(again?.status).toBe(200);
      if (again?.status === 200)
        streams.push(again as Response & { reader: ReadableStreamDefaultReader<Uint8Array> });
    } finally {
      await Promise.all(streams.map((s) => s.reader.cancel()));
    }
  });

  it("deletes a backtest with its trades and equity curve", async () => {
    const record = await accepted(
      await submit(trader, { strategy: "sma-crossover", parameters: { timeframe: "1h", fast: 3, slow: 8 } }),
    );
    expect((await settle(trader, record.id)).status).toBe("completed");
    expect(await env.BACKTEST_RESULTS.head(equityKey(record.id))).not.toBeNull();
    expect(await env.BACKTEST_RESULTS.head(tradesKey(record.id))).not.toBeNull();
    const res = await as(trader, `/api/backtests/${record.id}`, { method: "DELETE" });
    expect(res.status).toBe(204);
    await expectError(await as(trader, `/api/backtests/${record.id}`), 404, "NOT_FOUND");
    expect(await env.BACKTEST_RESULTS.head(equityKey(record.id))).toBeNull();
    expect(await env.BACKTEST_RESULTS.head(tradesKey(record.id))).toBeNull();
  });

  it("pages a run's trades from one read of its blob, and reads the blob again once it changed", async () => {
    const record = await accepted(
      await submit(trader, { strategy: "sma-crossover", parameters: { timeframe: "1h", fast: 3, slow: 8 } }),
    );
    expect((await settle(trader, record.id)).status).toBe("completed");
    const page = async (query: string) =>
      backtestTradesResponseSchema.parse(
        await (await as(trader, `/api/backtests/${record.id}/trades?${query}`)).json(),
      );
    const first = await page("sort=profit&order=desc&limit=1000");
    expect(await page("sort=profit&order=desc&limit=1000")).toEqual(first);
    expect(first.length).toBeGreaterThan(2);
    // Rewrite the stored blob (the last trade's profit becomes the best): pages must show it at once.
    const stored = defined(await env.BACKTEST_RESULTS.get(tradesKey(record.id)), "the stored trade blob");
    const bytes = new Uint8Array(await stored.arrayBuffer());
    const count = new DataView(bytes.buffer).getUint32(8, true);
    const pnl = new Float64Array(bytes.buffer, 16 + 7 * 8 * count, count);
    pnl[count - 1] = 1e9;
    await env.BACKTEST_RESULTS.put(tradesKey(record.id), bytes);
    const [best] = await page("sort=profit&order=desc&limit=1");
    expect(best?.seq).toBe(count - 1);
    expect(best?.profit).toBe(1e9);
    const [last] = await page(`offset=${count - 1}&limit=1`);
    expect(last?.profit).toBe(1e9);
  });

  it("still pages and sorts the trades of a backtest stored before the trade blob (table rows)", async () => {
    const record = await accepted(
      await submit(trader, { strategy: "sma-crossover", parameters: { timeframe: "1h", fast: 3, slow: 8 } }),
    );
    expect((await settle(trader, record.id)).status).toBe("completed");
    const { trades: fromBlob, total } = await allTrades(trader, record.id);
    expect(total).toBeGreaterThan(2);
    // Turn it into a backtest of the old layout: its trades as rows, no blob.
    const { db, close } = testDb();
    try {
      await db.insert(backtestTrade).values(
        fromBlob.map((t) => ({
          backtestId: record.id,
          seq: t.seq,
          type: t.type,
          size: t.size,
          entryPrice: t.entry_price,
          entryTime: Date.parse(t.entry_time),
          exitPrice: t.exit_price,
          exitTime: Date.parse(t.exit_time),
          fees: t.fees,
          profit: t.profit,
          returnPct: t.return_pct,
          reason: t.reason,
          metadata: t.metadata,
        })),
      );
    } finally {
      await close();
    }
    await env.BACKTEST_RESULTS.delete(tradesKey(record.id));
    const { trades: fromRows } = await allTrades(trader, record.id);
    expect(fromRows).toEqual(fromBlob);
    const worstFirst = backtestTradesResponseSchema.parse(
      await (await as(trader, `/api/backtests/${record.id}/trades?sort=profit&limit=1000`)).json(),
    );
    expect(worstFirst.map((t) => t.seq)).toEqual(
      [...fromBlob].sort((a, b) => a.profit - b.profit || a.seq - b.seq).map((t) => t.seq),
    );
  });

  it("refuses at submit time what would fail later: strategy, exchange, dates, data, parameters, endpoint", async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ strategy: "no-such-strategy" }, /Unknown strategy/],
      [{ strategy: "sma-crossover", exchange: "moon" }, /exchange/],
      [
        { strategy: "sma-crossover", start_date: "2025-02-01", end_date: "2025-01-01" },
        /start_date must be before/,
      ],
      [{ strategy: "sma-crossover", start_date: "2090-01-01", end_date: "2090-02-01" }, /future/],
      // Without a timeframe the platform default applies: 1d, as published.
      [{ strategy: "sma-crossover", start_date: "2020-01-01", end_date: "2020-02-01" }, /No 1d market data/],
      [{ strategy: "sma-crossover", symbol: "NOPE-USD" }, /No 1d market data for NOPE-USD/],
      [
        { strategy: "sma-crossover", parameters: { fast: 50, slow: 10 } },
        /fast \(50\) must be less than slow/,
      ],
      [{ strategy: "sma-crossover", parameters: { feePct: -1 } }, /feePct/],
      [{ strategy: "sma-crossover", parameters: { provider: "yahoo" } }, /provider/],
      [
        {
          strategy: "x",
          parameters: { strategyRuntime: { type: "remote", language: "py", endpoint: "ftp://x" } },
        },
        /strategyRuntime/,
      ],
    ];
    for (const [body, message] of cases) {
      const res = await submit(trader, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const error = await expectError(res, 400, "VALIDATION_FAILED");
      expect(`${error.error.message} ${JSON.stringify(error.error.issues)}`, JSON.stringify(body)).toMatch(
        message,
      );
    }
    const noneRes = await as(stranger, "/api/backtests");
    expect(noneRes.headers.get("X-Total-Count")).toBe("0");
    expect(backtestListResponseSchema.parse(await noneRes.json())).toEqual([]);
  });
});
