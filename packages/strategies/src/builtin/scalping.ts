import type { ActionCode, BarColumns } from "../contract.ts";
import { BUY, HOLD, SELL } from "../contract.ts";
import { Ema } from "../indicators/ema.ts";
import { BarsOnlyStrategy, fastBelowSlow, percentParameter, periodParameter } from "./base.ts";
import { defineStrategy, type StrategyRequirements } from "./definition.ts";

/** Parameters of {@link scalpingStrategy}. */
export interface ScalpingParams extends Record<string, number> {
  fast: number;
  slow: number;
  /** Smallest close-to-close move, percent. */
  minMove: number;
}

class Scalping extends BarsOnlyStrategy {
  private readonly fast: Ema;
  private readonly slow: Ema;
  private readonly minMove: number;
  private prevClose = Number.NaN;

  constructor(slug: string, p: ScalpingParams, req: StrategyRequirements) {
    super(slug, req);
    this.fast = new Ema(p.fast);
    this.slow = new Ema(p.slow);
    this.minMove = p.minMove / 100;
  }

  onBar(i: number, bars: BarColumns): ActionCode {
    const c = bars.close[i] as number;
    const f = this.fast.update(c);
    const s = this.slow.update(c);
    const move = (c - this.prevClose) / this.prevClose;
    this.prevClose = c;
    if (move > this.minMove && c > f && f > s) return BUY;
    if (move < -this.minMove && c < f && f < s) return SELL;
    return HOLD;
  }

  reset(): void {
    this.fast.reset();
    this.slow.reset();
    this.prevClose = Number.NaN;
  }
}

/**
 * Scalping Strategy: BUY when the close rose more than `minMove` % from the previous close and
 * close > EMA(fast) > EMA(slow); SELL when it fell more than that and close < EMA(fast) < EMA(slow).
 * Scalping cadence, 0.3 % / 0.2 % exits. First decision: bar index `slow - 1`.
 *
 * @example
 * ```ts
 * const strategy = scalpingStrategy.create({ fast: 5, slow: 10, minMove: 0.1 });
 * ```
 */
export const scalpingStrategy = defineStrategy<ScalpingParams>({
  slug: "scalping-strategy",
  name: "Scalping Strategy",
  description:
    "Rapid entries when a short-term move agrees with the alignment of a fast and a slow exponential moving average.",
  defaultFrequency: "scalping",
  defaultConfig: { takeProfitLevel: 0.3, stopLossLevel: 0.2 },
  parameterSchema: {
    type: "object",
    properties: {
      fast: periodParameter("Fast EMA period", "Period of the fast EMA of closes.", 5),
      slow: periodParameter(
        "Slow EMA period",
        "Period of the slow EMA of closes; must be greater than the fast period.",
        10,
      ),
      minMove: percentParameter(
        "Minimum move %",
        "Smallest close-to-close change that counts as momentum.",
        0.1,
      ),
    },
    required: ["fast", "slow", "minMove"],
  },
  check: fastBelowSlow("fast", "slow"),
  requirements: (p) => ({ minCandles: p.slow, lookbackCandles: p.slow }),
  create: (p, req, slug) => new Scalping(slug, p, req),
});
