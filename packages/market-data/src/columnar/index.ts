export { type ColumnarQuery, type ColumnarResult, readBarsColumnar } from "./read.ts";
export { BAR_ROW_BYTES, type ColumnarBars, decodeBarsRowBinary, RowBinaryBarDecoder } from "./rowbinary.ts";
