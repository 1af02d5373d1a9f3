import { env } from "cloudflare:workers";
import { type BacktestRecord, backtestRecordSchema } from "@quantago/contracts";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { equityKey } from "../src/domain/backtests/equity.ts";
import { as, newUser, type TestUser } from "./auth-helpers.ts";
import { seedSyntheticBars, submitBacktest } from "./synthetic-bars.ts";

const SYMBOL = `CXL-${Date.now().toString(36).toUpperCase()}-USD`;
const FROM = Date.UTC(2025, 0, 6);
/** The bound: no strategy call may arrive later than this after the cancel answered. */
const STOP_WITHIN_MS = 1_000;

const remote = () => inject("remoteStrategyUrl");

interface Calls {
  calls: number;
  times: number[];
  now: number;
}

async function calls(tag: string): Promise<Calls> {
  return (await (await fetch(`${remote()}/calls?tag=${tag}`)).json()) as Calls;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("cancelling or deleting a backtest stops its work", () => {
  let trader: TestUser;

  beforeAll(async () => {
    await seedSyntheticBars(SYMBOL, FROM, 2 * 1440, 7);
    trader = await newUser({ name: "Canceller" });
  });

  /**
   * Submits a remote backtest over 2,880 one-minute candles whose server answers each call after
   * 5 ms (a run of many seconds), and waits until the strategy has answered a few dozen calls.
   */
  async function startCountedRun(tag: string): Promise<BacktestRecord> {
    const record = await submitBacktest(trader, {
      symbol: SYMBOL,
      start: "2025-01-06",
      end: "2025-01-08",
      strategy: `counted-${tag}`,
      parameters: {
        timeframe: "1m",
        strategyRuntime: {
          type: "remote",
          language: "python",
          endpoint: `${remote()}/counted?tag=${tag}&delayMs=5`,
          timeoutMs: 2_000,
        },
        strategyMinCandles: 2,
        strategyLookbackCandles: 2,
      },
    });
    const deadline = Date.now() + 30_000;
    while ((await calls(tag)).calls < 50) {
      if (Date.now() > deadline) throw new Error(`the strategy was never called: ${tag}`);
      await sleep(50);
    }
    return record;
  }

  /** Calls that arrived more than the bound after `answeredAt` (the server's clock). */
  async function lateCalls(tag: string, answeredAt: number) {
    await sleep(2 * STOP_WITHIN_MS);
    const seen = await calls(tag);
    const last = seen.times.at(-1) ?? answeredAt;
    return {
      total: seen.calls,
      late: seen.times.filter((t) => t > answeredAt + STOP_WITHIN_MS).length,
      lastAfterMs: last - answeredAt,
    };
  }

  it("a cancelled remote run calls its strategy no more than a second after the cancel answered", async () => {
    const tag = `cancel-${Date.now().toString(36)}`;
    const record = await startCountedRun(tag);
    const res = await as(trader, `/api/backtests/${record.id}/cancel`, { method: "POST" });
    const answeredAt = (await calls(tag)).now;
    expect(res.status).toBe(200);
    expect(backtestRecordSchema.parse(await res.json()).status).toBe("cancelled");

    const { total, late, lastAfterMs } = await lateCalls(tag, answeredAt);
    console.log(JSON.stringify({ msg: "cancel", total, late, lastAfterMs }));
    expect(late, `${late} of ${total} calls came more than 1 s after the cancel`).toBe(0);
    expect(total, "the run had not finished on its own").toBeLessThan(2 * 1440);

    const after = backtestRecordSchema.parse(await (await as(trader, `/api/backtests/${record.id}`)).json());
    expect(after.status).toBe("cancelled");
    expect(after.trade_count).toBeNull();
    expect(await env.BACKTEST_RESULTS.head(equityKey(record.id))).toBeNull();
    const checkpoints = await env.BACKTEST_RESULTS.list({ prefix: `backtests/${record.id}/` });
    expect(checkpoints.objects.map((o) => o.key)).toEqual([]);
  });

  it("a deleted remote run calls its strategy no more than a second after the delete answered", async () => {
    const tag = `delete-${Date.now().toString(36)}`;
    const record = await startCountedRun(tag);
    const res = await as(trader, `/api/backtests/${record.id}`, { method: "DELETE" });
    const answeredAt = (await calls(tag)).now;
    expect(res.status).toBe(204);

    const { total, late, lastAfterMs } = await lateCalls(tag, answeredAt);
    console.log(JSON.stringify({ msg: "delete", total, late, lastAfterMs }));
    expect(late, `${late} of ${total} calls came more than 1 s after the delete`).toBe(0);
    expect((await as(trader, `/api/backtests/${record.id}`)).status).toBe(404);
    const left = await env.BACKTEST_RESULTS.list({ prefix: `backtests/${record.id}/` });
    expect(left.objects.map((o) => o.key)).toEqual([]);
  });
});
