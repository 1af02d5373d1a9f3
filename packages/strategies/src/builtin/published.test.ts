// The thirteen published built-ins against plain recomputations of their published rules.
import { describe, expect, it } from "vitest";
import type { ActionCode } from "../contract.ts";
import { BUY, HOLD, SELL } from "../contract.ts";
import { randomBars, runActions } from "../test-helpers.ts";
import {
  bollingerBands,
  bollingerBandsStrategy,
  breakoutStrategy,
  builtinStrategies,
  dualMovingAverageStrategy,
  emaCrossover,
  getBuiltinStrategy,
  gridTradingStrategy,
  ichimokuCloudStrategy,
  meanReversionStrategy,
  momentumStrategy,
  priceActionStrategy,
  publishedStrategies,
  rsiDivergenceStrategy,
  type StrategyDefinition,
  scalpingStrategy,
  swingTradingStrategy,
  trendFollowingStrategy,
  volumeWeightedStrategy,
} from "./index.ts";

const run = runActions;

const bars = randomBars(3000, 5);
const n = bars.close.length;
const close = Array.from(bars.close);
const high = Array.from(bars.high);
const low = Array.from(bars.low);
const open = Array.from(bars.open);
const volume = Array.from(bars.volume);

// --- Plain references -------------------------------------------------------------------------

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const mean = (xs: number[]) => sum(xs) / xs.length;
/** Mean of `xs[t-p+1..t]`, NaN before it exists. */
const windowMean = (xs: number[], p: number, t: number) =>
  t < p - 1 ? Number.NaN : mean(xs.slice(t - p + 1, t + 1));
/** EMA seeded with the mean of the first `p` values (NaN before). */
function emaSeries(xs: number[], p: number): number[] {
  const a = 2 / (p + 1);
  const out: number[] = [];
  for (let t = 0; t < xs.length; t++) {
    if (t < p - 1) out.push(Number.NaN);
    else if (t === p - 1) out.push(sum(xs.slice(0, p)) / p);
    else out.push((out[t - 1] as number) + a * ((xs[t] as number) - (out[t - 1] as number)));
  }
  return out;
}
/** Wilder's RSI (NaN for the first `p` values). */
function rsiSeries(xs: number[], p: number): number[] {
  const out = [Number.NaN];
  let g = 0;
  let l = 0;
  for (let t = 1; t < xs.length; t++) {
    const d = (xs[t] as number) - (xs[t - 1] as number);
    const [gain, loss] = [Math.max(d, 0), Math.max(-d, 0)];
    if (t < p) {
      g += gain;
      l += loss;
      out.push(Number.NaN);
      continue;
    }
    if (t === p) [g, l] = [(g + gain) / p, (l + loss) / p];
    else [g, l] = [(g * (p - 1) + gain) / p, (l * (p - 1) + loss) / p];
    out.push(l === 0 ? (g === 0 ? 50 : 100) : 100 - 100 / (1 + g / l));
  }
  return out;
}
/** MACD line and signal line (signal: EMA of the line from its first value). */
function macdSeries(xs: number[], f: number, s: number, sp: number): { line: number[]; signal: number[] } {
  const ef = emaSeries(xs, f);
  const es = emaSeries(xs, s);
  const line = xs.map((_, t) => (ef[t] as number) - (es[t] as number));
  const signal = [...new Array<number>(s - 1).fill(Number.NaN), ...emaSeries(line.slice(s - 1), sp)];
  return { line, signal };
}
const at = (xs: number[], t: number) => xs[t] as number;

/**
 * Expects `got` to equal `want` on every bar where the reference is unambiguous (`null`: the decision
 * sits within rounding distance of a threshold, where two correct computations may disagree), and at
 * least one BUY and one SELL.
 */
function expectActions(got: ActionCode[], want: (t: number) => ActionCode | null): void {
  let skipped = 0;
  for (let t = 0; t < n; t++) {
    const w = want(t);
    if (w === null) {
      skipped++;
      continue;
    }
    expect(got[t], `bar ${t}`).toBe(w);
  }
  expect(skipped).toBeLessThan(5);
  expect(got.filter((a) => a === BUY).length).toBeGreaterThan(0);
  expect(got.filter((a) => a === SELL).length).toBeGreaterThan(0);
}
/** True when `a` and `b` are within rounding distance. */
const near = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

// --- Strategies ---------------------------------------------------------------------------------

const rsi14 = rsiSeries(close, 14);
const macd12269 = macdSeries(close, 12, 26, 9);
/** RSI(14), MACD(12, 26, 9) line and signal at `t`, then line and signal at `t - 1`. */
function rsiMacdAt(t: number): [number, number, number, number, number] {
  const { line, signal } = macd12269;
  return [at(rsi14, t), at(line, t), at(signal, t), at(line, t - 1), at(signal, t - 1)];
}

