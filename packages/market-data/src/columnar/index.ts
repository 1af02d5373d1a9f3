export {
  BAR_COLUMNS,
  type BarColumnsResponse,
  openBarColumns,
  readBarColumns,
  startBarColumns,
} from "./columns.ts";
export {
  type ColumnarQuery,
  type ColumnarResult,
  type OpenedColumns,
  openBarsColumnar,
  readBarsColumnar,
} from "./read.ts";
export { BAR_ROW_BYTES, type ColumnarBars, decodeBarsRowBinary, RowBinaryBarDecoder } from "./rowbinary.ts";
export { readBarsColumnarSliced, sliceBoundaries } from "./sliced.ts";
