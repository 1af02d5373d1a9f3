import { bucketStart, type Timeframe, timeframeMs } from "../timeframes.ts";

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