describe("momentum-strategy", () => {
  it("buys and sells on the published RSI + MACD momentum rules", () => {
    expectActions(run(momentumStrategy.create(), bars), (t) => {
      if (t < 1) return HOLD;
      const [r, m, s, pm, ps] = rsiMacdAt(t);
      const [h, ph] = [m - s, pm - ps];
      const change = (at(close, t) - at(close, t - 1)) / at(close, t - 1);
      if ((r < 40 && m > s && pm <= ps) || (r < 45 && h > 0 && change > 0.001) || (m > s && h > ph * 1.5))
        return BUY;
      if ((r > 60 && m < s && pm >= ps) || (r > 55 && h < 0 && change < -0.001) || (m < s && h < ph * 1.5))
        return SELL;
      return HOLD;
    });
  });
});

describe("swing-trading-strategy", () => {
  it("buys on a MACD cross up with RSI < 40 and sells on a cross down with RSI > 60", () => {
    expectActions(run(swingTradingStrategy.create(), bars), (t) => {
      if (t < 1) return HOLD;
      const [r, m, s, pm, ps] = rsiMacdAt(t);
      if (r < 40 && m > s && pm <= ps) return BUY;
      if (r > 60 && m < s && pm >= ps) return SELL;
      return HOLD;
    });
  });
});

/** Population σ Bollinger bands of `p` closes at `k` σ ending at `t`. */
function bands(t: number, p: number, k: number): { lower: number; upper: number } {
  const w = close.slice(t - p + 1, t + 1);
  const m = mean(w);
  const sd = Math.sqrt(sum(w.map((x) => (x - m) ** 2)) / p);
  return { lower: m - k * sd, upper: m + k * sd };
}

describe("mean-reversion-strategy", () => {
  it("buys below the lower band and sells above the upper band (20 closes, 2 σ)", () => {
    expectActions(run(meanReversionStrategy.create(), bars), (t) => {
      if (t < 19) return HOLD;
      const { lower, upper } = bands(t, 20, 2);
      const c = at(close, t);
      if (near(c, lower) || near(c, upper)) return null;
      return c < lower ? BUY : c > upper ? SELL : HOLD;
    });
  });

  it("is the bollinger-bands implementation under another name", () => {
    expect(meanReversionStrategy.aliasOf).toBe("bollinger-bands");
    expect(run(meanReversionStrategy.create(), bars)).toEqual(run(bollingerBands.create(), bars));
  });
});

describe("bollinger-bands-strategy", () => {
  it("trades only fresh crosses out of the bands", () => {
    expectActions(run(bollingerBandsStrategy.create(), bars), (t) => {
      if (t < 19) return HOLD;
      const { lower, upper } = bands(t, 20, 2);
      const [c, prev] = [at(close, t), at(close, t - 1)];
      if ([c, prev].some((x) => near(x, lower) || near(x, upper))) return null;
      if (prev >= lower && c < lower) return BUY;
      if (prev <= upper && c > upper) return SELL;
      return HOLD;
    });
  });
});

/** Crossing of series `a` over `b` at `t`. */
function cross(a: number[], b: number[], t: number): ActionCode {
  if (t < 1) return HOLD;
  const [x, y, px, py] = [at(a, t), at(b, t), at(a, t - 1), at(b, t - 1)];
  if (x > y && px <= py) return BUY;
  if (x < y && px >= py) return SELL;
  return HOLD;
}

describe("trend-following-strategy", () => {
  it("trades EMA(20) / EMA(50) crossovers", () => {
    const [f, s] = [emaSeries(close, 20), emaSeries(close, 50)];
    expectActions(run(trendFollowingStrategy.create(), bars), (t) => cross(f, s, t));
    expect(trendFollowingStrategy.aliasOf).toBe("ema-crossover");
    expect(run(trendFollowingStrategy.create(), bars)).toEqual(
      run(emaCrossover.create({ fast: 20, slow: 50 }), bars),
    );
  });
});

describe("dual-moving-average-strategy", () => {
  it("trades EMA(10) / EMA(50) crossovers", () => {
    const [f, s] = [emaSeries(close, 10), emaSeries(close, 50)];
    expectActions(run(dualMovingAverageStrategy.create(), bars), (t) => cross(f, s, t));
    expect(dualMovingAverageStrategy.aliasOf).toBe("ema-crossover");
  });
});

describe("breakout-strategy", () => {
  it("trades closes 0.2 % beyond the range of the previous 20 bars", () => {
    expectActions(run(breakoutStrategy.create(), bars), (t) => {
      if (t < 20) return HOLD;
      const hi = Math.max(...high.slice(t - 20, t));
      const lo = Math.min(...low.slice(t - 20, t));
      const c = at(close, t);
      if (c > hi * 1.002) return BUY;
      if (c < lo * 0.998) return SELL;
      return HOLD;
    });
  });
});

