import { describe, expect, it } from "vitest";
import {
  EngineConfigError,
  inferTimeframeMs,
  parseTimeframe,
  resolveExecutionConfig,
  YEAR_MS,
} from "./config.ts";
import { executionConfigFromParameters } from "./platform.ts";

describe("resolveExecutionConfig", () => {
  it("documents every default", () => {
    expect(resolveExecutionConfig({}, Float64Array.of(0, 60_000, 120_000))).toEqual({
      initialBalance: 10_000,
      fill: "next_open",
      direction: "long_short",
      sizing: "risk_per_trade",
      units: 1,
      fraction: 1,
      riskPct: 2,
      feePct: 0,
      feeFixed: 0,
      slippageBps: 0,
      takeProfitPct: null,
      stopLossPct: null,
      maxTradeHours: null,
      entryFrequency: "scalping",
      entrySpacingMs: 0,
      exchange: "crypto",
      timeframe: null,
      timeframeMs: 60_000,
      periodsPerYear: YEAR_MS / 60_000,
      endOfData: "close",
    });
  });

  it("treats 0 as 'none' for TP, SL and max trade time", () => {
    const c = resolveExecutionConfig({ takeProfitPct: 0, stopLossPct: 0, maxTradeHours: 0 });
    expect([c.takeProfitPct, c.stopLossPct, c.maxTradeHours]).toEqual([null, null, null]);
  });

  it("lists every problem", () => {
    expect(() =>
      resolveExecutionConfig({
        initialBalance: 0,
        units: -1,
        slippageBps: Number.NaN,
        stopLossPct: -2,
        entryFrequency: "hourly" as never,
        exchange: "lse" as never,
        timeframe: "1M",
      }),
    ).toThrow(EngineConfigError);
    const error = (() => {
      try {
        resolveExecutionConfig({ initialBalance: 0, timeframe: "1M", exchange: "lse" as never });
      } catch (e) {
        return e as EngineConfigError;
      }
    })();
    expect(error?.issues).toEqual([
      "initialBalance must be > 0, got 0",
      'exchange must be one of london, newyork, tokyo, nasdaq, nyse, crypto, got "lse"',
      'timeframe must look like 1m, 5m, 1h, 4h, 1d or 1w, got "1M"',
    ]);
  });

  it("uses a given timeframe and periodsPerYear", () => {
    const c = resolveExecutionConfig({ timeframe: "1d", periodsPerYear: 252 }, Float64Array.of(0, 60_000));
    expect(c.timeframeMs).toBe(86_400_000);
    expect(c.periodsPerYear).toBe(252);
    expect(c.timeframe).toBe("1d");
  });
});

describe("timeframes", () => {
  it("parses the platform timeframes", () => {
    expect(["1m", "5m", "15m", "30m", "1h", "4h", "1d", "1w", "1D", "30s"].map(parseTimeframe)).toEqual([
      60_000, 300_000, 900_000, 1_800_000, 3_600_000, 14_400_000, 86_400_000, 604_800_000, 86_400_000, 30_000,
    ]);
    expect(parseTimeframe("1M")).toBeNull();
    expect(parseTimeframe("0m")).toBeNull();
    expect(parseTimeframe("hourly")).toBeNull();
  });

  it("infers the smallest gap", () => {
    expect(inferTimeframeMs(Float64Array.of(0, 120, 180, 400))).toBe(60);
    expect(inferTimeframeMs(Float64Array.of(5))).toBe(0);
  });
});

describe("executionConfigFromParameters", () => {
  it("maps the published platform parameters and keeps the rest for the strategy", () => {
    const { config, strategyParameters } = executionConfigFromParameters(
      {
        timeframe: "1h",
        riskPerTrade: "1.5",
        maxTradeTime: 24,
        takeProfitLevel: 4,
        stopLossLevel: 2,
        entryFrequency: "Daily",
        provider: "yahoo",
        fast: 5,
        slow: 20,
      },
      { exchange: "nyse", initialBalance: 5000 },
    );
    expect(config).toEqual({
      sizing: "risk_per_trade",
      riskPct: 1.5,
      maxTradeHours: 24,
      takeProfitPct: 4,
      stopLossPct: 2,
      entryFrequency: "daily",
      timeframe: "1h",
      exchange: "nyse",
      initialBalance: 5000,
    });
    expect(strategyParameters).toEqual({ fast: 5, slow: 20 });
    expect(resolveExecutionConfig(config).entrySpacingMs).toBe(86_400_000);
  });

  it("rejects non-numeric values", () => {
    expect(() => executionConfigFromParameters({ stopLossLevel: "abc" })).toThrow(
      /stopLossLevel must be a number/,
    );
  });
});
