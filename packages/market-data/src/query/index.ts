export {
  baseTimeframe,
  type Candle,
  type CandleQuery,
  type CandleQueryResult,
  DEFAULT_CANDLE_LIMIT,
  listSymbols,
  queryCandles,
  type StoredSeries,
  withBaseTimeframe,
} from "./candles.ts";
export {
  buildRollupRefreshSql,
  hasRollup,
  isStaleRollupError,
  ROLLUP_TIMEFRAMES,
  type RollupRefreshScope,
  refreshRollups,
  rollupBases,
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
