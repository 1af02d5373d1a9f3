import {
  BOLLINGER_PARAMETERS,
  type BollingerBandsParams,
  BollingerBandsStrategy,
} from "./bollinger-bands.ts";
import { defineStrategy } from "./definition.ts";

/**
 * Bollinger Bands Strategy: trades fresh exits from the bands only. BUY on the bar where the close
 * falls below the lower band while the previous close was at or above it, SELL on the bar where it
 * rises above the upper band while the previous close was at or below it (both compared with the
 * current bar's bands of `period` closes at `stdDev` σ). Daily cadence, 1.5 % / 0.8 % exits.
 *
 * @example
 * ```ts
 * const strategy = bollingerBandsStrategy.create({ period: 20, stdDev: 2 });
 * ```
 */
export const bollingerBandsStrategy = defineStrategy<BollingerBandsParams>({
  slug: "bollinger-bands-strategy",
  name: "Bollinger Bands Strategy",
  description:
    "Trades fresh crosses of the close out of the Bollinger bands: buys below the lower band, sells above the upper band.",
  defaultFrequency: "daily",
  defaultConfig: { takeProfitLevel: 1.5, stopLossLevel: 0.8 },
  parameterSchema: BOLLINGER_PARAMETERS,
  requirements: (p) => ({ minCandles: p.period, lookbackCandles: p.period }),
  create: (p, req, slug) => new BollingerBandsStrategy(slug, p, req, true),
});
