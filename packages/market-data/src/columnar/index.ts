export {
  BAR_COLUMNS,
  BAR_COLUMNS_FORMAT,
  type BarColumnsPayload,
  columnChunks,
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
