import type { ActionCode, BarColumns } from "../contract.ts";
import { BUY, HOLD, SELL } from "../contract.ts";
import { Rsi } from "../indicators/rsi.ts";
import { BarsOnlyStrategy, periodParameter } from "./base.ts";
import { defineStrategy, type StrategyRequirements } from "./definition.ts";

/** Parameters of {@link rsiDivergenceStrategy}. */
export interface RsiDivergenceParams extends Record<string, number> {
  rsiPeriod: number;
  /** Farthest earlier bar compared with the current one (the nearest is 2 bars back). */
  maxLookback: number;
  /** Smallest RSI difference, in RSI points, that counts as a divergence. */
  minDivergence: number;
}

/** Nearest earlier bar compared with the current one. */
const MIN_LOOKBACK = 2;

class RsiDivergence extends BarsOnlyStrategy {
  private readonly rsi: Rsi;
  private readonly maxLookback: number;
  private readonly minDivergence: number;
  // The last `maxLookback + 1` closes and RSIs (NaN while the RSI is not ready), by bar count.
  private readonly closes: Float64Array;
  private readonly rsis: Float64Array;
  private count = 0;

  constructor(slug: string, p: RsiDivergenceParams, req: StrategyRequirements) {
    super(slug, req);
    this.rsi = new Rsi(p.rsiPeriod);
    this.maxLookback = p.maxLookback;
    this.minDivergence = p.minDivergence;
    this.closes = new Float64Array(p.maxLookback + 1);
    this.rsis = new Float64Array(p.maxLookback + 1).fill(Number.NaN);
  }

  onBar(i: number, bars: BarColumns): ActionCode {
    const c = bars.close[i] as number;
    const r = this.rsi.update(c);
    const size = this.closes.length;
    const t = this.count++;
    this.closes[t % size] = c;
    this.rsis[t % size] = r;
    for (let k = MIN_LOOKBACK; k <= this.maxLookback && k <= t; k++) {
      const slot = (t - k) % size;
      const priorRsi = this.rsis[slot] as number;
      const priorClose = this.closes[slot] as number;
      // NaN (RSI not ready then) fails every comparison, as do all farther bars.
      if (!(Math.abs(r - priorRsi) > this.minDivergence)) continue;
      if (c < priorClose && r > priorRsi) return BUY;
      if (c > priorClose && r < priorRsi) return SELL;
    }
    return HOLD;
  }

  reset(): void {
    this.rsi.reset();
    this.rsis.fill(Number.NaN);
    this.count = 0;
  }
}

/**
 * RSI Divergence Strategy: compares the current bar with each of the bars 2 to `maxLookback` back,
 * nearest first, and answers on the first divergence: BUY when the close is lower but the RSI is
 * higher by more than `minDivergence` points (bullish), SELL when the close is higher but the RSI
 * lower by more than that (bearish). Daily cadence, 1.7 % / 0.8 % exits.
 *
 * @example
 * ```ts
 * const strategy = rsiDivergenceStrategy.create({ rsiPeriod: 14, maxLookback: 5, minDivergence: 1 });
 * ```
 */
export const rsiDivergenceStrategy = defineStrategy<RsiDivergenceParams>({
  slug: "rsi-divergence-strategy",
  name: "RSI Divergence Strategy",
  description:
    "Finds disagreement between price and RSI over the last few bars to catch reversals before the trend confirms them.",
  defaultFrequency: "daily",
  defaultConfig: { takeProfitLevel: 1.7, stopLossLevel: 0.8 },
  parameterSchema: {
    type: "object",
    properties: {
      rsiPeriod: periodParameter("RSI period", "Number of price changes in Wilder's RSI.", 14),
      maxLookback: {
        type: "integer",
        title: "Lookback bars",
        description: "Farthest earlier bar compared with the current one (the nearest is 2 bars back).",
        default: 5,
        minimum: 2,
        maximum: 100,
      },
      minDivergence: {
        type: "number",
        title: "Minimum divergence",
        description: "Smallest RSI difference, in RSI points, that counts as a divergence.",
        default: 1,
        minimum: 0,
        maximum: 100,
      },
    },
    required: ["rsiPeriod", "maxLookback", "minDivergence"],
  },
  requirements: (p) => ({ minCandles: p.rsiPeriod, lookbackCandles: p.rsiPeriod }),
  create: (p, req, slug) => new RsiDivergence(slug, p, req),
});
