export {
  BAR_COLUMNS,
  type BarColumnsPayload,
  columnBytes,
  fetchBarColumns,
  joinBarColumns,
  parseBarColumns,
} from "./columns.ts";
export {
  type ColumnarQuery,
  type ColumnarResult,
  type FetchedColumns,
  fetchBarsColumnar,
  readBarsColumnar,
  type SliceOptions,
} from "./read.ts";
export { BAR_ROW_BYTES, type ColumnarBars, decodeBarsRowBinary, RowBinaryBarDecoder } from "./rowbinary.ts";
export { sliceBoundaries } from "./sliced.ts";
