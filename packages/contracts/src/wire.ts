/**
 * The contract's plain constants, with no schema library behind them: a browser page that only needs a
 * binary layout or a length limit imports `@quantago/contracts/wire` and does not evaluate every zod
 * schema of the API at load (the main entry re-exports these too).
 */

/**
 * Body of `GET /api/market-data/columns` (`application/vnd.quantago.columns`), little-endian:
 * bytes 0–3 the ASCII magic `QGC1`, 4–7 the bar count N (uint32), then six float64 arrays of N values
 * each, in this order: time (Unix ms), open, high, low, close, volume. Decode with one Float64Array view
 * per column; no parsing, no per-row objects.
 */
export const columnsBinaryLayout = {
  contentType: "application/vnd.quantago.columns",
  magic: "QGC1",
  headerBytes: 8,
  columns: ["time", "open", "high", "low", "close", "volume"],
} as const;

/** The longest free-text note a trader can keep on a backtest (`PATCH /api/backtests/:id`). */
export const MAX_BACKTEST_NOTE_LENGTH = 10_000;

/** How a sweep's heatmap folds the swept parameters that are neither on an axis nor held at a value. */
export const HEATMAP_AGGREGATES = ["max", "mean", "min"] as const;
export type HeatmapAggregate = (typeof HEATMAP_AGGREGATES)[number];

/** The candle timeframes the platform serves (docs/compatibility.md#market-data), finest first. */
export const marketTimeframes = ["1m", "5m", "15m", "30m", "1h", "4h", "1d", "1w"] as const;
export type MarketTimeframe = (typeof marketTimeframes)[number];

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** Length of one candle of each timeframe, in milliseconds. */
export const TIMEFRAME_MS: Readonly<Record<MarketTimeframe, number>> = {
  "1m": MINUTE_MS,
  "5m": 5 * MINUTE_MS,
  "15m": 15 * MINUTE_MS,
  "30m": 30 * MINUTE_MS,
  "1h": HOUR_MS,
  "4h": 4 * HOUR_MS,
  "1d": DAY_MS,
  "1w": 7 * DAY_MS,
};
