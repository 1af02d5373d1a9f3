import type { ActionCode, BarColumns, BarStrategy } from "../contract.ts";
import { Macd } from "../indicators/macd.ts";
import { crossAction, defineStrategy, type StrategyRequirements } from "./definition.ts";

/** Parameters of {@link macdStrategy}. */
export interface MacdParams extends Record<string, number> {
  fast: number;
  slow: number;
  signal: number;
}

class MacdStrategy implements BarStrategy {
  readonly slug = "macd";
  readonly usesPortfolio = false;
  readonly minCandles: number;
  readonly lookbackCandles: number;
  private readonly macd: Macd;
  private prevMacd = Number.NaN;
  private prevSignal = Number.NaN;

  constructor(p: MacdParams, req: StrategyRequirements) {
    this.macd = new Macd(p.fast, p.slow, p.signal);
    this.minCandles = req.minCandles;
    this.lookbackCandles = req.lookbackCandles;
  }

  onBar(i: number, bars: BarColumns): ActionCode {
    const m = this.macd;
    m.update(bars.close[i] as number);
    const action = crossAction(m.macd, m.signal, this.prevMacd, this.prevSignal);
    this.prevMacd = m.macd;
    this.prevSignal = m.signal;
    return action;
  }

  reset(): void {
    this.macd.reset();
    this.prevMacd = Number.NaN;
    this.prevSignal = Number.NaN;
  }
}

/**
 * MACD signal-line crossover: BUY when the MACD line (EMA(fast) − EMA(slow) of closes) crosses above
 * its signal line (EMA(signal) of the MACD line), SELL when it crosses below. First evaluable bar:
 * index `slow + signal - 1`.
 *
 * @example
 * ```ts
 * const strategy = macdStrategy.create({ fast: 12, slow: 26, signal: 9 });
 * ```
 */
export const macdStrategy = defineStrategy<MacdParams>({
  slug: "macd",
  name: "MACD",
  description: "Buys when the MACD line crosses above its signal line and sells when it crosses below.",
  parameterSchema: {
    type: "object",
    properties: {
      fast: {
        type: "integer",
        title: "Fast period",
        description: "Period of the fast EMA of closes.",
        default: 12,
        minimum: 1,
        maximum: 5000,
      },
      slow: {
        type: "integer",
        title: "Slow period",
        description: "Period of the slow EMA of closes; must be greater than the fast period.",
        default: 26,
        minimum: 2,
        maximum: 10000,
      },
      signal: {
        type: "integer",
        title: "Signal period",
        description: "Period of the EMA of the MACD line.",
        default: 9,
        minimum: 1,
        maximum: 5000,
      },
    },
    required: ["fast", "slow", "signal"],
  },
  check: (p) => (p.fast < p.slow ? [] : [`fast (${p.fast}) must be less than slow (${p.slow})`]),
  requirements: (p) => ({ minCandles: p.slow + p.signal, lookbackCandles: p.slow + p.signal }),
  create: (p, req) => new MacdStrategy(p, req),
});
