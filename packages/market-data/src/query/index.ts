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
  type BarsSql,
  type BarsSqlOptions,
  BUCKET_SQL,
  buildBarColumnsSql,
  buildBarsSql,
  MAX_COLUMNAR_BARS,
  MAX_QUERY_LIMIT,
  ohlcvTable,
  TimeframeTooFineError,
  type TimeInput,
  toUnixMs,
} from "./sql.ts";
