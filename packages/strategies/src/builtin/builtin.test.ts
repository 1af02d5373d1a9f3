import { describe, expect, it } from "vitest";
import type { ActionCode, BarColumns } from "../contract.ts";
import { BUY, HOLD, SELL } from "../contract.ts";
import { ParameterValidationError } from "../params.ts";
import { randomBars, runActions } from "../test-helpers.ts";
import {
  acceptsParameters,
  bollingerBands,
  builtinStrategies,
  donchianBreakout,
  emaCrossover,
  getBuiltinStrategy,
  macdStrategy,
  publishedStrategies,
  rsiMeanReversion,
  smaCrossover,
} from "./index.ts";

const run = runActions;

// Naive references.
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
function sma(xs: number[], p: number, t: number): number {
  return t < p - 1 ? Number.NaN : mean(xs.slice(t - p + 1, t + 1));
}
function emaSeries(xs: number[], p: number): number[] {
  const a = 2 / (p + 1);
  const out: number[] = [];
  for (let t = 0; t < xs.length; t++) {
    if (t < p - 1) out.push(Number.NaN);
    else if (t === p - 1) out.push(mean(xs.slice(0, p)));
    else out.push((out[t - 1] as number) + a * ((xs[t] as number) - (out[t - 1] as number)));
  }
  return out;
}
function cross(a: number[], b: number[], t: number): ActionCode {
  if (t < 1) return HOLD;
  const [x, y, px, py] = [a[t], b[t], a[t - 1], b[t - 1]] as [number, number, number, number];
  if (x > y && px <= py) return BUY;
  if (x < y && px >= py) return SELL;
  return HOLD;
}

const bars = randomBars(3000, 5);
const closes = Array.from(bars.close);

