import type { ActionCode, BarColumns, BarStrategy } from "../contract.ts";
import { BUY, HOLD, SELL } from "../contract.ts";
import { Rsi } from "../indicators/rsi.ts";
import { defineStrategy, type StrategyRequirements } from "./definition.ts";

/** Parameters of {@link rsiMeanReversion}. */
export interface RsiMeanReversionParams extends Record<string, number> {
  period: number;
  oversold: number;
  overbought: number;
}

class RsiMeanReversionStrategy implements BarStrategy {
  readonly slug = "rsi-mean-reversion";
  readonly usesPortfolio = false;
  readonly minCandles: number;
  readonly lookbackCandles: number;
  private readonly rsi: Rsi;
  private readonly oversold: number;
  private readonly overbought: number;

  constructor(p: RsiMeanReversionParams, req: StrategyRequirements) {
    this.rsi = new Rsi(p.period);
    this.oversold = p.oversold;
    this.overbought = p.overbought;
    this.minCandles = req.minCandles;
    this.lookbackCandles = req.lookbackCandles;
  }

  onBar(i: number, bars: BarColumns): ActionCode {
    const r = this.rsi.update(bars.close[i] as number);
    if (r < this.oversold) return BUY;
    if (r > this.overbought) return SELL;
    return HOLD;
  }

  reset(): void {
    this.rsi.reset();
  }
}

/**
 * RSI mean reversion: BUY while Wilder's RSI is below `oversold`, SELL while it is above
 * `overbought`, HOLD in between (repeated signals in the held direction are no-ops for the engine).
 * First evaluable bar: index `period`.
 *
 * @example
 * ```ts
 * const strategy = rsiMeanReversion.create({ period: 14, oversold: 30, overbought: 70 });
 * ```
 */
export const rsiMeanReversion = defineStrategy<RsiMeanReversionParams>({
  slug: "rsi-mean-reversion",
  name: "RSI Mean Reversion",
  description:
    "Buys when the RSI falls below the oversold level and sells when it rises above the overbought level.",
  parameterSchema: {
    type: "object",
    properties: {
      period: {
        type: "integer",
        title: "RSI period",
        description: "Number of price changes in Wilder's RSI.",
        default: 14,
        minimum: 2,
        maximum: 1000,
      },
      oversold: {
        type: "number",
        title: "Oversold level",
        description: "Buy while the RSI is below this level.",
        default: 30,
        minimum: 0,
        maximum: 100,
      },
      overbought: {
        type: "number",
        title: "Overbought level",
        description: "Sell while the RSI is above this level; must be greater than the oversold level.",
        default: 70,
        minimum: 0,
        maximum: 100,
      },
    },
    required: ["period", "oversold", "overbought"],
  },
  check: (p) =>
    p.oversold < p.overbought
      ? []
      : [`oversold (${p.oversold}) must be less than overbought (${p.overbought})`],
  requirements: (p) => ({ minCandles: p.period + 1, lookbackCandles: p.period + 1 }),
  create: (p, req) => new RsiMeanReversionStrategy(p, req),
});
