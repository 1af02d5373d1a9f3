import { dualMovingAverageStrategy, meanReversionStrategy, trendFollowingStrategy } from "./aliases.ts";
import { bollingerBands } from "./bollinger-bands.ts";
import { bollingerBandsStrategy } from "./bollinger-cross.ts";
import { breakoutStrategy } from "./breakout.ts";
import type { StrategyDefinition } from "./definition.ts";
import { donchianBreakout } from "./donchian-breakout.ts";
import { emaCrossover } from "./ema-crossover.ts";
import { gridTradingStrategy } from "./grid-trading.ts";
import { ichimokuCloudStrategy } from "./ichimoku-cloud.ts";
import { macdStrategy } from "./macd.ts";
import { priceActionStrategy } from "./price-action.ts";
import { rsiDivergenceStrategy } from "./rsi-divergence.ts";
import { momentumStrategy, swingTradingStrategy } from "./rsi-macd.ts";
import { rsiMeanReversion } from "./rsi-mean-reversion.ts";
import { scalpingStrategy } from "./scalping.ts";
import { smaCrossover } from "./sma-crossover.ts";
import { volumeWeightedStrategy } from "./volume-weighted.ts";

export type { BollingerBandsParams } from "./bollinger-bands.ts";
export type { BreakoutParams } from "./breakout.ts";
export type {
  CreateOptions,
  EntryFrequency,
  StrategyDefaultConfig,
  StrategyDefinition,
  StrategyRequirements,
} from "./definition.ts";
export { acceptsParameters, crossAction, NO_DEFAULT_CONFIG } from "./definition.ts";
export type { DonchianBreakoutParams } from "./donchian-breakout.ts";
export type { EmaCrossoverParams } from "./ema-crossover.ts";
export type { GridTradingParams } from "./grid-trading.ts";
export type { IchimokuCloudParams } from "./ichimoku-cloud.ts";
export type { MacdParams } from "./macd.ts";
export type { PriceActionParams } from "./price-action.ts";
export type { RsiDivergenceParams } from "./rsi-divergence.ts";
export type { RsiMacdParams } from "./rsi-macd.ts";
export type { RsiMeanReversionParams } from "./rsi-mean-reversion.ts";
export type { ScalpingParams } from "./scalping.ts";
export type { SmaCrossoverParams } from "./sma-crossover.ts";
export type { VolumeWeightedParams } from "./volume-weighted.ts";
export {
  bollingerBands,
  bollingerBandsStrategy,
  breakoutStrategy,
  donchianBreakout,
  dualMovingAverageStrategy,
  emaCrossover,
  gridTradingStrategy,
  ichimokuCloudStrategy,
  macdStrategy,
  meanReversionStrategy,
  momentumStrategy,
  priceActionStrategy,
  rsiDivergenceStrategy,
  rsiMeanReversion,
  scalpingStrategy,
  smaCrossover,
  swingTradingStrategy,
  trendFollowingStrategy,
  volumeWeightedStrategy,
};

/**
 * The published built-ins (`"<Name> Strategy"`, slug `<name>-strategy`), in their catalog order.
 *
 * @example
 * ```ts
 * publishedStrategies.map((s) => s.slug); // ["momentum-strategy", "mean-reversion-strategy", ...]
 * ```
 */
export const publishedStrategies: readonly StrategyDefinition[] = Object.freeze([
  momentumStrategy,
  meanReversionStrategy,
  trendFollowingStrategy,
  bollingerBandsStrategy,
  breakoutStrategy,
  dualMovingAverageStrategy,
  gridTradingStrategy,
  ichimokuCloudStrategy,
  priceActionStrategy,
  rsiDivergenceStrategy,
  scalpingStrategy,
  swingTradingStrategy,
  volumeWeightedStrategy,
]);

/**
 * Every built-in strategy, in catalog order: our six, then the thirteen published ones.
 *
 * @example
 * ```ts
 * builtinStrategies.map((s) => s.slug); // ["sma-crossover", "ema-crossover", ...]
 * ```
 */
export const builtinStrategies: readonly StrategyDefinition[] = Object.freeze([
  smaCrossover,
  emaCrossover,
  rsiMeanReversion,
  bollingerBands,
  donchianBreakout,
  macdStrategy,
  ...publishedStrategies,
]);

/**
 * Finds a built-in strategy by slug or by name (case-insensitive), as accepted by
 * `POST /api/backtests` (`"strategy": "<name or slug>"`). Returns `undefined` when unknown.
 *
 * @example
 * ```ts
 * getBuiltinStrategy("SMA Crossover")?.slug; // "sma-crossover"
 * getBuiltinStrategy("momentum-strategy")?.name; // "Momentum Strategy"
 * ```
 */
export function getBuiltinStrategy(slugOrName: string): StrategyDefinition | undefined {
  const key = slugOrName.trim().toLowerCase();
  return builtinStrategies.find((s) => s.slug === key || s.name.toLowerCase() === key);
}
