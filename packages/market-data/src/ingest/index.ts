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
export { type DeleteBarsResult, type DeleteBarsScope, deleteBars } from "./delete.ts";
export {
  BAR_INSERT_COLUMNS,
  type BarColumnsInput,
  type BarSeriesMeta,
  countBarsInRange,
  encodeBarsRowBinary,
  type InsertBarsOptions,
  insertBars,
  lastStoredBarTime,
} from "./insert.ts";
