/**
 * Parameter sweeps: the values each swept parameter takes (its axis), the grid of every combination
 * of them, and a seeded random sample of that grid. Pure: the same spec and seed give the same list.
 *
 * @module
 */

import { SplitMix64 } from "../fixtures/smax.ts";

/** One value of a swept parameter. */
export type SweepValue = number | string | boolean;

/** How one parameter is swept: an inclusive range walked by `step`, or explicit choices. */
export type AxisSpec =
  | { readonly min: number; readonly max: number; readonly step: number }
  | { readonly values: readonly SweepValue[] };

/** A combination: one value per swept parameter. */
export type Combination = Record<string, SweepValue>;

/** Thrown when an axis is malformed (empty, step <= 0, too many values). */
export class SweepSpecError extends Error {
  override name = "SweepSpecError";
  readonly parameter: string;
  constructor(parameter: string, message: string) {
    super(`${parameter}: ${message}`);
    this.parameter = parameter;
  }
}

/** No axis may hold more values than this, whatever the combination limit. */
export const MAX_AXIS_VALUES = 10_000;

/**
 * The values of an axis, in order. A range holds `min, min+step, ...` up to `max` inclusive; each
 * value is computed as `min + i*step` and rounded to 12 significant digits, so 0.1 steps do not drift.
 */
export function axisValues(name: string, axis: AxisSpec): SweepValue[] {
  if ("values" in axis) {
    if (axis.values.length === 0) throw new SweepSpecError(name, "needs at least one value");
    if (axis.values.length > MAX_AXIS_VALUES)
      throw new SweepSpecError(name, `at most ${MAX_AXIS_VALUES} values`);
    return [...new Set(axis.values)];
  }
  const { min, max, step } = axis;
  if (![min, max, step].every(Number.isFinite))
    throw new SweepSpecError(name, "min, max and step must be finite");
  if (step <= 0) throw new SweepSpecError(name, "step must be > 0");
  if (max < min) throw new SweepSpecError(name, "max must be >= min");
  const count = Math.floor((max - min) / step + 1e-9) + 1;
  if (count > MAX_AXIS_VALUES) throw new SweepSpecError(name, `at most ${MAX_AXIS_VALUES} values`);
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(Number((min + i * step).toPrecision(12)));
  return out;
}

/** Number of combinations of the axes (their sizes multiplied), without listing them. */
export function gridSize(axes: Readonly<Record<string, readonly SweepValue[]>>): number {
  return Object.values(axes).reduce((n, values) => n * values.length, 1);
}

/**
 * Every combination of the axes, the last parameter varying fastest (like nested loops in key order).
 *
 * @example
 * ```ts
 * expandGrid({ fast: [5, 10], slow: [20, 30] });
 * // [{fast:5,slow:20},{fast:5,slow:30},{fast:10,slow:20},{fast:10,slow:30}]
 * ```
 */
export function expandGrid(axes: Readonly<Record<string, readonly SweepValue[]>>): Combination[] {
  const names = Object.keys(axes);
  const total = gridSize(axes);
  const out: Combination[] = [];
  for (let index = 0; index < total; index++) out.push(combinationAt(axes, names, index));
  return out;
}

function combinationAt(
  axes: Readonly<Record<string, readonly SweepValue[]>>,
  names: readonly string[],
  index: number,
): Combination {
  const combo: Combination = {};
  let rest = index;
  for (let k = names.length - 1; k >= 0; k--) {
    const name = names[k] as string;
    const values = axes[name] as readonly SweepValue[];
    combo[name] = values[rest % values.length] as SweepValue;
    rest = Math.floor(rest / values.length);
  }
  return combo;
}

/**
 * `samples` distinct combinations of the grid drawn with a seeded generator (all of them, in grid
 * order, when the grid is not larger). Same axes and seed, same sample, in the same order.
 */
export function sampleGrid(
  axes: Readonly<Record<string, readonly SweepValue[]>>,
  samples: number,
  seed: number,
): Combination[] {
  const total = gridSize(axes);
  if (samples >= total) return expandGrid(axes);
  const names = Object.keys(axes);
  const rng = new SplitMix64(seed);
  const picked = new Set<number>();
  const out: Combination[] = [];
  while (out.length < samples) {
    const index = Math.floor(rng.next() * total);
    if (picked.has(index)) continue;
    picked.add(index);
    out.push(combinationAt(axes, names, index));
  }
  return out;
}
