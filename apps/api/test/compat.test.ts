/**
 * The published surface as a client written against it uses it (docs/compatibility.md): the
 * getting-started flow, the published built-ins, the list shapes and their paging headers, the
 * reference's record and trade fields, and the published defaults.
 */
import { env } from "cloudflare:workers";
import {
  type BacktestRecord,
  backtestListResponseSchema,
  backtestRecordSchema,
  backtestTradesResponseSchema,
} from "@quantago/contracts";
import { insertBars } from "@quantago/market-data";
import { publishedStrategies } from "@quantago/strategies";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { as, cookieFrom, json, newUser, signIn, signUp, type TestUser } from "./auth-helpers.ts";
import { api, defined, expectError } from "./helpers.ts";

const SYMBOL = `GS-${Date.now().toString(36).toUpperCase()}-USD`;
const DAY_MS = 86_400_000;
const FROM_MS = Date.UTC(2024, 0, 1);
const DAYS = 400;
const START = "2024-01-01";
const END = "2025-02-01";

/**
 * Daily bars that swing (a 3 % sine over 30 days, a deterministic wobble and drift, a slide every
 * 60 days, a pin bar and a volume spike now and then), so every published rule, exit level and cadence has something to act on.
 */
function dailyBars(n: number) {
  const time = new Float64Array(n);
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  const volume = new Float64Array(n);
  let previous = 100;
  for (let i = 0; i < n; i++) {
    // Every 60 days a 20-day slide of 25 % and a slow recovery: the turn a momentum swing waits for.
    const phase = i % 60;
    const slide = phase < 20 ? 1 - 0.0125 * phase : 0.75 + (0.25 * (phase - 20)) / 40;
    const c =
      100 * slide * (1 + 0.03 * Math.sin((2 * Math.PI * i) / 30) + 0.01 * Math.sin(i * 1.7) + 0.0005 * i);
    time[i] = FROM_MS + i * DAY_MS;
    open[i] = previous;
    close[i] = c;
    // Now and then a pin bar: one long wick, the other nearly none.
    const pinDown = i % 13 === 0;
    const pinUp = i % 19 === 0 && !pinDown;
    high[i] = Math.max(previous, c) * (pinDown ? 1.0001 : pinUp ? 1.05 : 1.004);
    low[i] = Math.min(previous, c) * (pinUp ? 0.9999 : pinDown ? 0.95 : 0.996);
    volume[i] = (1000 + 900 * Math.abs(Math.sin(i * 0.9))) * (i % 7 === 0 ? 3 : 1);
    previous = c;
  }
  return { time, open, high, low, close, volume };
}

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
        initial_balance: 10_000,
        ...backtest,
      },
    }),
  );
}

async function accepted(res: Response): Promise<BacktestRecord> {
  expect(res.status, await res.clone().text()).toBe(202);
  return backtestRecordSchema.parse(await res.json());
}

