/**
 * A sweep's combinations, decided before anything runs: each axis is checked against the strategy's
 * parameter schema (known parameter, type, bounds, choices), the grid is counted, and every
 * combination is put through the strategy's own rules (e.g. fast < slow). Combinations the rules
 * refuse are counted and skipped, never run: a grid over fast and slow windows naturally holds some.
 * A sweep with no valid combination, or more than the limit, is a 400. Pure (no I/O).
 */
import { MAX_SWEEP_COMBINATIONS, MAX_SWEEP_GRID, type SweepAxis } from "@quantago/contracts";
import {
  axisValues,
  type Combination,
  expandGrid,
  gridSize,
  SweepSpecError,
  type SweepValue,
  sampleGrid,
} from "@quantago/engine/research";
import {
  acceptsParameters,
  ParameterValidationError,
  resolveParameters,
  type StrategyDefinition,
} from "@quantago/strategies";
import { AppError } from "../../lib/errors.ts";

export type SweepSearch = { mode: "grid" } | { mode: "random"; samples: number; seed: number };

export interface SweepPlan {
  /** The valid combinations, in run order. */
  combinations: Combination[];
  /** Grid points (or samples drawn) before the strategy's rules. */
  total: number;
  /** Of those, refused by the strategy's rules and skipped. */
  skipped: number;
}

function invalid(path: Array<string | number>, message: string): AppError {
  return new AppError("VALIDATION_FAILED", message, { issues: [{ path: ["sweep", ...path], message }] });
}

/** The values of each axis, each checked against the parameter's schema entry. */
function checkedAxes(
  definition: StrategyDefinition,
  axes: Record<string, SweepAxis>,
): Record<string, SweepValue[]> {
  const out: Record<string, SweepValue[]> = {};
  for (const [name, axis] of Object.entries(axes)) {
    const properties = definition.parameterSchema.properties;
    // Own keys only: `__proto__` or `constructor` must not find Object.prototype's.
    const property = Object.hasOwn(properties, name) ? properties[name] : undefined;
    if (!property) {
      const known = Object.keys(definition.parameterSchema.properties).join(", ");
      throw invalid(
        ["axes", name],
        `${definition.slug} has no parameter ${name} (it has: ${known || "none"})`,
      );
    }
    let values: SweepValue[];
    try {
      values = axisValues(name, axis);
    } catch (e) {
      if (e instanceof SweepSpecError) throw invalid(["axes", name], e.message);
      throw e;
    }
    for (const value of values) {
      try {
        resolveParameters(
          { type: "object", properties: { [name]: property } },
          { [name]: value },
          definition.slug,
        );
      } catch (e) {
        if (e instanceof ParameterValidationError) throw invalid(["axes", name], e.message);
        throw e;
      }
    }
    out[name] = values;
  }
  return out;
}

/**
 * Plans a sweep of `definition` over `axes` on top of the base `parameters` (the request's, defaults
 * applied). Throws a 400 AppError naming the problem.
 */
export function planSweep(
  definition: StrategyDefinition,
  parameters: Record<string, unknown>,
  axes: Record<string, SweepAxis>,
  search: SweepSearch,
): SweepPlan {
  const values = checkedAxes(definition, axes);
  const size = gridSize(values);
  if (size > MAX_SWEEP_GRID) {
    throw invalid(["axes"], `The axes make ${size} combinations; at most ${MAX_SWEEP_GRID} are counted.`);
  }
  const candidates =
    search.mode === "grid" ? expandGrid(values) : sampleGrid(values, search.samples, search.seed);
  const combinations = candidates.filter((combo) =>
    acceptsParameters(definition, { ...parameters, ...combo }),
  );
  if (combinations.length === 0) {
    throw invalid(
      ["axes"],
      `None of the ${candidates.length} combinations satisfies ${definition.slug}'s rules.`,
    );
  }
  if (combinations.length > MAX_SWEEP_COMBINATIONS) {
    throw invalid(
      ["axes"],
      `The sweep has ${combinations.length} valid combinations; at most ${MAX_SWEEP_COMBINATIONS} run in one sweep.`,
    );
  }
  return { combinations, total: candidates.length, skipped: candidates.length - combinations.length };
}

/** Combinations `[from, to)` of a sweep's `combinations`: what one workflow step runs. */
export type CombinationRange = [from: number, to: number];

/**
 * Cuts `combinations` runs over `bars` bars into steps of at most `stepBarRuns` bar-runs each (at
 * least one combination a step), as even as possible: 100 runs of 100,000 bars with 20 M a step is
 * one step; 2,000 runs of 1,000,000 bars is 100 steps of 20.
 *
 * @example
 * planSweepSteps(5, 10, 20); // [[0, 2], [2, 4], [4, 5]]
 */
export function planSweepSteps(combinations: number, bars: number, stepBarRuns: number): CombinationRange[] {
  const perStep = Math.max(1, Math.floor(stepBarRuns / Math.max(1, bars)));
  const steps = Math.ceil(combinations / perStep);
  const size = Math.ceil(combinations / Math.max(1, steps));
  const out: CombinationRange[] = [];
  for (let from = 0; from < combinations; from += size) out.push([from, Math.min(combinations, from + size)]);
  return out;
}

/** Groups steps into shards of at most `perShard` (the child instances of a fanned-out sweep). */
export function shardSteps(steps: readonly CombinationRange[], perShard: number): CombinationRange[][] {
  const out: CombinationRange[][] = [];
  for (let k = 0; k < steps.length; k += perShard) out.push(steps.slice(k, k + perShard));
  return out;
}
