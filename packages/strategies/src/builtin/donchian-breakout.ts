import type { ActionCode, BarColumns, BarStrategy } from "../contract.ts";
import { BUY, HOLD, SELL } from "../contract.ts";
import { Donchian } from "../indicators/donchian.ts";
import { defineStrategy, type StrategyRequirements } from "./definition.ts";

/** Parameters of {@link donchianBreakout}. */
export interface DonchianBreakoutParams extends Record<string, number> {
  period: number;
}

/**
 * Close against the channel of the previous `period` bars, widened by `buffer` (a fraction): BUY
 * when the close is above `upper * (1 + buffer)`, SELL when below `lower * (1 - buffer)`.
 */
export class DonchianBreakoutStrategy implements BarStrategy {
  readonly slug: string;
  readonly usesPortfolio = false;
  readonly minCandles: number;
  readonly lookbackCandles: number;
  private readonly channel: Donchian;
  private readonly up: number;
  private readonly down: number;

  constructor(slug: string, period: number, buffer: number, req: StrategyRequirements) {
    this.slug = slug;
    this.channel = new Donchian(period);
    this.up = 1 + buffer;
    this.down = 1 - buffer;
    this.minCandles = req.minCandles;
    this.lookbackCandles = req.lookbackCandles;
  }

  onBar(i: number, bars: BarColumns): ActionCode {
    const ch = this.channel;
    // Channel of the previous `period` bars, read before the current bar joins it.
    const upper = ch.upper * this.up;
    const lower = ch.lower * this.down;
    ch.update(bars.high[i] as number, bars.low[i] as number);
    const c = bars.close[i] as number;
    if (c > upper) return BUY;
    if (c < lower) return SELL;
    return HOLD;
  }

  reset(): void {
    this.channel.reset();
  }
}

/**
 * Donchian breakout: BUY when the close is above the highest high of the previous `period` bars,
 * SELL when it is below their lowest low (the current bar is not part of the channel it is compared
 * with). First evaluable bar: index `period`.
 *
 * @example
 * ```ts
 * const strategy = donchianBreakout.create({ period: 20 });
 * ```
 */
export const donchianBreakout = defineStrategy<DonchianBreakoutParams>({
  slug: "donchian-breakout",
  name: "Donchian Breakout",
  description:
    "Buys when the close breaks above the highest high of the previous bars and sells when it breaks below their lowest low.",
  parameterSchema: {
    type: "object",
    properties: {
      period: {
        type: "integer",
        title: "Channel period",
        description: "Number of previous bars whose highest high and lowest low form the channel.",
        default: 20,
        minimum: 1,
        maximum: 10000,
      },
    },
    required: ["period"],
  },
  requirements: (p) => ({ minCandles: p.period + 1, lookbackCandles: p.period + 1 }),
  create: (p, req, slug) => new DonchianBreakoutStrategy(slug, p.period, 0, req),
});
