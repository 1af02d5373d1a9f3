import { percentParameter, periodParameter } from "./base.ts";
import { defineStrategy } from "./definition.ts";
import { DonchianBreakoutStrategy } from "./donchian-breakout.ts";

/** Parameters of {@link breakoutStrategy}. */
export interface BreakoutParams extends Record<string, number> {
  period: number;
  /** Percent beyond the range the close must reach. */
  buffer: number;
}

/**
 * Breakout Strategy: `donchian-breakout` with a margin. BUY when the close is more than `buffer` %
 * above the highest high of the previous `period` bars, SELL when it is more than `buffer` % below
 * their lowest low. Daily cadence, 2 % / 1 % exits.
 *
 * @example
 * ```ts
 * const strategy = breakoutStrategy.create({ period: 20, buffer: 0.2 });
 * ```
 */
export const breakoutStrategy = defineStrategy<BreakoutParams>({
  slug: "breakout-strategy",
  name: "Breakout Strategy",
  description:
    "Enters when the close escapes the range of the previous bars by a margin: buys above the highest high, sells below the lowest low.",
  defaultFrequency: "daily",
  defaultConfig: { takeProfitLevel: 2, stopLossLevel: 1 },
  parameterSchema: {
    type: "object",
    properties: {
      period: periodParameter(
        "Range period",
        "Number of previous bars whose high and low form the range.",
        20,
      ),
      buffer: percentParameter(
        "Breakout margin %",
        "How far beyond the range the close must be, in percent of the range boundary.",
        0.2,
      ),
    },
    required: ["period", "buffer"],
  },
  // The published floor is `period`; the first decision is at bar index `period`.
  requirements: (p) => ({ minCandles: p.period, lookbackCandles: p.period }),
  create: (p, req, slug) => new DonchianBreakoutStrategy(slug, p.period, p.buffer / 100, req),
});