describe("sma-crossover", () => {
  it("matches the SMAX-1m semantics on random data", () => {
    const got = run(smaCrossover.create({ fast: 10, slow: 30 }), bars);
    const f = closes.map((_, t) => sma(closes, 10, t));
    const s = closes.map((_, t) => sma(closes, 30, t));
    const want = closes.map((_, t) => cross(f, s, t));
    expect(got).toEqual(want);
    expect(got.findIndex((a) => a !== HOLD)).toBeGreaterThanOrEqual(30);
    expect(got.filter((a) => a !== HOLD).length).toBeGreaterThan(20);
  });

  it("buys exactly on a hand-built cross up at the first evaluable bar", () => {
    // fast=1, slow=2: SMA(1)=close, SMA(2)=mean of two closes. Cross up at t when close_t > close_{t-1}
    // after close_{t-1} <= close_{t-2}.
    const c = [3, 2, 1, 2, 1];
    const b: BarColumns = {
      time: Float64Array.from(c, (_, i) => i),
      open: Float64Array.from(c),
      high: Float64Array.from(c),
      low: Float64Array.from(c),
      close: Float64Array.from(c),
      volume: Float64Array.from(c),
    };
    expect(run(smaCrossover.create({ fast: 1, slow: 2 }), b)).toEqual([HOLD, HOLD, HOLD, BUY, SELL]);
  });

  it("publishes the catalog shape", () => {
    expect(smaCrossover.slug).toBe("sma-crossover");
    expect(smaCrossover.defaults).toEqual({ fast: 10, slow: 30 });
    expect(smaCrossover.minCandles).toBe(31);
    expect(smaCrossover.parameterSchema).toMatchObject({
      type: "object",
      properties: {
        fast: { type: "integer", default: 10, minimum: 1 },
        slow: { type: "integer", default: 30 },
      },
      required: ["fast", "slow"],
    });
    expect(smaCrossover.requirements({ slow: 50 })).toEqual({ minCandles: 51, lookbackCandles: 51 });
  });

  it("validates parameters with clear errors and ignores platform keys", () => {
    expect(smaCrossover.parseParameters({ fast: 5, timeframe: "1h", riskPerTrade: 2 })).toEqual({
      fast: 5,
      slow: 30,
    });
    expect(() => smaCrossover.create({ fast: 30, slow: 10 })).toThrow(
      /fast \(30\) must be less than slow \(10\)/,
    );
    expect(() => smaCrossover.create({ fast: 2.5 })).toThrow(ParameterValidationError);
    expect(() => smaCrossover.create({ fast: "10" })).toThrow(/fast: expected an integer/);
    expect(() => smaCrossover.create({ slow: 100_000 })).toThrow(/slow: must be <= 10000/);
    expect(() => smaCrossover.create([1, 2])).toThrow(/parameters must be an object/);
    const error = (() => {
      try {
        smaCrossover.create({ fast: -1, slow: 1 });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ParameterValidationError);
    expect((error as ParameterValidationError).issues.map((i) => i.path)).toEqual(["fast", "slow"]);
  });

  it("is reusable after reset", () => {
    const s = smaCrossover.create();
    const a = run(s, bars);
    s.reset?.();
    expect(run(s, bars)).toEqual(a);
  });
});

describe("acceptsParameters", () => {
  it("says whether the strategy's own rules accept a combination, and lets other errors through", () => {
    expect(acceptsParameters(smaCrossover, { fast: 5, slow: 20 })).toBe(true);
    expect(acceptsParameters(smaCrossover, { fast: 20, slow: 5 })).toBe(false); // fast < slow
    expect(acceptsParameters(smaCrossover, { fast: -1 })).toBe(false); // below the schema's minimum
    const broken = {
      ...smaCrossover,
      parseParameters: () => {
        throw new TypeError("bug");
      },
    };
    expect(() => acceptsParameters(broken, {})).toThrow(TypeError);
  });
});

describe("ema-crossover", () => {
  it("matches a naive EMA crossover", () => {
    const got = run(emaCrossover.create({ fast: 5, slow: 20 }), bars);
    const f = emaSeries(closes, 5);
    const s = emaSeries(closes, 20);
    // Tolerate nothing: the incremental EMA uses the same recurrence, so values are identical.
    expect(got).toEqual(closes.map((_, t) => cross(f, s, t)));
  });
});

describe("rsi-mean-reversion", () => {
  it("buys below oversold and sells above overbought", () => {
    const got = run(rsiMeanReversion.create({ period: 14, oversold: 40, overbought: 60 }), bars);
    // Reference RSI (Wilder).
    let g = 0;
    let l = 0;
    const want: ActionCode[] = [HOLD];
    for (let t = 1; t < closes.length; t++) {
      const d = (closes[t] as number) - (closes[t - 1] as number);
      const [gain, loss] = [Math.max(d, 0), Math.max(-d, 0)];
      if (t < 14) {
        g += gain;
        l += loss;
        want.push(HOLD);
        continue;
      }
      if (t === 14) [g, l] = [(g + gain) / 14, (l + loss) / 14];
      else [g, l] = [(g * 13 + gain) / 14, (l * 13 + loss) / 14];
      const r = l === 0 ? (g === 0 ? 50 : 100) : 100 - 100 / (1 + g / l);
      want.push(r < 40 ? BUY : r > 60 ? SELL : HOLD);
    }
    expect(got).toEqual(want);
    expect(() => rsiMeanReversion.create({ oversold: 80, overbought: 70 })).toThrow(/oversold/);
  });
});

describe("bollinger-bands", () => {
  it("buys below the lower band and sells above the upper band", () => {
    const got = run(bollingerBands.create({ period: 20, stdDev: 1.5 }), bars);
    let mismatches = 0;
    for (let t = 0; t < closes.length; t++) {
      let want: ActionCode = HOLD;
      if (t >= 19) {
        const w = closes.slice(t - 19, t + 1);
        const m = mean(w);
        const sd = Math.sqrt(w.reduce((a, b) => a + (b - m) ** 2, 0) / 20);
        const c = closes[t] as number;
        // Skip decisions within rounding distance of a band.
        if (Math.abs(c - (m - 1.5 * sd)) < 1e-9 || Math.abs(c - (m + 1.5 * sd)) < 1e-9) continue;
        want = c < m - 1.5 * sd ? BUY : c > m + 1.5 * sd ? SELL : HOLD;
      }
      if (got[t] !== want) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(got.filter((a) => a === BUY).length).toBeGreaterThan(10);
  });
});

describe("donchian-breakout", () => {
  it("compares the close with the channel of the previous bars", () => {
    const got = run(donchianBreakout.create({ period: 20 }), bars);
    const want = closes.map((c, t): ActionCode => {
      if (t < 20) return HOLD;
      const up = Math.max(...Array.from(bars.high.slice(t - 20, t)));
      const lo = Math.min(...Array.from(bars.low.slice(t - 20, t)));
      return c > up ? BUY : c < lo ? SELL : HOLD;
    });
    expect(got).toEqual(want);
    expect(got.some((a) => a === BUY)).toBe(true);
  });
});

describe("macd", () => {
  it("matches a naive MACD signal-line crossover", () => {
    const got = run(macdStrategy.create({ fast: 12, slow: 26, signal: 9 }), bars);
    const f = emaSeries(closes, 12);
    const s = emaSeries(closes, 26);
    const line = closes.map((_, t) => (f[t] as number) - (s[t] as number));
    const sig = [...new Array<number>(25).fill(Number.NaN), ...emaSeries(line.slice(25), 9)];
    const want = closes.map((_, t) => cross(line, sig, t));
    expect(got).toEqual(want);
    expect(got.findIndex((a) => a !== HOLD)).toBeGreaterThanOrEqual(macdStrategy.minCandles - 1);
  });
});

describe("registry", () => {
  it("lists our six then the thirteen published built-ins, with complete catalog metadata", () => {
    expect(builtinStrategies.map((s) => s.slug)).toEqual([
      "sma-crossover",
      "ema-crossover",
      "rsi-mean-reversion",
      "bollinger-bands",
      "donchian-breakout",
      "macd",
      ...publishedStrategies.map((s) => s.slug),
    ]);
    expect(new Set(builtinStrategies.map((s) => s.name.toLowerCase())).size).toBe(19);
    for (const s of builtinStrategies) {
      expect(s.name.length).toBeGreaterThan(0);
      expect(s.description.length).toBeGreaterThan(0);
      expect(s.description.length).toBeLessThanOrEqual(500);
      expect(s.slug).toMatch(/^[a-z0-9-]{3,80}$/);
      expect(s.minCandles).toBeGreaterThan(0);
      expect(s.lookbackCandles).toBeGreaterThanOrEqual(s.minCandles);
      for (const [key, prop] of Object.entries(s.parameterSchema.properties)) {
        expect(prop.title, key).toBeTruthy();
        expect(prop.description, key).toBeTruthy();
        expect(prop.default, key).toBeDefined();
        expect(s.defaults[key]).toBe(prop.default);
      }
      const strategy = s.create();
      expect(strategy.slug).toBe(s.slug);
      expect(strategy.usesPortfolio).toBe(false);
      // No signal before minCandles bars.
      const actions = run(strategy, bars);
      const first = actions.findIndex((a) => a !== HOLD);
      expect(first, s.slug).toBeGreaterThanOrEqual(s.minCandles - 1);
    }
  });

  it("finds strategies by slug or name, case-insensitively", () => {
    expect(getBuiltinStrategy("sma-crossover")).toBe(smaCrossover);
    expect(getBuiltinStrategy("  EMA Crossover ")).toBe(emaCrossover);
    expect(getBuiltinStrategy("MACD")).toBe(macdStrategy);
    expect(getBuiltinStrategy("nope")).toBeUndefined();
  });
});
