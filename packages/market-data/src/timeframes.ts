import { marketTimeframeSchema, marketTimeframes, TIMEFRAME_MS } from "@quantago/contracts";

/**
 * The candle timeframes the platform serves (docs/compatibility.md#market-data: "at least 1m 5m 15m 30m 1h 4h 1d 1w"),
 * finest first. Every entry is a whole multiple of every finer one, so any of them can be built from
 * any finer one by aggregation.
 */
export const TIMEFRAMES = marketTimeframes;

export type Timeframe = (typeof TIMEFRAMES)[number];

const DAY_MS = TIMEFRAME_MS["1d"];

/** Length of one candle of each timeframe, in milliseconds (the contracts' table). */
export { TIMEFRAME_MS };

/**
 * Monday 1969-12-29 00:00 UTC. Weeks start on Monday (ISO 8601, and what Binance and ClickHouse's
 * `toMonday` use), while the Unix epoch fell on a Thursday; week buckets are counted from here.
 */
export const WEEK_ORIGIN_MS = -3 * DAY_MS;

/**
 * Validates a timeframe string (exact spelling, as listed in {@link TIMEFRAMES}).
 *
 * @example
 * timeframeSchema.parse("4h"); // "4h"
 * timeframeSchema.safeParse("2h").success; // false
 */
export const timeframeSchema = marketTimeframeSchema;

/**
 * Type guard for {@link Timeframe}.
 *
 * @example
 * isTimeframe("1w"); // true
 * isTimeframe("1M"); // false (months are not served)
 */
export function isTimeframe(value: unknown): value is Timeframe {
  return typeof value === "string" && (TIMEFRAMES as readonly string[]).includes(value);
}

/**
 * Duration of one candle in milliseconds.
 *
 * @example
 * timeframeMs("4h"); // 14_400_000
 */
export function timeframeMs(timeframe: Timeframe): number {
  return TIMEFRAME_MS[timeframe];
}

/**
 * Orders timeframes by duration: negative when `a` is finer than `b`.
 *
 * @example
 * ["1d", "1m", "4h"].sort(compareTimeframes); // ["1m", "4h", "1d"]
 */
export function compareTimeframes(a: Timeframe, b: Timeframe): number {
  return TIMEFRAME_MS[a] - TIMEFRAME_MS[b];
}

/**
 * The finest timeframe in a list (ignoring unknown strings), or `null` when there is none.
 *
 * @example
 * finestTimeframe(["1d", "1m", "garbage"]); // "1m"
 * finestTimeframe([]); // null
 */
export function finestTimeframe(timeframes: Iterable<string>): Timeframe | null {
  let best: Timeframe | null = null;
  for (const candidate of timeframes) {
    if (isTimeframe(candidate) && (best === null || TIMEFRAME_MS[candidate] < TIMEFRAME_MS[best])) {
      best = candidate;
    }
  }
  return best;
}

/**
 * Whether candles of `target` can be built from candles of `base`: `target` is `base` or coarser, and
 * every `target` bucket is a union of whole `base` buckets. True for every pair of listed timeframes
 * where `target` is not finer, but checked rather than assumed so that adding e.g. `45m` stays safe.
 *
 * @example
 * canAggregate("1m", "4h"); // true
 * canAggregate("1h", "15m"); // false
 */
export function canAggregate(base: Timeframe, target: Timeframe): boolean {
  const baseMs = TIMEFRAME_MS[base];
  const targetMs = TIMEFRAME_MS[target];
  if (targetMs < baseMs || targetMs % baseMs !== 0) return false;
  // Weekly buckets start on a Monday, not at the epoch, so the base buckets only tile them when they
  // tile a day (the week origin is midnight).
  if (target === "1w" && base !== "1w") return DAY_MS % baseMs === 0;
  return true;
}

/**
 * Start (Unix ms, UTC) of the `timeframe` bucket containing `timeMs`. Buckets are aligned to the Unix
 * epoch in UTC (so `4h` buckets start at 00, 04, 08... UTC and `1d` at midnight UTC), except `1w`,
 * which starts on Monday 00:00 UTC. This is the JS twin of the ClickHouse bucket expressions in
 * `query/sql.ts` and of the provider-side aggregation; tests hold them equal.
 *
 * @example
 * new Date(bucketStart(Date.parse("2024-01-03T10:17:00Z"), "4h")).toISOString(); // "2024-01-03T08:00:00.000Z"
 * new Date(bucketStart(Date.parse("2024-01-03T10:17:00Z"), "1w")).toISOString(); // "2024-01-01T00:00:00.000Z" (a Monday)
 */
export function bucketStart(timeMs: number, timeframe: Timeframe): number {
  const size = TIMEFRAME_MS[timeframe];
  const origin = timeframe === "1w" ? WEEK_ORIGIN_MS : 0;
  return Math.floor((timeMs - origin) / size) * size + origin;
}
