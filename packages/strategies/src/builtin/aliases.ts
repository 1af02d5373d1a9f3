// Published built-ins whose rule is one of our own strategies: the same implementation under another
// name, with the published defaults.
import { bollingerBandsSpec } from "./bollinger-bands.ts";
import { aliasStrategy } from "./definition.ts";
import { emaCrossoverSpec } from "./ema-crossover.ts";

/**
 * Mean Reversion Strategy: `bollinger-bands` (BUY while the close is below the lower band of
 * 20 closes at 2 σ, SELL while above the upper band), weekly cadence, 1 % / 0.5 % exits.
 */
export const meanReversionStrategy = aliasStrategy(bollingerBandsSpec, {
  slug: "mean-reversion-strategy",
  name: "Mean Reversion Strategy",
  description:
    "Looks for closes outside the Bollinger bands and trades the expected move back toward the average.",
  defaultFrequency: "weekly",
  defaultConfig: { takeProfitLevel: 1, stopLossLevel: 0.5 },
});

/**
 * Trend Following Strategy: `ema-crossover` with EMA(20) over EMA(50), monthly cadence, 2 % / 1 %
 * exits. Published floor: `slow` candles.
 */
export const trendFollowingStrategy = aliasStrategy(emaCrossoverSpec, {
  slug: "trend-following-strategy",
  name: "Trend Following Strategy",
  description:
    "Trades sustained directional moves: buys when the fast EMA of closes crosses above the slow one and sells when it crosses below.",
  defaultFrequency: "monthly",
  defaultConfig: { takeProfitLevel: 2, stopLossLevel: 1 },
  defaults: { fast: 20, slow: 50 },
  requirements: (p) => ({ minCandles: p.slow, lookbackCandles: p.slow }),
});

/**
 * Dual Moving Average Strategy: `ema-crossover` with EMA(10) over EMA(50), daily cadence,
 * 1.5 % / 0.7 % exits. Published floor: `slow` candles.
 */
export const dualMovingAverageStrategy = aliasStrategy(emaCrossoverSpec, {
  slug: "dual-moving-average-strategy",
  name: "Dual Moving Average Strategy",
  description:
    "Uses crossovers of a short and a long exponential moving average of closes to catch changes of direction.",
  defaultFrequency: "daily",
  defaultConfig: { takeProfitLevel: 1.5, stopLossLevel: 0.7 },
  defaults: { fast: 10, slow: 50 },
  requirements: (p) => ({ minCandles: p.slow, lookbackCandles: p.slow }),
});
