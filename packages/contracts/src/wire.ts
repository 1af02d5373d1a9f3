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
