/**
 * `@quantago/strategies`: the fast-path strategy contract, incremental indicators, the built-in
 * strategies and the adapter for strategies written against the per-candle JSON contract.
 *
 * Pure and deterministic: no I/O, no clock, no randomness, no runtime globals.
 *
 * @module
 */

export type {
  AsyncCandleStrategyFn,
  Candle,
  CandleContext,
  CandleDecision,
  CandleInputSource,
  CandleOpenPosition,
  CandlePortfolio,
  CandleStrategyFn,
  CandleStrategyIdentity,
  CandleStrategyInput,
  CandleStrategyOptions,
  ResolvedCandleStrategyOptions,
} from "./adapter.ts";
export {
  adaptAsyncCandleStrategy,
  adaptCandleStrategy,
  parseCandleDecision,
  perCandleStrategy,
  preflightCandleStrategy,
  resolveCandleStrategyOptions,
  StrategyOutputError,
} from "./adapter.ts";
export * from "./builtin/index.ts";
export type {
  ActionCode,
  AsyncBarStrategy,
  BarColumns,
  BarStrategy,
  DecisionSlot,
  PortfolioView,
} from "./contract.ts";
export { BUY, copyBars, createDecisionSlot, HOLD, SELL, sliceBars } from "./contract.ts";
export * from "./indicators/index.ts";
export type {
  ParameterIssue,
  ParameterProperty,
  ParameterSchema,
  ParameterType,
  ParameterValue,
} from "./params.ts";
export { ParameterValidationError, resolveParameters } from "./params.ts";
export type { CivilDate } from "./time.ts";
export { civilFromDays, DAY_MS, daysFromCivil, formatIsoUtc, weekdayFromDays } from "./time.ts";
