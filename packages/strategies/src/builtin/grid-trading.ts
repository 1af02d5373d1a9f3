import type { ActionCode, BarColumns } from "../contract.ts";
import { BUY, HOLD, SELL } from "../contract.ts";
import { Sma } from "../indicators/sma.ts";
import { BarsOnlyStrategy, percentParameter, periodParameter } from "./base.ts";
import { defineStrategy, type StrategyRequirements } from "./definition.ts";

/** Parameters of {@link gridTradingStrategy}. */
export interface GridTradingParams extends Record<string, number> {
  period: number;
  /** Distance of the buy and sell levels from the average, percent. */
  spacing: number;
}

class GridTrading extends BarsOnlyStrategy {
  private readonly sma: Sma;
  private readonly low: number;
  private readonly high: number;

  constructor(slug: string, p: GridTradingParams, req: StrategyRequirements) {
    super(slug, req);
    this.sma = new Sma(p.period);
    this.low = 1 - p.spacing / 100;
    this.high = 1 + p.spacing / 100;
  }

  onBar(i: number, bars: BarColumns): ActionCode {
    const c = bars.close[i] as number;
    const avg = this.sma.update(c);
    if (c <= avg * this.low) return BUY;
    if (c >= avg * this.high) return SELL;
    return HOLD;
  }

  reset(): void {
    this.sma.reset();
  }
}

/**
 * Grid Trading Strategy: BUY while the close is at least `spacing` % below the simple average of the
 * last `period` closes (current included), SELL while it is at least `spacing` % above. Daily
 * cadence, 0.5 % / 0.3 % exits. First decision: bar index `period - 1`.
 *
 * @example
 * ```ts
 * const strategy = gridTradingStrategy.create({ period: 20, spacing: 0.2 });
 * ```
 */
export const gridTradingStrategy = defineStrategy<GridTradingParams>({
  slug: "grid-trading-strategy",
  name: "Grid Trading Strategy",
  description:
    "Buys below and sells above a band around the recent average close to exploit short-term oscillation.",
  defaultFrequency: "daily",
  defaultConfig: { takeProfitLevel: 0.5, stopLossLevel: 0.3 },
  parameterSchema: {
    type: "object",
    properties: {
      period: periodParameter(
        "Average period",
        "Number of closes in the simple average (current included).",
        20,
      ),
      spacing: percentParameter(
        "Grid spacing %",
        "Distance of the buy and sell levels from the average.",
        0.2,
      ),
    },
    required: ["period", "spacing"],
  },
  requirements: (p) => ({ minCandles: p.period, lookbackCandles: p.period }),
  create: (p, req, slug) => new GridTrading(slug, p, req),
});
