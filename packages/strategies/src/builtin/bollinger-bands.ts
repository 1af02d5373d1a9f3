import type { ActionCode, BarColumns, BarStrategy } from "../contract.ts";
import { BUY, HOLD, SELL } from "../contract.ts";
import { Bollinger } from "../indicators/bollinger.ts";
import { defineStrategy, type StrategyRequirements } from "./definition.ts";

/** Parameters of {@link bollingerBands}. */
export interface BollingerBandsParams extends Record<string, number> {
  period: number;
  stdDev: number;
}

class BollingerBandsStrategy implements BarStrategy {
  readonly slug = "bollinger-bands";
  readonly usesPortfolio = false;
  readonly minCandles: number;
  readonly lookbackCandles: number;
  private readonly bands: Bollinger;

  constructor(p: BollingerBandsParams, req: StrategyRequirements) {
    this.bands = new Bollinger(p.period, p.stdDev);
    this.minCandles = req.minCandles;
    this.lookbackCandles = req.lookbackCandles;
  }

  onBar(i: number, bars: BarColumns): ActionCode {
    const c = bars.close[i] as number;
    const b = this.bands;
    b.update(c);
    if (c < b.lower) return BUY;
    if (c > b.upper) return SELL;
    return HOLD;
  }

  reset(): void {
    this.bands.reset();
  }
}

/**
 * Bollinger Bands mean reversion: BUY when the close is below the lower band, SELL when it is above
 * the upper band (bands over `period` closes including the current one, population standard
 * deviation). First evaluable bar: index `period - 1`.
 *
 * @example
 * ```ts
 * const strategy = bollingerBands.create({ period: 20, stdDev: 2 });
 * ```
 */
export const bollingerBands = defineStrategy<BollingerBandsParams>({
  slug: "bollinger-bands",
  name: "Bollinger Bands",
  description:
    "Buys when the close falls below the lower Bollinger band and sells when it rises above the upper band.",
  parameterSchema: {
    type: "object",
    properties: {
      period: {
        type: "integer",
        title: "Period",
        description: "Number of closes in the moving average and standard deviation.",
        default: 20,
        minimum: 2,
        maximum: 5000,
      },
      stdDev: {
        type: "number",
        title: "Band width",
        description: "Distance of the bands from the average, in standard deviations.",
        default: 2,
        minimum: 0.1,
        maximum: 10,
      },
    },
    required: ["period", "stdDev"],
  },
  requirements: (p) => ({ minCandles: p.period, lookbackCandles: p.period }),
  create: (p, req) => new BollingerBandsStrategy(p, req),
});
