import type { ActionCode, BarColumns } from "../contract.ts";
import { BUY, HOLD, SELL } from "../contract.ts";
import { BarsOnlyStrategy } from "./base.ts";
import { defineStrategy, type StrategyRequirements } from "./definition.ts";

/** Parameters of {@link priceActionStrategy}. */
export interface PriceActionParams extends Record<string, number> {
  /** How many bodies long the rejection wick must be. */
  wickRatio: number;
}

/** Bars held before the first decision: the published floor of 3 candles. */
const WARMUP = 3;

class PriceAction extends BarsOnlyStrategy {
  private readonly ratio: number;
  private seen = 0;

  constructor(slug: string, p: PriceActionParams, req: StrategyRequirements) {
    super(slug, req);
    this.ratio = p.wickRatio;
  }

  onBar(i: number, bars: BarColumns): ActionCode {
    if (this.seen < WARMUP - 1) {
      this.seen++;
      return HOLD;
    }
    const o = bars.open[i] as number;
    const c = bars.close[i] as number;
    const body = Math.abs(c - o);
    const upperWick = (bars.high[i] as number) - Math.max(o, c);
    const lowerWick = Math.min(o, c) - (bars.low[i] as number);
    if (lowerWick > body * this.ratio && upperWick < body) return BUY;
    if (upperWick > body * this.ratio && lowerWick < body) return SELL;
    return HOLD;
  }

  reset(): void {
    this.seen = 0;
  }
}

/**
 * Price Action Strategy: pin bars. BUY on a bar whose lower wick is longer than `wickRatio` bodies
 * while its upper wick is shorter than the body (buyers rejected lower prices), SELL on the mirror
 * image. Decides from the third bar on (the published 3-candle floor). Daily cadence, 1.6 % / 0.8 %
 * exits.
 *
 * @example
 * ```ts
 * const strategy = priceActionStrategy.create({ wickRatio: 2 });
 * ```
 */
export const priceActionStrategy = defineStrategy<PriceActionParams>({
  slug: "price-action-strategy",
  name: "Price Action Strategy",
  description: "Looks for pin-bar reversal candles: a long rejection wick against a small body.",
  defaultFrequency: "daily",
  defaultConfig: { takeProfitLevel: 1.6, stopLossLevel: 0.8 },
  parameterSchema: {
    type: "object",
    properties: {
      wickRatio: {
        type: "number",
        title: "Wick to body ratio",
        description: "The rejection wick must be longer than this many bodies.",
        default: 2,
        minimum: 0.5,
        maximum: 20,
      },
    },
    required: ["wickRatio"],
  },
  requirements: () => ({ minCandles: WARMUP, lookbackCandles: WARMUP }),
  create: (p, req, slug) => new PriceAction(slug, p, req),
});
