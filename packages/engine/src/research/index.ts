/**
 * `@quantago/engine/research`: the pure maths of parameter sweeps, walk-forward analysis and Monte
 * Carlo robustness (grid expansion, seeded sampling, windows, resampling, percentiles). No I/O.
 *
 * @module
 */
export {
  type AxisSpec,
  axisValues,
  type Combination,
  expandGrid,
  gridSize,
  MAX_AXIS_VALUES,
  SweepSpecError,
  type SweepValue,
  sampleGrid,
} from "./grid.ts";
export {
  type MonteCarloOptions,
  type MonteCarloResult,
  monteCarlo,
  type PathSummary,
  type ResampleMethod,
  summarisePath,
} from "./monte-carlo.ts";
export { type Distribution, distribution, percentileSorted, REPORTED_PERCENTILES } from "./stats.ts";
export {
  stitchEquity,
  type WalkForwardMode,
  type WalkForwardPlan,
  type WalkForwardWindow,
  walkForwardWindows,
} from "./walk-forward.ts";
