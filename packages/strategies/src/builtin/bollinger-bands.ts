import type { ActionCode, BarColumns, BarStrategy } from "../contract.ts";
import { BUY, HOLD, SELL } from "../contract.ts";
import { Bollinger } from "../indicators/bollinger.ts";
import type { ParameterSchema } from "../params.ts";
import { defineStrategy, type StrategyRequirements, type StrategySpec } from "./definition.ts";

/** Parameters of {@link bollingerBands}. */
export interface BollingerBandsParams extends Record<string, number> {
  period: number;
  stdDev: number;
}

/**
 * Close against the Bollinger bands of the closes up to and including the current one. `crossOnly`
 * false: BUY while the close is below the lower band, SELL while above the upper band. `crossOnly`
 * true: only on the bar where the close leaves the bands (the previous close was at or inside the
 * current band).
 */
export class BollingerBandsStrategy implements BarStrategy {
  readonly slug: string;
  readonly usesPortfolio = false;
  readonly minCandles: number;
  readonly lookbackCandles: number;
  private readonly bands: Bollinger;
  private readonly crossOnly: boolean;
  private prevClose = Number.NaN;

  constructor(slug: string, p: BollingerBandsParams, req: StrategyRequirements, crossOnly: boolean) {
    this.slug = slug;
    this.bands = new Bollinger(p.period, p.stdDev);
    this.crossOnly = crossOnly;
    this.minCandles = req.minCandles;
    this.lookbackCandles = req.lookbackCandles;
  }

  onBar(i: number, bars: BarColumns): ActionCode {
    const c = bars.close[i] as number;
    const b = this.bands;
    b.update(c);
    const prev = this.prevClose;
    this.prevClose = c;
    if (c < b.lower) return !this.crossOnly || prev >= b.lower ? BUY : HOLD;
    if (c > b.upper) return !this.crossOnly || prev <= b.upper ? SELL : HOLD;
    return HOLD;
  }

  reset(): void {
    this.bands.reset();
    this.prevClose = Number.NaN;
  }
}

/** Parameters of the Bollinger band strategies (period 20, width 2 by default). */
export const BOLLINGER_PARAMETERS: ParameterSchema = {
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
};

/** The Bollinger mean-reversion rule, shared by {@link bollingerBands} and its aliases (`aliases.ts`). */
export const bollingerBandsSpec: StrategySpec<BollingerBandsParams> = {
  slug: "bollinger-bands",
  name: "Bollinger Bands",
  description:
    "Buys when the close falls below the lower Bollinger band and sells when it rises above the upper band.",
  parameterSchema: BOLLINGER_PARAMETERS,
  requirements: (p) => ({ minCandles: p.period, lookbackCandles: p.period }),
  create: (p, req, slug) => new BollingerBandsStrategy(slug, p, req, false),
};

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
export const bollingerBands = defineStrategy(bollingerBandsSpec);
