import type { ClickHouseClient } from "@clickhouse/client-web";
import { baseTimeframe } from "../query/candles.ts";
import { toUnixMs } from "../query/sql.ts";
import { bucketStart, type Timeframe, timeframeMs } from "../timeframes.ts";
import { type ColumnarQuery, type ColumnarResult, readBarsColumnar } from "./read.ts";

/** Default smallest slice: shorter ranges are read in one query (slicing would only add round trips). */
const MIN_BUCKETS_PER_SLICE = 100_000;

/**
 * Slice boundaries inside `[fromMs, toMs)`, each on a bucket start of `timeframe`, so that every bucket
 * falls entirely into one slice and the slices' bars, concatenated, are exactly the bars of the whole
 * range (a bucket is built from the base bars inside the range only, whichever slice asks).
 */
export function sliceBoundaries(
  fromMs: number,
  toMs: number,
  timeframe: Timeframe,
  slices: number,
  minBucketsPerSlice = MIN_BUCKETS_PER_SLICE,
): number[] {
  const step = timeframeMs(timeframe);
  const buckets = Math.ceil((toMs - fromMs) / step);
  const count = Math.max(1, Math.min(slices, Math.floor(buckets / minBucketsPerSlice)));
  const cuts = [fromMs];
  for (let i = 1; i < count; i++) {
    const cut = bucketStart(fromMs + Math.floor((i * (toMs - fromMs)) / count), timeframe);
    if (cut > (cuts.at(-1) as number) && cut < toMs) cuts.push(cut);
  }
  cuts.push(toMs);
  return cuts;
}

/**
 * {@link readBarsColumnar} for long ranges: the range is cut into up to `slices` bucket-aligned parts
 * read concurrently (ClickHouse runs them on separate threads and the transfers overlap), then joined.
 * Same bars, bit for bit, as one read of the whole range. No `limit`: it reads everything.
 *
 * @example
 * const bars = await readBarsColumnarSliced(client, { symbol: "SMAX-1M", timeframe: "1m", from, to }, 4);
 */
export async function readBarsColumnarSliced(
  client: ClickHouseClient,
  params: Omit<ColumnarQuery, "limit">,
  slices: number,
  minBucketsPerSlice = MIN_BUCKETS_PER_SLICE,
): Promise<ColumnarResult> {
  const fromMs = toUnixMs(params.from, "from");
  const toMs = toUnixMs(params.to, "to");
  const base = params.base ?? (await baseTimeframe(client, params.symbol, { database: params.database }));
  const cuts =
    base === null
      ? [fromMs, toMs]
      : sliceBoundaries(fromMs, toMs, params.timeframe, slices, minBucketsPerSlice);
  if (base === null || cuts.length === 2)
    return readBarsColumnar(client, { ...params, ...(base ? { base } : {}) });
  const parts = await Promise.all(
    cuts.slice(1).map((to, i) => readBarsColumnar(client, { ...params, base, from: cuts[i] as number, to })),
  );
  const count = parts.reduce((n, p) => n + p.count, 0);
  const join = (column: "time" | "open" | "high" | "low" | "close" | "volume") => {
    const out = new Float64Array(count);
    let offset = 0;
    for (const part of parts) {
      out.set(part[column].subarray(0, part.count), offset);
      offset += part.count;
    }
    return out;
  };
  return {
    time: join("time"),
    open: join("open"),
    high: join("high"),
    low: join("low"),
    close: join("close"),
    volume: join("volume"),
    count,
    truncated: false,
    baseTimeframe: base,
  };
}