describe("grid-trading-strategy", () => {
  it("buys 0.2 % below and sells 0.2 % above the 20-close average", () => {
    expectActions(run(gridTradingStrategy.create(), bars), (t) => {
      const avg = windowMean(close, 20, t);
      if (Number.isNaN(avg)) return HOLD;
      const c = at(close, t);
      if (near(c, avg * 0.998) || near(c, avg * 1.002)) return null;
      if (c <= avg * 0.998) return BUY;
      if (c >= avg * 1.002) return SELL;
      return HOLD;
    });
  });
});

describe("ichimoku-cloud-strategy", () => {
  it("trades tenkan (9) / kijun (26) crossovers", () => {
    const mid = (p: number, t: number) =>
      t < p - 1
        ? Number.NaN
        : (Math.max(...high.slice(t - p + 1, t + 1)) + Math.min(...low.slice(t - p + 1, t + 1))) / 2;
    const tenkan = close.map((_, t) => mid(9, t));
    const kijun = close.map((_, t) => mid(26, t));
    expectActions(run(ichimokuCloudStrategy.create(), bars), (t) => cross(tenkan, kijun, t));
  });
});

describe("price-action-strategy", () => {
  it("trades pin bars from the third bar on", () => {
    expectActions(run(priceActionStrategy.create(), bars), (t) => {
      if (t < 2) return HOLD;
      const [o, c, h, l] = [at(open, t), at(close, t), at(high, t), at(low, t)];
      const body = Math.abs(c - o);
      const upperWick = h - Math.max(o, c);
      const lowerWick = Math.min(o, c) - l;
      if (lowerWick > body * 2 && upperWick < body) return BUY;
      if (upperWick > body * 2 && lowerWick < body) return SELL;
      return HOLD;
    });
  });
});

describe("rsi-divergence-strategy", () => {
  it("answers on the nearest price / RSI divergence 2 to 5 bars back", () => {
    const rsi = rsi14;
    expectActions(run(rsiDivergenceStrategy.create(), bars), (t) => {
      for (let k = 2; k <= 5; k++) {
        const prior = t - k;
        if (prior < 14) break;
        const [c, pc, r, pr] = [at(close, t), at(close, prior), at(rsi, t), at(rsi, prior)];
        const strong = Math.abs(r - pr) > 1;
        if (c < pc && r > pr && strong) return BUY;
        if (c > pc && r < pr && strong) return SELL;
      }
      return HOLD;
    });
  });
});

describe("scalping-strategy", () => {
  it("trades a 0.1 % move aligned with EMA(5) and EMA(10)", () => {
    const [f, s] = [emaSeries(close, 5), emaSeries(close, 10)];
    expectActions(run(scalpingStrategy.create(), bars), (t) => {
      if (t < 1) return HOLD;
      const c = at(close, t);
      const move = (c - at(close, t - 1)) / at(close, t - 1);
      if (move > 0.001 && c > at(f, t) && at(f, t) > at(s, t)) return BUY;
      if (move < -0.001 && c < at(f, t) && at(f, t) < at(s, t)) return SELL;
      return HOLD;
    });
  });
});

describe("volume-weighted-strategy", () => {
  it("trades the close against the 20-bar VWAP on 1.5 × average volume", () => {
    expectActions(run(volumeWeightedStrategy.create(), bars), (t) => {
      if (t < 20) return HOLD;
      let pv = 0;
      let v = 0;
      for (let k = t - 19; k <= t; k++) {
        pv += ((at(high, k) + at(low, k) + at(close, k)) / 3) * at(volume, k);
        v += at(volume, k);
      }
      const vwap = v === 0 ? at(close, t) : pv / v;
      const avgVolume = mean(volume.slice(t - 20, t));
      const c = at(close, t);
      if (near(c, vwap) || near(at(volume, t), avgVolume * 1.5)) return null;
      if (c > vwap && at(volume, t) > avgVolume * 1.5) return BUY;
      if (c < vwap && at(volume, t) > avgVolume * 1.5) return SELL;
      return HOLD;
    });
  });
});

// --- Catalog ------------------------------------------------------------------------------------

