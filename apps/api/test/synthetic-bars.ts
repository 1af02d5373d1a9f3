import { env } from "cloudflare:workers";
import { type BacktestRecord, backtestRecordSchema } from "@quantago/contracts";
import { writeSyntheticBars } from "@quantago/market-data";
import { expect } from "vitest";
import { as, json, type TestUser } from "./auth-helpers.ts";
import { testClickHouse } from "./helpers.ts";

/** Writes `count` synthetic 1m crypto bars of `symbol` from `fromMs` into the test run's ClickHouse. */
export async function seedSyntheticBars(symbol: string, fromMs: number, count: number, seed: number) {
  const ch = testClickHouse();
  try {
    await writeSyntheticBars(ch, {
      symbol,
      assetClass: "crypto",
      fromMs,
      count,
      seed,
      database: env.CLICKHOUSE_DB,
    });
  } finally {
    await ch.close();
  }
}

/** Submits a crypto backtest of `symbol` over `[start, end)` and returns the accepted (202) record. */
export async function submitBacktest(
  who: TestUser,
  backtest: {
    symbol: string;
    start: string;
    end: string;
    strategy: string;
    parameters: Record<string, unknown>;
  },
): Promise<BacktestRecord> {
  const res = await as(
    who,
    "/api/backtests",
    json({
      backtest: {
        symbol: backtest.symbol,
        exchange: "crypto",
        start_date: backtest.start,
        end_date: backtest.end,
        initial_balance: 10_000,
        strategy: backtest.strategy,
        parameters: backtest.parameters,
      },
    }),
  );
  expect(res.status, await res.clone().text()).toBe(202);
  return backtestRecordSchema.parse(await res.json());
}
