export {
  CSV_COLUMNS,
  CsvBarParser,
  type CsvBarParserOptions,
  CsvHeaderError,
  type CsvRejection,
  type CsvRejectionCode,
  type CsvReport,
  CsvTooLargeError,
  type ParsedBars,
  parseIsoUtc,
} from "./csv.ts";
export {
  type BarColumnsInput,
  type BarSeriesMeta,
  countBarsInRange,
  encodeBarsRowBinary,
  type InsertBarsOptions,
  insertBars,
  lastStoredBarTime,
  ROWBINARY_BAR_COLUMNS,
} from "./insert.ts";
