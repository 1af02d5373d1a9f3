import { TIMEFRAME_MS, type Timeframe } from "@quantago/market-data";

/** Splits `[from, to)` into spans of `chunkBars` bars (the last may be shorter). */
export function chunkRange(fromMs: number, toMs: number, timeframe: Timeframe, chunkBars: number) {
  const span = Math.max(1, chunkBars) * TIMEFRAME_MS[timeframe];
  const out: Array<[number, number]> = [];
  for (let at = fromMs; at < toMs; at += span) out.push([at, Math.min(toMs, at + span)]);
  return out;
}
