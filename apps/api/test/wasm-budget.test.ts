import { backtestRecordSchema } from "@quantago/contracts";
import { bulkMemoryModule } from "@quantago/wasm-sdk/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { as, json, newUser, type TestUser } from "./auth-helpers.ts";
import { api } from "./helpers.ts";
import { seedSyntheticBars, submitBacktest } from "./synthetic-bars.ts";

const SYMBOL = `WB-${Date.now().toString(36).toUpperCase()}-USD`;

describe("a WASM strategy spending its budget on bulk memory operations", () => {
  let trader: TestUser;

  beforeAll(async () => {
    await seedSyntheticBars(SYMBOL, Date.UTC(2025, 0, 6), 1440, 3);
    trader = await newUser({ name: "Bulk" });
  });

  it.each(["fill", "copy"] as const)(
    "memory.%s of 15 MiB 2,000 times per candle fails the backtest on its CPU budget; /api/health answers meanwhile",
    async (op) => {
      const slug = `bulk-${op}-${Date.now().toString(36)}`;
      const module = bulkMemoryModule(op, 2_000, 15 * 1024 * 1024);
      const registered = await as(
        trader,
        "/api/strategies",
        json({
          strategy: {
            slug,
            name: `Bulk ${op}`,
            description: "Loops on a bulk memory operation.",
            runtime_type: "wasm",
            language: "assemblyscript",
            default_frequency: "scalping",
            min_candles: 1,
            lookback_candles: 1,
            default_config: { takeProfitLevel: null, stopLossLevel: null },
            parameter_schema: { type: "object", properties: {} },
            initial_version: {
              version: "1.0.0",
              runtime_config: { type: "wasm", language: "assemblyscript", abi: "json" },
              artifact: {
                file_name: `${slug}.wasm`,
                content_base64: btoa(String.fromCharCode(...module)),
                content_type: "application/wasm",
              },
            },
          },
        }),
      );
      expect(registered.status, await registered.clone().text()).toBe(201);
      const { id } = await submitBacktest(trader, {
        symbol: SYMBOL,
        start: "2025-01-06",
        end: "2025-01-07",
        strategy: slug,
        parameters: { timeframe: "1h" },
      });

      const deadline = Date.now() + 45_000;
      let healthChecks = 0;
      for (;;) {
        // The API keeps answering while the sandbox works.
        expect((await api("/api/health")).status).toBe(200);
        healthChecks++;
        const record = backtestRecordSchema.parse(await (await as(trader, `/api/backtests/${id}`)).json());
        if (record.status === "failed") {
          expect(record.error_message).toMatch(/exceeded its CPU budget in signal \(candle 0\)/);
          break;
        }
        expect(["pending", "running"], `ended ${record.status}`).toContain(record.status);
        if (Date.now() > deadline) throw new Error(`still ${record.status} after 45 s`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(healthChecks).toBeGreaterThan(0);
    },
  );
});
