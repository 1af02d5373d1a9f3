import { apiGetBytes } from "@quantago/app-kit";
import { columnsBinaryLayout } from "@quantago/contracts/wire";
import { queryOptions } from "@tanstack/react-query";
import { marketKeys, type Timeframe } from "./market.ts";

/* Bars for charts. Kept apart from `market.ts` (which the app shell imports): only the chart pages load
   this module. The layout constant comes from the contracts' zod-free entry, so a chart page does not
   evaluate every API schema before it can draw. */

/** Decoded `application/vnd.quantago.columns`: one Float64Array per column, no per-bar objects. */
export interface Columns {
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** Decodes the columnar body (docs/api.md): `QGC1`, uint32 N, six float64 arrays of N. */
export function decodeColumns(buf: ArrayBuffer): Columns {
  const view = new DataView(buf);
  const magic = String.fromCharCode(view.getUint8(0), view.getUint8(1), view.getUint8(2), view.getUint8(3));
  if (magic !== columnsBinaryLayout.magic) throw new Error(`Unexpected market data format (${magic})`);
  const n = view.getUint32(4, true);
  const at = (k: number) => new Float64Array(buf, columnsBinaryLayout.headerBytes + k * n * 8, n);
  return { time: at(0), open: at(1), high: at(2), low: at(3), close: at(4), volume: at(5) };
}

export interface ColumnsParams {
  symbol: string;
  timeframe: Timeframe;
  /** `YYYY-MM-DD`, inclusive start. */
  from: string;
  /** `YYYY-MM-DD`, exclusive end. */
  to: string;
}

/**
 * Stored bars as binary columns. Chosen over `/ticks` (JSON, at most 50,000 candles): a year of 1m
 * bars (525,600) is one request, decoded without parsing.
 */
export function columnsQuery(p: ColumnsParams) {
  const qs = new URLSearchParams({
    symbol: p.symbol,
    startDate: p.from,
    endDate: p.to,
    timeframe: p.timeframe,
  });
  return queryOptions({
    queryKey: marketKeys.columns(p),
    queryFn: async ({ signal }) =>
      decodeColumns(
        await apiGetBytes(`/api/market-data/columns?${qs}`, columnsBinaryLayout.contentType, signal),
      ),
    staleTime: 5 * 60_000,
  });
}
