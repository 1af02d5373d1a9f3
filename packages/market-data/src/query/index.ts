export {
  baseTimeframe,
  type Candle,
  type CandleQuery,
  type CandleQueryResult,
  DEFAULT_CANDLE_LIMIT,
  hasBars,
  queryCandles,
  withBaseTimeframe,
} from "./candles.ts";
export { listSymbols, type StoredSeries } from "./catalog.ts";
export {
  buildRollupRefreshSql,
  hasRollup,
  isStaleRollupError,
  ROLLUP_TIMEFRAMES,
  type RollupRefreshScope,
  rebuildAllRollups,
  refreshRollups,
  refreshStaleRollups,
  rollupBases,
  seriesRevisions,
  wholeBuckets,
} from "./rollups.ts";
export {
  BAR_AGGREGATES,
  type BarsSql,
  type BarsSqlOptions,
  BUCKET_SQL,
  buildBarColumnsSql,
  buildBarsSql,
  MAX_COLUMNAR_BARS,
  MAX_QUERY_LIMIT,
  ohlcvTable,
  rollupTable,
  seriesTable,
  TimeframeTooFineError,
  type TimeInput,
  toUnixMs,
  withRollupFallback,
} from "./sql.ts";
export { buildTicksJsonSql, queryTicksJson, type TicksJson } from "./ticks-json.ts";
