import type { ActionCode, BarColumns, BarStrategy } from "../contract.ts";
import { Ema } from "../indicators/ema.ts";
import { crossAction, defineStrategy, type StrategyRequirements } from "./definition.ts";

/** Parameters of {@link emaCrossover}. */
export interface EmaCrossoverParams extends Record<string, number> {
  fast: number;
  slow: number;
}

class EmaCrossoverStrategy implements BarStrategy {
  readonly slug = "ema-crossover";
  readonly usesPortfolio = false;
  readonly minCandles: number;
  readonly lookbackCandles: number;
  private readonly fast: Ema;
  private readonly slow: Ema;
  private prevFast = Number.NaN;
  private prevSlow = Number.NaN;

  constructor(p: EmaCrossoverParams, req: StrategyRequirements) {
    this.fast = new Ema(p.fast);
    this.slow = new Ema(p.slow);
    this.minCandles = req.minCandles;
    this.lookbackCandles = req.lookbackCandles;
  }

  onBar(i: number, bars: BarColumns): ActionCode {
    const c = bars.close[i] as number;
    const f = this.fast.update(c);
    const s = this.slow.update(c);
    const action = crossAction(f, s, this.prevFast, this.prevSlow);
    this.prevFast = f;
    this.prevSlow = s;
    return action;
  }

  reset(): void {
    this.fast.reset();
    this.slow.reset();
    this.prevFast = Number.NaN;
    this.prevSlow = Number.NaN;
  }
}

/**
 * EMA crossover: like {@link smaCrossover} with exponential moving averages (each seeded with the
 * simple average of its first `period` closes). First evaluable bar: index `slow`.
 *
 * @example
 * ```ts
 * const strategy = emaCrossover.create({ fast: 12, slow: 26 });
 * ```
 */
export const emaCrossover = defineStrategy<EmaCrossoverParams>({
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
  create: (p, req) => new EmaCrossoverStrategy(p, req),
});
