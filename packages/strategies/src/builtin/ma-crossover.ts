import type { ActionCode, BarColumns, BarStrategy } from "../contract.ts";
import type { ScalarIndicator } from "../indicators/memo.ts";
import { crossAction, type StrategyRequirements } from "./definition.ts";

/** An incremental moving average of closes: NaN until it has enough values. */
export type MovingAverage = ScalarIndicator;

/**
 * The strategy behind every moving-average crossover built-in: BUY when `fast` crosses above `slow`,
 * SELL when it crosses below, HOLD otherwise, both averages of closes including the current bar.
 * Allocation-free per bar; the averages decide what "moving average" means (SMA, EMA, ...).
 */
export class MovingAverageCrossover implements BarStrategy {
  readonly slug: string;
  readonly usesPortfolio = false;
  readonly minCandles: number;
  readonly lookbackCandles: number;
  private readonly fast: MovingAverage;
  private readonly slow: MovingAverage;
  private prevFast = Number.NaN;
  private prevSlow = Number.NaN;

  constructor(slug: string, fast: MovingAverage, slow: MovingAverage, req: StrategyRequirements) {
    this.slug = slug;
    this.fast = fast;
    this.slow = slow;
    this.minCandles = req.minCandles;
    this.lookbackCandles = req.lookbackCandles;
  }

  onBar(i: number, bars: BarColumns): ActionCode {
    const c = bars.close[i] as number;
    const f = this.fast.update(c);
    const s = this.slow.update(c);
    const action = crossAction(f, s, this.prevFast, this.prevSlow);
    this.prevFast = f;
    this.prevSlow = s;
    return action;
  }

  reset(): void {
    this.fast.reset();
    this.slow.reset();
    this.prevFast = Number.NaN;
    this.prevSlow = Number.NaN;
  }
}
