import { env } from "cloudflare:workers";
import {
  type BacktestRecord,
  backtestRecordSchema,
  backtestTradesResponseSchema,
  MAX_BACKTEST_NOTE_LENGTH,
  type TradeStats,
} from "@quantago/contracts";
import { writeSyntheticBars } from "@quantago/market-data";
import { beforeAll, describe, expect, it } from "vitest";
import { as, json, newUser, type TestUser } from "./auth-helpers.ts";
import { api, defined, expectError, testClickHouse } from "./helpers.ts";

/** What the backtest detail page reads beyond the published record: the All/Long/Short split and notes. */
const SYMBOL = `BD-${Date.now().toString(36).toUpperCase()}-USD`;
const FROM = Date.UTC(2025, 0, 6);

async function run(who: TestUser): Promise<BacktestRecord> {
  const res = await as(
    who,
    "/api/backtests",
    json({
      backtest: {
        symbol: SYMBOL,
        exchange: "crypto",
        strategy: "sma-crossover",
        start_date: "2025-01-06",
        end_date: "2025-01-09",
        initial_balance: 10_000,
        // Long and short (the default direction), short windows: trades of both sides.
        parameters: { timeframe: "15m", fast: 5, slow: 20, feePct: 0.1 },
      },
    }),
  );
  expect(res.status, await res.clone().text()).toBe(202);
  const { id } = backtestRecordSchema.parse(await res.json());
  const deadline = Date.now() + 45_000;
  for (;;) {
    const record = backtestRecordSchema.parse(await (await as(who, `/api/backtests/${id}`)).json());
    if (!["pending", "running"].includes(record.status)) return record;
    if (Date.now() > deadline) throw new Error(`backtest ${id} still ${record.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const patchNote = (who: TestUser, id: string, body: unknown) =>
  as(who, `/api/backtests/${id}`, { ...json(body), method: "PATCH" });

describe("backtest detail: metrics by direction and notes", () => {
  let trader: TestUser;
  let stranger: TestUser;
  let done: BacktestRecord;

  beforeAll(async () => {
    const ch = testClickHouse();
    try {
      await writeSyntheticBars(ch, {
        symbol: SYMBOL,
        assetClass: "crypto",
        fromMs: FROM,
        count: 3 * 1440,
        seed: 7,
        database: env.CLICKHOUSE_DB,
      });
    } finally {
      await ch.close();
    }
    [trader, stranger] = await Promise.all([newUser({ name: "Noter" }), newUser({ name: "Stranger" })]);
    done = await run(trader);
    expect(done.status, done.error_message ?? "").toBe("completed");
  });

  it("splits the trade metrics into All, Long and Short that add up, and match the trades", async () => {
    const split = defined(done.metrics?.byDirection, "metrics.byDirection");
    const { all, long, short } = split;
    expect(long.numberOfTrades).toBeGreaterThan(0);
    expect(short.numberOfTrades).toBeGreaterThan(0);
    for (const key of ["numberOfTrades", "winningTrades", "losingTrades"] as const) {
      expect(long[key] + short[key], key).toBe(all[key]);
    }
    for (const key of ["grossProfit", "grossLoss", "netProfit"] as const) {
      expect(long[key] + short[key], key).toBeCloseTo(all[key], 6);
    }
    // All is the run's own trade metrics, and the trades the route lists agree side by side.
    expect(all.numberOfTrades).toBe(done.metrics?.numberOfTrades);
    expect(all.winRate).toBe(done.metrics?.winRate);
    expect(all.profitFactor).toBe(done.metrics?.profitFactor);
    const res = await as(trader, `/api/backtests/${done.id}/trades?limit=1000`);
    const trades = backtestTradesResponseSchema.parse(await res.json());
    expect(trades.length).toBe(all.numberOfTrades);
    const side = (type: "BUY" | "SELL", stats: TradeStats) => {
      const mine = trades.filter((t) => t.type === type);
      expect(mine.length).toBe(stats.numberOfTrades);
      expect(mine.reduce((s, t) => s + t.profit, 0)).toBeCloseTo(stats.netProfit, 6);
      expect(Math.max(...mine.map((t) => t.profit))).toBeCloseTo(defined(stats.bestTrade, "bestTrade"), 9);
    };
    side("BUY", long);
    side("SELL", short);
  });

  it("stores the owner's note, shows it on the record and in the list, and clears it", async () => {
    const note = "Too many whipsaws in the Asian session.\nTry slow = 30. ünïcødé ✓";
    const res = await patchNote(trader, done.id, { note });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(backtestRecordSchema.parse(await res.json())).toMatchObject({ id: done.id, note });
    const read = backtestRecordSchema.parse(await (await as(trader, `/api/backtests/${done.id}`)).json());
    expect(read.note).toBe(note);
    // The run's results are untouched by a note.
    expect(read.metrics).toEqual(done.metrics);
    const list = (await (await as(trader, "/api/backtests?limit=200")).json()) as BacktestRecord[];
    expect(list.find((b) => b.id === done.id)?.note).toBe(note);

    for (const empty of ["", "   ", null]) {
      const cleared = await patchNote(trader, done.id, { note: empty });
      expect(cleared.status).toBe(200);
      expect(((await cleared.json()) as BacktestRecord).note).toBeNull();
    }
  });

  it("refuses a note with NUL, too long, of the wrong type or with other fields: 400", async () => {
    const bad: unknown[] = [
      { note: "a\u0000b" },
      { note: "x".repeat(MAX_BACKTEST_NOTE_LENGTH + 1) },
      { note: 42 },
      {},
      { note: "ok", status: "completed" },
    ];
    for (const body of bad) {
      const err = await expectError(await patchNote(trader, done.id, body), 400, "VALIDATION_FAILED");
      expect(err.error.issues?.length, JSON.stringify(body).slice(0, 60)).toBeGreaterThan(0);
    }
    const longest = await patchNote(trader, done.id, { note: "x".repeat(MAX_BACKTEST_NOTE_LENGTH) });
    expect(longest.status).toBe(200);
  });

  it("answers 404 for another user's backtest and 401 without a session; the note stays", async () => {
    await patchNote(trader, done.id, { note: "mine" });
    await expectError(await patchNote(stranger, done.id, { note: "theirs" }), 404, "NOT_FOUND");
    await expectError(await patchNote(stranger, "bt_nope", { note: "x" }), 404, "NOT_FOUND");
    await expectError(
      await api(`/api/backtests/${done.id}`, { ...json({ note: "anon" }), method: "PATCH" }),
      401,
      "UNAUTHENTICATED",
    );
    const read = backtestRecordSchema.parse(await (await as(trader, `/api/backtests/${done.id}`)).json());
    expect(read.note).toBe("mine");
  });
});
