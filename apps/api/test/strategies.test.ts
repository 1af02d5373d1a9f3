import { strategyListResponseSchema, strategyResponseSchema } from "@quantago/contracts";
import { builtinStrategies, publishedStrategies, smaCrossover } from "@quantago/strategies";
import { beforeAll, describe, expect, it } from "vitest";
import { newUser, type TestUser } from "./auth-helpers.ts";
import { api, expectError } from "./helpers.ts";

describe("strategy catalog: built-ins", () => {
  let trader: TestUser;
  beforeAll(async () => {
    trader = await newUser({ name: "Catalog reader" });
  });
  const asTrader = () => ({ headers: { cookie: trader.cookie } });

  it("lists every built-in with source builtin, its parameter schema and requirements", async () => {
    const res = await api("/api/strategies", asTrader());
    expect(res.status).toBe(200);
    // A bare array, as published, with its count in X-Total-Count.
    const strategies = strategyListResponseSchema.parse(await res.json());
    expect(res.headers.get("X-Total-Count")).toBe(String(strategies.length));
    // Built-ins first, in catalog order; registry strategies other tests created may follow.
    const builtins = strategies.filter((s) => s.source === "builtin");
    expect(builtins.map((s) => s.slug)).toEqual(builtinStrategies.map((s) => s.slug));
    expect(strategies.slice(0, builtins.length)).toEqual(builtins);
    const sma = strategies.find((s) => s.slug === "sma-crossover");
    expect(sma).toMatchObject({
      source: "builtin",
      runtime: "native",
      minCandles: smaCrossover.minCandles,
      lookbackCandles: smaCrossover.lookbackCandles,
      defaultConfig: { takeProfitLevel: null, stopLossLevel: null },
    });
    expect(sma?.parameterSchema.properties.fast?.default).toBe(10);
    expect(sma?.parameterSchema.properties.slow?.default).toBe(30);
  });

  it("lists the 13 published built-ins with their definition's cadence and default config", async () => {
    const strategies = strategyListResponseSchema.parse(
      await (await api("/api/strategies", asTrader())).json(),
    );
    expect(publishedStrategies).toHaveLength(13);
    for (const definition of publishedStrategies) {
      expect(strategies.find((s) => s.slug === definition.slug)).toMatchObject({
        name: definition.name,
        version: "1.0.0",
        runtime: "native",
        runtimeType: "native",
        defaultFrequency: definition.defaultFrequency,
        defaultConfig: { ...definition.defaultConfig },
        source: "builtin",
      });
    }
    const momentum = strategies.find((s) => s.name === "Momentum Strategy");
    expect(momentum).toMatchObject({
      slug: "momentum-strategy",
      defaultFrequency: "scalping",
      defaultConfig: { takeProfitLevel: 1, stopLossLevel: 0.4, timeframe: "5m" },
    });
  });

  it("gets one built-in by slug and answers 404 for an unknown one", async () => {
    const res = await api("/api/strategies/ema-crossover", asTrader());
    expect(res.status).toBe(200);
    expect(strategyResponseSchema.parse(await res.json()).strategy.slug).toBe("ema-crossover");
    await expectError(await api("/api/strategies/no-such-strategy", asTrader()), 404, "NOT_FOUND");
  });

  it("needs a session", async () => {
    await expectError(await api("/api/strategies"), 401, "UNAUTHENTICATED");
  });
});
