import { bollingerBands } from "./bollinger-bands.ts";
import type { StrategyDefinition } from "./definition.ts";
import { donchianBreakout } from "./donchian-breakout.ts";
import { emaCrossover } from "./ema-crossover.ts";
import { macdStrategy } from "./macd.ts";
import { rsiMeanReversion } from "./rsi-mean-reversion.ts";
import { smaCrossover } from "./sma-crossover.ts";

export type { BollingerBandsParams } from "./bollinger-bands.ts";
export type { StrategyDefinition, StrategyRequirements } from "./definition.ts";
export { crossAction } from "./definition.ts";
export type { DonchianBreakoutParams } from "./donchian-breakout.ts";
export type { EmaCrossoverParams } from "./ema-crossover.ts";
export type { MacdParams } from "./macd.ts";
export type { RsiMeanReversionParams } from "./rsi-mean-reversion.ts";
export type { SmaCrossoverParams } from "./sma-crossover.ts";
export { bollingerBands, donchianBreakout, emaCrossover, macdStrategy, rsiMeanReversion, smaCrossover };

/**
 * Every built-in strategy, in catalog order.
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
]);

/**
 * Finds a built-in strategy by slug or by name (case-insensitive), as accepted by
 * `POST /api/backtests` (`"strategy": "<name or slug>"`). Returns `undefined` when unknown.
 *
 * @example
 * ```ts
 * getBuiltinStrategy("SMA Crossover")?.slug; // "sma-crossover"
 * ```
 */
export function getBuiltinStrategy(slugOrName: string): StrategyDefinition | undefined {
  const key = slugOrName.trim().toLowerCase();
  return builtinStrategies.find((s) => s.slug === key || s.name.toLowerCase() === key);
}