async function settle(who: { cookie: string }, id: string, timeoutMs = 60_000): Promise<BacktestRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const record = backtestRecordSchema.parse(await (await as(who, `/api/backtests/${id}`)).json());
    if (!["pending", "running"].includes(record.status)) return record;
    if (Date.now() > deadline) throw new Error(`backtest ${id} still ${record.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function tradesOf(who: { cookie: string }, id: string) {
  const res = await as(who, `/api/backtests/${id}/trades?limit=1000`);
  expect(res.status).toBe(200);
  return backtestTradesResponseSchema.parse(await res.json());
}

describe("the published surface", () => {
  let trader: TestUser;

  beforeAll(async () => {
    await insertBars(
      {
        url: defined(env.CLICKHOUSE_URL, "CLICKHOUSE_URL"),
        username: env.CLICKHOUSE_USERNAME,
        password: env.CLICKHOUSE_PASSWORD,
        database: env.CLICKHOUSE_DB,
      },
      { symbol: SYMBOL, assetClass: "crypto", timeframe: "1d", source: "csv", ingestVersion: 1 },
      dailyBars(DAYS),
    );
    trader = await newUser({ name: "Compat" });
  });

  it("runs the published getting-started flow: health, sign in, 1d ticks, Momentum Strategy, completed with trades", async () => {
    const health = await api("/api/health");
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true });

    const { res: signedUp, email, password } = await signUp({ name: "Getting started" });
    expect(signedUp.status).toBe(200);
    const signedIn = await signIn(email, password);
    expect(signedIn.status, await signedIn.clone().text()).toBe(200);
    const user = { cookie: cookieFrom(signedIn) };

    const ticks = await api(
      `/api/market-data/ticks?${new URLSearchParams({ symbol: SYMBOL, startDate: START, endDate: END, timeframe: "1d" })}`,
    );
    expect(ticks.status, await ticks.clone().text()).toBe(200);
    const body = (await ticks.json()) as { timeframe: string; ticks: Array<{ timestamp: string }> };
    expect(body.timeframe).toBe("1d");
    expect(body.ticks.length).toBeGreaterThan(300);

    const created = await as(
      user,
      "/api/backtests",
      json({
        backtest: {
          symbol: SYMBOL,
          exchange: "crypto",
          strategy: "Momentum Strategy",
          start_date: START,
          end_date: END,
          initial_balance: 10000,
          parameters: { timeframe: "1d" },
        },
      }),
    );
    expect(created.status, await created.clone().text()).toBe(202);
    const record = backtestRecordSchema.parse(await created.json());
    expect(record).toMatchObject({ status: "pending", strategy: "momentum-strategy", timeframe: "1d" });

    const done = await settle(user, record.id);
    expect(done.status, done.error_message ?? "").toBe("completed");
    expect(done.trade_count).toBeGreaterThan(0);
    const trades = await tradesOf(user, record.id);
    expect(trades).toHaveLength(done.trade_count ?? -1);
  });

  it("completes a backtest of each of the 13 published built-ins on the seeded data", async () => {
    expect(publishedStrategies).toHaveLength(13);
    const submitted = await Promise.all(
      publishedStrategies.map((s) =>
        submit(trader, { strategy: s.name, parameters: { timeframe: "1d" } }).then(accepted),
      ),
    );
    const settled = await Promise.all(submitted.map((r) => settle(trader, r.id)));
    settled.forEach((r, k) => {
      const definition = publishedStrategies[k];
      expect(r.status, `${definition?.name}: ${r.error_message}`).toBe("completed");
      expect(r.strategy).toBe(definition?.slug);
      expect(r.bars_total).toBeGreaterThan(390);
      expect(r.trade_count, definition?.name).toBeGreaterThan(0);
    });
  });

  it("answers the reference's record and trade fields beside ours", async () => {
    const record = await accepted(
      await submit(trader, { strategy: "Grid Trading Strategy", parameters: { timeframe: "1d" } }),
    );
    const done = await settle(trader, record.id);
    expect(done.status, done.error_message ?? "").toBe("completed");
    const metrics = defined(done.metrics, "metrics") as Record<string, number | null>;
    expect(done).toMatchObject({
      user_id: trader.id,
      workflow_instance_id: record.id,
      final_balance: done.final_equity,
      win_rate: (metrics.winRate as number) * 100,
      max_drawdown: (metrics.maxDrawdown as number) * 100,
      profit_factor: metrics.profitFactor ?? null,
    });
    expect(Date.parse(done.updated_at)).toBeGreaterThanOrEqual(Date.parse(done.created_at));

    const trades = await tradesOf(trader, record.id);
    expect(trades.length).toBeGreaterThan(1);
    expect(new Set(trades.map((t) => t.id)).size).toBe(trades.length);
    for (const t of trades) {
      expect(t.id).toBe(`${record.id}-${t.seq}`);
      expect(t.backtest_id).toBe(record.id);
      // A native built-in reports no reason of its own: the decisions and what closed the trade.
      expect(t.signals).toEqual({
        entry: { action: t.type, reason: null, metadata: null },
        exit: {
          action: t.reason === "signal" ? (t.type === "BUY" ? "SELL" : "BUY") : null,
          trigger: t.reason,
          reason: null,
          metadata: null,
        },
      });
    }
  });

  it("applies a built-in's published defaults when the request sets none", async () => {
    const record = await accepted(await submit(trader, { strategy: "Mean Reversion Strategy" }));
    // No timeframe of its own: the platform default, 1d. Weekly cadence, 1 % / 0.5 % exits.
    expect(record.timeframe).toBe("1d");
    expect(record.parameters).toMatchObject({
      timeframe: "1d",
      entryFrequency: "weekly",
      takeProfitLevel: 1,
      stopLossLevel: 0.5,
    });
    expect(record.execution_config).toMatchObject({
      entryFrequency: "weekly",
      takeProfitPct: 1,
      stopLossPct: 0.5,
      timeframe: "1d",
    });
    // The request's own values win.
    const own = await accepted(
      await submit(trader, {
        strategy: "mean-reversion-strategy",
        parameters: { entryFrequency: "DAILY", takeProfitLevel: 3 },
      }),
    );
    expect(own.parameters).toMatchObject({ entryFrequency: "daily", takeProfitLevel: 3, stopLossLevel: 0.5 });
    // Momentum is published on 5m bars: without a timeframe it asks for them, and there are none.
    const res = await submit(trader, { strategy: "Momentum Strategy" });
    const error = await expectError(res, 400, "VALIDATION_FAILED");
    expect(error.message).toMatch(/5m/);
    await Promise.all([record.id, own.id].map((id) => settle(trader, id)));
  });

  it("runs an ad-hoc remote strategy with the published defaults, and a SELL from flat opens a short", async () => {
    const record = await accepted(
      await submit(trader, {
        strategy: "sell-first",
        parameters: {
          strategyRuntime: { type: "remote", endpoint: `${inject("remoteStrategyUrl")}/sell-first` },
        },
      }),
    );
    expect(record).toMatchObject({ strategy_source: "adhoc", strategy_version: "1.0.0", timeframe: "1d" });
    expect(record.parameters).toMatchObject({
      timeframe: "1d",
      entryFrequency: "daily",
      takeProfitLevel: 1,
      stopLossLevel: 0.5,
      strategyRuntime: { language: "python" },
    });
    const done = await settle(trader, record.id);
    expect(done.status, done.error_message ?? "").toBe("completed");
    expect(done.execution_config).toMatchObject({ direction: "long_short" });
    const [first] = await tradesOf(trader, record.id);
    expect(first).toMatchObject({ type: "SELL", entry_time: new Date(FROM_MS + 6 * DAY_MS).toISOString() });
    expect(first?.signals.entry).toEqual({ action: "SELL", reason: "open short", metadata: { at: 5 } });
  });

  it("answers bare arrays with X-Total-Count and a Link to the next page, exposed to the browser", async () => {
    const user = await newUser({ name: "Pager" });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await accepted(await submit(user, { strategy: "sma-crossover" }))).id);
    }
    const first = await as(user, `/api/backtests?symbol=${SYMBOL}&limit=2`);
    expect(first.status).toBe(200);
    expect(first.headers.get("X-Total-Count")).toBe("3");
    const link = defined(first.headers.get("Link"), "Link");
    const next = defined(/^<([^>]+)>; rel="next"$/.exec(link)?.[1], "rel=next target");
    const nextUrl = new URL(next, "http://api.test");
    expect(nextUrl.pathname).toBe("/api/backtests");
    expect(Object.fromEntries(nextUrl.searchParams)).toEqual({ symbol: SYMBOL, limit: "2", offset: "2" });
    const page1 = backtestListResponseSchema.parse(await first.json());
    expect(page1.map((b) => b.id)).toEqual([ids[2], ids[1]]);

    const last = await as(user, `${nextUrl.pathname}${nextUrl.search}`);
    expect(last.headers.get("X-Total-Count")).toBe("3");
    expect(last.headers.get("Link")).toBeNull();
    expect(backtestListResponseSchema.parse(await last.json()).map((b) => b.id)).toEqual([ids[0]]);

    const done = await settle(user, defined(ids[0], "first id"));
    expect(done.status, done.error_message ?? "").toBe("completed");
    const count = defined(done.trade_count, "trade_count");
    expect(count).toBeGreaterThan(1);
    const trades = await as(user, `/api/backtests/${done.id}/trades?limit=1`);
    expect(trades.headers.get("X-Total-Count")).toBe(String(count));
    expect(trades.headers.get("Link")).toBe(
      `</api/backtests/${done.id}/trades?limit=1&offset=1>; rel="next"`,
    );
    expect(backtestTradesResponseSchema.parse(await trades.json())).toHaveLength(1);
    const all = await as(user, `/api/backtests/${done.id}/trades?limit=1000`);
    expect(all.headers.get("Link")).toBeNull();

    const cors = await as(user, "/api/backtests", { headers: { Origin: env.FRONTEND_ORIGIN } });
    const exposed = (cors.headers.get("Access-Control-Expose-Headers") ?? "").toLowerCase();
    expect(exposed).toContain("x-total-count");
    expect(exposed).toContain("link");
    await Promise.all(ids.slice(1).map((id) => settle(user, id)));
  });

  it("puts the message at the top of every error body too", async () => {
    const notFound = await expectError(await as(trader, "/api/backtests/bkt_nope"), 404, "NOT_FOUND");
    expect(notFound.message).toBe("No such backtest.");
    const noRoute = await expectError(await api("/api/no-such-route"), 404, "NOT_FOUND");
    expect(noRoute.message).toMatch(/No route/);
    const invalid = await expectError(await as(trader, "/api/backtests?limit=0"), 400, "VALIDATION_FAILED");
    expect(invalid.message).toBe(invalid.error.message);
    const unknown = await expectError(
      await submit(trader, { strategy: "No Such Strategy" }),
      400,
      "VALIDATION_FAILED",
    );
    expect(unknown.message).toMatch(/Unknown strategy/);
    await expectError(await api("/api/backtests"), 401, "UNAUTHENTICATED");
  });
});
