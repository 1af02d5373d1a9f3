import type { ActionCode, BarColumns } from "../contract.ts";
import { BUY, HOLD, SELL } from "../contract.ts";
import { Macd } from "../indicators/macd.ts";
import { Rsi } from "../indicators/rsi.ts";
import type { ParameterSchema } from "../params.ts";
import { BarsOnlyStrategy, fastBelowSlow, periodParameter } from "./base.ts";
import { defineStrategy, type StrategyRequirements, type StrategySpec } from "./definition.ts";

/** Parameters of {@link momentumStrategy} and {@link swingTradingStrategy}. */
export interface RsiMacdParams extends Record<string, number> {
  rsiPeriod: number;
  fast: number;
  slow: number;
  signal: number;
}

/**
 * RSI-filtered MACD signal-line crossovers. The base rule (`extended` false): BUY when MACD crosses
 * above its signal line while RSI < 40, SELL when it crosses below while RSI > 60. `extended` adds
 * two momentum entries per side: RSI < 45 with a positive histogram and a close more than 0.1 %
 * above the previous one, or MACD above its signal with the histogram above 1.5 × the previous
 * histogram (mirrored for SELL: RSI > 55, negative histogram, close 0.1 % lower; MACD below its
 * signal with the histogram below 1.5 × the previous one). BUY is tested first.
 */
class RsiMacdStrategy extends BarsOnlyStrategy {
  private readonly rsi: Rsi;
  private readonly macd: Macd;
  private readonly extended: boolean;
  private prevMacd = Number.NaN;
  private prevSignal = Number.NaN;
  private prevHist = Number.NaN;
  private prevClose = Number.NaN;

  constructor(slug: string, p: RsiMacdParams, req: StrategyRequirements, extended: boolean) {
    super(slug, req);
    this.rsi = new Rsi(p.rsiPeriod);
    this.macd = new Macd(p.fast, p.slow, p.signal);
    this.extended = extended;
  }

  onBar(i: number, bars: BarColumns): ActionCode {
    const c = bars.close[i] as number;
    const r = this.rsi.update(c);
    const m = this.macd;
    m.update(c);
    const line = m.macd;
    const sig = m.signal;
    const hist = m.histogram;
    const pLine = this.prevMacd;
    const pSig = this.prevSignal;
    const pHist = this.prevHist;
    const change = (c - this.prevClose) / this.prevClose;
    this.prevMacd = line;
    this.prevSignal = sig;
    this.prevHist = hist;
    this.prevClose = c;
    if (r < 40 && line > sig && pLine <= pSig) return BUY;
    if (this.extended && ((r < 45 && hist > 0 && change > 0.001) || (line > sig && hist > pHist * 1.5))) {
      return BUY;
    }
    if (r > 60 && line < sig && pLine >= pSig) return SELL;
    if (this.extended && ((r > 55 && hist < 0 && change < -0.001) || (line < sig && hist < pHist * 1.5))) {
      return SELL;
    }
    return HOLD;
  }

  reset(): void {
    this.rsi.reset();
    this.macd.reset();
    this.prevMacd = Number.NaN;
    this.prevSignal = Number.NaN;
    this.prevHist = Number.NaN;
    this.prevClose = Number.NaN;
  }
}

const RSI_MACD_PARAMETERS: ParameterSchema = {
  type: "object",
  properties: {
    rsiPeriod: periodParameter("RSI period", "Number of price changes in Wilder's RSI.", 14),
    fast: periodParameter("MACD fast period", "Period of the fast EMA of closes.", 12),
    slow: periodParameter(
      "MACD slow period",
      "Period of the slow EMA of closes; must be greater than the fast period.",
      26,
    ),
    signal: periodParameter("MACD signal period", "Period of the EMA of the MACD line.", 9),
  },
  required: ["rsiPeriod", "fast", "slow", "signal"],
};

function rsiMacdSpec(
  slug: string,
  name: string,
  description: string,
  extended: boolean,
): StrategySpec<RsiMacdParams> {
  return {
    slug,
    name,
    description,
    parameterSchema: RSI_MACD_PARAMETERS,
    check: fastBelowSlow("fast", "slow"),
    // The published data floor is the slow window; the signal line needs `signal - 1` more bars.
    requirements: (p) => ({ minCandles: p.slow, lookbackCandles: p.slow }),
    create: (p, req, s) => new RsiMacdStrategy(s, p, req, extended),
  };
}

/**
 * Momentum Strategy: RSI and MACD momentum confirmation (the extended rule of `RsiMacdStrategy`),
 * for 5-minute scalping with a 1 % take-profit and a 0.4 % stop-loss.
 *
 * @example
 * ```ts
 * const strategy = momentumStrategy.create({ rsiPeriod: 14, fast: 12, slow: 26, signal: 9 });
 * ```
 */
export const momentumStrategy = defineStrategy({
  ...rsiMacdSpec(
    "momentum-strategy",
    "Momentum Strategy",
    "Combines RSI and MACD: buys on a bullish MACD crossover with a low RSI or when bullish momentum accelerates, and sells on the bearish mirror image.",
    true,
  ),
  defaultFrequency: "scalping",
  defaultConfig: { takeProfitLevel: 1, stopLossLevel: 0.4, timeframe: "5m" },
});

/**
 * Swing Trading Strategy: a bullish MACD crossover with RSI < 40 buys, a bearish one with RSI > 60
 * sells; weekly cadence, 2.5 % take-profit, 1.2 % stop-loss.
 *
 * @example
 * ```ts
 * const strategy = swingTradingStrategy.create();
 * ```
 */
export const swingTradingStrategy = defineStrategy({
  ...rsiMacdSpec(
    "swing-trading-strategy",
    "Swing Trading Strategy",
    "Buys on a bullish MACD signal-line crossover while the RSI is depressed and sells on a bearish crossover while it is elevated, for multi-session swings.",
    false,
  ),
  defaultFrequency: "weekly",
  defaultConfig: { takeProfitLevel: 2.5, stopLossLevel: 1.2 },
});
