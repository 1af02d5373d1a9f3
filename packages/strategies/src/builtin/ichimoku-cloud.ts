import type { ActionCode, BarColumns } from "../contract.ts";
import { Donchian } from "../indicators/donchian.ts";
import { BarsOnlyStrategy, fastBelowSlow, periodParameter } from "./base.ts";
import { crossAction, defineStrategy, type StrategyRequirements } from "./definition.ts";

/** Parameters of {@link ichimokuCloudStrategy}. */
export interface IchimokuCloudParams extends Record<string, number> {
  tenkan: number;
  kijun: number;
}

class IchimokuCloud extends BarsOnlyStrategy {
  // Tenkan-sen and kijun-sen are the midpoints of the high-low range: Donchian middles.
  private readonly tenkan: Donchian;
  private readonly kijun: Donchian;
  private prevTenkan = Number.NaN;
  private prevKijun = Number.NaN;

  constructor(slug: string, p: IchimokuCloudParams, req: StrategyRequirements) {
    super(slug, req);
    this.tenkan = new Donchian(p.tenkan);
    this.kijun = new Donchian(p.kijun);
  }

  onBar(i: number, bars: BarColumns): ActionCode {
    const h = bars.high[i] as number;
    const l = bars.low[i] as number;
    this.tenkan.update(h, l);
    this.kijun.update(h, l);
    const t = this.tenkan.middle;
    const k = this.kijun.middle;
    const action = crossAction(t, k, this.prevTenkan, this.prevKijun);
    this.prevTenkan = t;
    this.prevKijun = k;
    return action;
  }

  reset(): void {
    this.tenkan.reset();
    this.kijun.reset();
    this.prevTenkan = Number.NaN;
    this.prevKijun = Number.NaN;
  }
}

/**
 * Ichimoku Cloud Strategy: tenkan-sen = (highest high + lowest low) / 2 of the last `tenkan` bars,
 * kijun-sen the same over `kijun` bars (current bar included). BUY when tenkan crosses above kijun,
 * SELL when it crosses below. Daily cadence, 1.8 % / 0.9 % exits. First decision: bar index `kijun`.
 *
 * @example
 * ```ts
 * const strategy = ichimokuCloudStrategy.create({ tenkan: 9, kijun: 26 });
 * ```
 */
export const ichimokuCloudStrategy = defineStrategy<IchimokuCloudParams>({
  slug: "ichimoku-cloud-strategy",
  name: "Ichimoku Cloud Strategy",
  description: "Trades crossovers of the Ichimoku tenkan-sen (conversion line) and kijun-sen (base line).",
  defaultFrequency: "daily",
  defaultConfig: { takeProfitLevel: 1.8, stopLossLevel: 0.9 },
  parameterSchema: {
    type: "object",
    properties: {
      tenkan: periodParameter("Tenkan period", "Bars in the conversion line's high-low midpoint.", 9),
      kijun: periodParameter(
        "Kijun period",
        "Bars in the base line's high-low midpoint; must be greater than the tenkan period.",
        26,
      ),
    },
    required: ["tenkan", "kijun"],
  },
  check: fastBelowSlow("tenkan", "kijun"),
  requirements: (p) => ({ minCandles: p.kijun, lookbackCandles: p.kijun }),
  create: (p, req, slug) => new IchimokuCloud(slug, p, req),
});