type Row = [slug: string, frequency: string, min: number, tp: number, sl: number, timeframe?: string];
const published: Row[] = [
  ["momentum-strategy", "scalping", 26, 1, 0.4, "5m"],
  ["mean-reversion-strategy", "weekly", 20, 1, 0.5],
  ["trend-following-strategy", "monthly", 50, 2, 1],
  ["bollinger-bands-strategy", "daily", 20, 1.5, 0.8],
  ["breakout-strategy", "daily", 20, 2, 1],
  ["dual-moving-average-strategy", "daily", 50, 1.5, 0.7],
  ["grid-trading-strategy", "daily", 20, 0.5, 0.3],
  ["ichimoku-cloud-strategy", "daily", 26, 1.8, 0.9],
  ["price-action-strategy", "daily", 3, 1.6, 0.8],
  ["rsi-divergence-strategy", "daily", 14, 1.7, 0.8],
  ["scalping-strategy", "scalping", 10, 0.3, 0.2],
  ["swing-trading-strategy", "weekly", 26, 2.5, 1.2],
  ["volume-weighted-strategy", "daily", 20, 1.4, 0.7],
];

describe("published catalog", () => {
  it("carries the published names, slugs, cadence, candle floors and exit levels", () => {
    expect(publishedStrategies.map((s) => s.slug)).toEqual(published.map((r) => r[0]));
    expect(publishedStrategies.map((s) => s.name)).toEqual([
      "Momentum Strategy",
      "Mean Reversion Strategy",
      "Trend Following Strategy",
      "Bollinger Bands Strategy",
      "Breakout Strategy",
      "Dual Moving Average Strategy",
      "Grid Trading Strategy",
      "Ichimoku Cloud Strategy",
      "Price Action Strategy",
      "RSI Divergence Strategy",
      "Scalping Strategy",
      "Swing Trading Strategy",
      "Volume Weighted Strategy",
    ]);
    for (const [slug, frequency, min, tp, sl, timeframe] of published) {
      const s = getBuiltinStrategy(slug) as StrategyDefinition;
      expect(s.slug).toBe(slug);
      // The slug is the published name in kebab case ("Momentum Strategy" -> "momentum-strategy").
      expect(s.name).toMatch(/^[A-Z][A-Za-z ]+ Strategy$/);
      expect(s.name.toLowerCase().replaceAll(" ", "-")).toBe(slug);
      expect(getBuiltinStrategy(s.name)).toBe(s);
      expect(s.version).toBe("1.0.0");
      expect(s.defaultFrequency, slug).toBe(frequency);
      expect([s.minCandles, s.lookbackCandles], slug).toEqual([min, min]);
      expect(s.defaultConfig, slug).toEqual(
        timeframe === undefined
          ? { takeProfitLevel: tp, stopLossLevel: sl }
          : { takeProfitLevel: tp, stopLossLevel: sl, timeframe },
      );
      expect(builtinStrategies).toContain(s);
    }
  });

  it("keeps our six at a scalping cadence without exit levels", () => {
    for (const s of builtinStrategies.slice(0, 6)) {
      expect(s.defaultFrequency).toBe("scalping");
      expect(s.defaultConfig).toEqual({ takeProfitLevel: null, stopLossLevel: null });
      expect(s.aliasOf).toBeUndefined();
    }
  });

  it("resolves names case-insensitively and slugs", () => {
    expect(getBuiltinStrategy("Momentum Strategy")).toBe(momentumStrategy);
    expect(getBuiltinStrategy(" volume weighted strategy ")).toBe(volumeWeightedStrategy);
    expect(getBuiltinStrategy("RSI Divergence Strategy")).toBe(rsiDivergenceStrategy);
    expect(getBuiltinStrategy("ichimoku-cloud-strategy")).toBe(ichimokuCloudStrategy);
    expect(getBuiltinStrategy("Bollinger Bands")).toBe(bollingerBands);
    expect(getBuiltinStrategy("Bollinger Bands Strategy")).toBe(bollingerBandsStrategy);
  });

  it("aliases publish their own defaults but validate like their base", () => {
    expect(trendFollowingStrategy.defaults).toEqual({ fast: 20, slow: 50 });
    expect(trendFollowingStrategy.parameterSchema.properties.slow?.default).toBe(50);
    expect(emaCrossover.defaults).toEqual({ fast: 12, slow: 26 });
    expect(() => trendFollowingStrategy.create({ fast: 60 })).toThrow(
      /fast \(60\) must be less than slow \(50\)/,
    );
    expect(trendFollowingStrategy.requirements({ slow: 80 })).toEqual({
      minCandles: 80,
      lookbackCandles: 80,
    });
    expect(() => scalpingStrategy.create({ fast: 10 })).toThrow(/fast \(10\) must be less than slow \(10\)/);
    expect(() => ichimokuCloudStrategy.create({ tenkan: 30 })).toThrow(/tenkan/);
  });

  it("is deterministic: fresh instances and reset instances repeat the same actions", () => {
    for (const s of publishedStrategies) {
      const a = s.create();
      const first = run(a, bars);
      expect(run(s.create(), bars), s.slug).toEqual(first);
      a.reset?.();
      expect(run(a, bars), s.slug).toEqual(first);
    }
  });
});
