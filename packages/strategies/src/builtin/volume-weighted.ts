import type { ActionCode, BarColumns } from "../contract.ts";
import { BUY, HOLD, SELL } from "../contract.ts";
import { Sma } from "../indicators/sma.ts";
import { RollingVwap } from "../indicators/vwap.ts";
import { BarsOnlyStrategy, periodParameter } from "./base.ts";
import { defineStrategy, type StrategyRequirements } from "./definition.ts";

/** Parameters of {@link volumeWeightedStrategy}. */
export interface VolumeWeightedParams extends Record<string, number> {
  period: number;
  /** Volume must exceed this multiple of the previous bars' average volume. */
  volumeFactor: number;
}

class VolumeWeighted extends BarsOnlyStrategy {
  private readonly vwap: RollingVwap;
  private readonly avgVolume: Sma;
  private readonly factor: number;

  constructor(slug: string, p: VolumeWeightedParams, req: StrategyRequirements) {
    super(slug, req);
    this.vwap = new RollingVwap(p.period);
    this.avgVolume = new Sma(p.period);
    this.factor = p.volumeFactor;
  }

  onBar(i: number, bars: BarColumns): ActionCode {
    const c = bars.close[i] as number;
    const v = bars.volume[i] as number;
    // Average volume of the previous `period` bars, read before the current bar joins it.
    const surge = v > this.avgVolume.value * this.factor;
    this.avgVolume.update(v);
    const vwap = this.vwap.update(bars.high[i] as number, bars.low[i] as number, c, v);
    if (!surge) return HOLD;
    if (c > vwap) return BUY;
    if (c < vwap) return SELL;
    return HOLD;
  }

  reset(): void {
    this.vwap.reset();
    this.avgVolume.reset();
  }
}

/**
 * Volume Weighted Strategy: on a bar whose volume exceeds `volumeFactor` × the average volume of
 * the previous `period` bars, BUY when the close is above the VWAP of the last `period` bars
 * (typical price, current bar included) and SELL when it is below. Daily cadence, 1.4 % / 0.7 %
 * exits. First decision: bar index `period`.
 *
 * @example
 * ```ts
 * const strategy = volumeWeightedStrategy.create({ period: 20, volumeFactor: 1.5 });
 * ```
 */
export const volumeWeightedStrategy = defineStrategy<VolumeWeightedParams>({
  slug: "volume-weighted-strategy",
  name: "Volume Weighted Strategy",
  description: "Trades closes away from the VWAP when unusually high volume confirms the move.",
  defaultFrequency: "daily",
  defaultConfig: { takeProfitLevel: 1.4, stopLossLevel: 0.7 },
  parameterSchema: {
    type: "object",
    properties: {
      period: periodParameter("VWAP period", "Bars in the VWAP and in the average volume.", 20),
      volumeFactor: {
        type: "number",
        title: "Volume factor",
        description: "The bar's volume must exceed this multiple of the previous bars' average volume.",
        default: 1.5,
        minimum: 0,
        maximum: 100,
      },
    },
    required: ["period", "volumeFactor"],
  },
  // The published floor is `period`; the first decision is at bar index `period`.
  requirements: (p) => ({ minCandles: p.period, lookbackCandles: p.period }),
  create: (p, req, slug) => new VolumeWeighted(slug, p, req),
});
