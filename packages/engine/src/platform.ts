/**
 * Mapping from the published backtest request's parameters to an {@link ExecutionConfig}.
 *
 * @module
 */

import { EngineConfigError, type EntryFrequency, type ExecutionConfig } from "./config.ts";

/** Keys of `parameters` that configure the platform rather than the strategy, as the published backtest request names them. */
export const PLATFORM_PARAMETER_KEYS: readonly string[] = Object.freeze([
  "timeframe",
  "riskPerTrade",
  "maxTradeTime",
  "takeProfitLevel",
  "stopLossLevel",
  "entryFrequency",
  "provider",
  "assetClass",
  "strategyVersion",
  "strategyRuntime",
  "strategyDescription",
  "strategyMinCandles",
  "strategyLookbackCandles",
  "strategyParameterSchema",
]);

function optionalNumber(name: string, v: unknown, issues: string[]): number | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  const x = typeof v === "string" ? Number(v) : v;
  if (typeof x !== "number" || !Number.isFinite(x)) {
    issues.push(`${name} must be a number, got ${JSON.stringify(v)}`);
    return undefined;
  }
  return x;
}

/**
 * Builds the execution config of a published backtest request: `riskPerTrade` → `risk_per_trade`
 * sizing with `riskPct`, `maxTradeTime` (hours) → `maxTradeHours`, `takeProfitLevel` /
 * `stopLossLevel` (percent) → `takeProfitPct` / `stopLossPct`, `entryFrequency` (any letter case),
 * `timeframe`. Numeric strings are accepted. Everything not listed stays at the engine defaults and
 * can be overridden with `overrides`. Also returns the strategy's own parameters (every key not in
 * {@link PLATFORM_PARAMETER_KEYS}).
 *
 * @example
 * ```ts
 * const { config, strategyParameters } = executionConfigFromParameters(
 *   { timeframe: "1h", stopLossLevel: 2, fast: 5 },
 *   { exchange: "crypto", initialBalance: 10_000 },
 * );
 * // config.stopLossPct === 2, strategyParameters = { fast: 5 }
 * ```
 */
export function executionConfigFromParameters(
  parameters: Record<string, unknown>,
  overrides: ExecutionConfig = {},
): { config: ExecutionConfig; strategyParameters: Record<string, unknown> } {
  const issues: string[] = [];
  const config: ExecutionConfig = { sizing: "risk_per_trade" };
  const risk = optionalNumber("riskPerTrade", parameters.riskPerTrade, issues);
  if (risk !== undefined) config.riskPct = risk;
  const maxTradeTime = optionalNumber("maxTradeTime", parameters.maxTradeTime, issues);
  if (maxTradeTime !== undefined) config.maxTradeHours = maxTradeTime;
  const tp = optionalNumber("takeProfitLevel", parameters.takeProfitLevel, issues);
  if (tp !== undefined) config.takeProfitPct = tp;
  const sl = optionalNumber("stopLossLevel", parameters.stopLossLevel, issues);
  if (sl !== undefined) config.stopLossPct = sl;
  const freq = parameters.entryFrequency;
  if (freq !== undefined && freq !== null) {
    if (typeof freq !== "string") issues.push(`entryFrequency must be a string, got ${JSON.stringify(freq)}`);
    else config.entryFrequency = freq.toLowerCase() as EntryFrequency;
  }
  const tf = parameters.timeframe;
  if (tf !== undefined && tf !== null) {
    if (typeof tf !== "string") issues.push(`timeframe must be a string, got ${JSON.stringify(tf)}`);
    else config.timeframe = tf;
  }
  if (issues.length > 0) throw new EngineConfigError(issues);
  const strategyParameters: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(parameters)) {
    if (!PLATFORM_PARAMETER_KEYS.includes(k)) strategyParameters[k] = v;
  }
  return { config: { ...config, ...overrides }, strategyParameters };
}
