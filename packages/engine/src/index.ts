/**
 * `@quantago/engine`: the backtesting engine. Bars in as typed-array columns, decisions from a
 * fast-path strategy, a precomputed decision column or an async strategy; trades, an equity curve
 * and metrics out.
 *
 * Pure and deterministic: no I/O, no clock, no randomness, no runtime globals.
 *
 * @module
 */

export type {
  AsyncDecisionSource,
  ComputeSignalsOptions,
  DecisionSource,
  SignalColumns,
} from "./backtest.ts";
export { computeSignals, runBacktest, runBacktestAsync } from "./backtest.ts";
export type {
  Direction,
  EndOfData,
  EntryFrequency,
  Exchange,
  ExecutionConfig,
  FillModel,
  ResolvedExecutionConfig,
  SizingMode,
} from "./config.ts";
export {
  ENTRY_SPACING_MS,
  EngineConfigError,
  inferTimeframeMs,
  parseTimeframe,
  resolveExecutionConfig,
  YEAR_MS,
} from "./config.ts";
export { generateSmaxBars, SMAX_START_MS, SMAX_STEP_MS, SplitMix64 } from "./fixtures/smax.ts";
export type { DirectionMetrics, Metrics, MetricsInput, TradeStats } from "./metrics.ts";
export { computeMetrics, tradeStats } from "./metrics.ts";
export { type TradeNotes, tradeNotes } from "./notes.ts";
export { OutputPool } from "./output-pool.ts";
export { executionConfigFromParameters, PLATFORM_PARAMETER_KEYS } from "./platform.ts";
export { DecisionError, validateBars } from "./simulation.ts";
export {
  decodeTradeColumns,
  encodeTradeColumns,
  type StoredTradeColumns,
  TRADE_BLOB_BYTES_PER_TRADE,
  type TradeSortKey,
  tradeOrder,
} from "./trade-blob.ts";
export type { TradeColumns } from "./trade-log.ts";
export { EXIT_REASONS, tradeAt } from "./trade-log.ts";
export type {
  BacktestResult,
  ExitReason,
  OpenPosition,
  Side,
  SignalNote,
  Trade,
} from "./types.ts";
export type { VenueSession, VenueTimeZone } from "./venue.ts";
export { dstInterval, isInVenueSession, utcOffsetMs, VENUE_SESSIONS, venueMask } from "./venue.ts";
