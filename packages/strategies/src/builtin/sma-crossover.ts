import { Sma } from "../indicators/sma.ts";
import { defineStrategy } from "./definition.ts";
import { MovingAverageCrossover } from "./ma-crossover.ts";

/** Parameters of {@link smaCrossover}. */
export interface SmaCrossoverParams extends Record<string, number> {
  fast: number;
  slow: number;
}

/**
 * SMA crossover (the SMAX-1m strategy): `fast = SMA(close, fast)` and `slow = SMA(close, slow)`,
 * both including the current bar. BUY when fast crosses above slow (`fast_t > slow_t` and
 * `fast_{t-1} <= slow_{t-1}`), SELL when it crosses below, HOLD otherwise. The first evaluable bar is
 * index `slow` (0-based), so `minCandles = slow + 1`.
 *
 * @example
 * ```ts
 * const strategy = smaCrossover.create({ fast: 10, slow: 30 });
 * ```
 */
export const smaCrossover = defineStrategy<SmaCrossoverParams>({
  slug: "sma-crossover",
  name: "SMA Crossover",
  description:
    "Buys when the fast simple moving average of closes crosses above the slow one and sells when it crosses below.",
  parameterSchema: {
    type: "object",
    properties: {
      fast: {
        type: "integer",
        title: "Fast window",
        description: "Number of bars in the fast simple moving average (including the current bar).",
        default: 10,
        minimum: 1,
        maximum: 5000,
      },
      slow: {
        type: "integer",
        title: "Slow window",
        description:
          "Number of bars in the slow simple moving average; must be greater than the fast window.",
        default: 30,
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
      indicators.ofClose(`sma:${p.fast}`, () => new Sma(p.fast)),
      indicators.ofClose(`sma:${p.slow}`, () => new Sma(p.slow)),
      req,
    ),
});
