import { Ema } from "../indicators/ema.ts";
import { defineStrategy, type StrategySpec } from "./definition.ts";
import { MovingAverageCrossover } from "./ma-crossover.ts";

/** Parameters of {@link emaCrossover}. */
export interface EmaCrossoverParams extends Record<string, number> {
  fast: number;
  slow: number;
}

/** The EMA crossover rule, shared by {@link emaCrossover} and its aliases (`aliases.ts`). */
export const emaCrossoverSpec: StrategySpec<EmaCrossoverParams> = {
  slug: "ema-crossover",
  name: "EMA Crossover",
  description:
    "Buys when the fast exponential moving average of closes crosses above the slow one and sells when it crosses below.",
  parameterSchema: {
    type: "object",
    properties: {
      fast: {
        type: "integer",
        title: "Fast period",
        description: "Period of the fast exponential moving average (alpha = 2 / (period + 1)).",
        default: 12,
        minimum: 1,
        maximum: 5000,
      },
      slow: {
        type: "integer",
        title: "Slow period",
        description: "Period of the slow exponential moving average; must be greater than the fast period.",
        default: 26,
        minimum: 2,
        maximum: 10000,
      },
    },
    required: ["fast", "slow"],
  },
  check: (p) => (p.fast < p.slow ? [] : [`fast (${p.fast}) must be less than slow (${p.slow})`]),
  requirements: (p) => ({ minCandles: p.slow + 1, lookbackCandles: p.slow + 1 }),
  create: (p, req, slug, indicators) =>
    new MovingAverageCrossover(
      slug,
      indicators.ofClose(`ema:${p.fast}`, () => new Ema(p.fast)),
      indicators.ofClose(`ema:${p.slow}`, () => new Ema(p.slow)),
      req,
    ),
};

/**
 * EMA crossover: like {@link smaCrossover} with exponential moving averages (each seeded with the
 * simple average of its first `period` closes). First evaluable bar: index `slow`.
 *
 * @example
 * ```ts
 * const strategy = emaCrossover.create({ fast: 12, slow: 26 });
 * ```
 */
export const emaCrossover = defineStrategy(emaCrossoverSpec);
