import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rng } from "../test-helpers.ts";
import { Bollinger, Donchian, Ema, Macd, RollingVwap, Rsi, Sma } from "./index.ts";

// Naive recomputations, O(period) per bar, written independently of the incremental versions.

function naiveSma(xs: number[], p: number): number[] {
  return xs.map((_, t) => {
    if (t < p - 1) return Number.NaN;
    let s = 0;
    for (let k = t - p + 1; k <= t; k++) s += xs[k] as number;
    return s / p;
  });
}

function naiveEma(xs: number[], p: number): number[] {
  const alpha = 2 / (p + 1);
  const out: number[] = [];
  let prev = Number.NaN;
  for (let t = 0; t < xs.length; t++) {
    if (t < p - 1) out.push(Number.NaN);
    else if (t === p - 1) {
      prev = xs.slice(0, p).reduce((a, b) => a + b, 0) / p;
      out.push(prev);
    } else {
      prev = prev + alpha * ((xs[t] as number) - prev);
      out.push(prev);
    }
  }
  return out;
}

function naiveRsi(xs: number[], p: number): number[] {
  const out: number[] = [Number.NaN];
  let g = 0;
  let l = 0;
  for (let t = 1; t < xs.length; t++) {
    const d = (xs[t] as number) - (xs[t - 1] as number);
    const gain = Math.max(d, 0);
    const loss = Math.max(-d, 0);
    if (t < p) {
      g += gain;
      l += loss;
      out.push(Number.NaN);
      continue;
    }
    if (t === p) {
      g = (g + gain) / p;
      l = (l + loss) / p;
    } else {
      g = (g * (p - 1) + gain) / p;
      l = (l * (p - 1) + loss) / p;
    }
    out.push(l === 0 ? (g === 0 ? 50 : 100) : 100 - 100 / (1 + g / l));
  }
  return out;
}

function naiveStd(xs: number[], p: number): number[] {
  return xs.map((_, t) => {
    if (t < p - 1) return Number.NaN;
    const w = xs.slice(t - p + 1, t + 1);
    const m = w.reduce((a, b) => a + b, 0) / p;
    return Math.sqrt(w.reduce((a, b) => a + (b - m) ** 2, 0) / p);
  });
}

function series(n: number, seed: number, level = 100, step = 1): number[] {
  const r = rng(seed);
  const xs: number[] = [];
  let x = level;
  for (let i = 0; i < n; i++) {
    x += (r() - 0.5) * step;
    xs.push(x);
  }
  return xs;
}

function expectClose(actual: number[], expected: number[], rel: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (Number.isNaN(e)) {
      expect(a, `index ${i}`).toBeNaN();
      continue;
    }
    expect(Math.abs(a - e), `index ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(e)));
  }
}

const prices = fc.array(fc.double({ min: 1, max: 1000, noNaN: true }), { minLength: 1, maxLength: 200 });

describe("Sma", () => {
  it("matches the documented example", () => {
    const sma = new Sma(3);
    expect(sma.update(1)).toBeNaN();
    expect(sma.update(2)).toBeNaN();
    expect(sma.update(3)).toBe(2);
    expect(sma.update(4)).toBe(3);
    expect(sma.ready).toBe(true);
  });

  it("agrees with a naive recomputation (property)", () => {
    fc.assert(
      fc.property(prices, fc.integer({ min: 1, max: 30 }), (xs, p) => {
        const sma = new Sma(p);
        expectClose(
          xs.map((x) => sma.update(x)),
          naiveSma(xs, p),
          1e-12,
        );
      }),
    );
  });

  it("does not drift over a long series", () => {
    const xs = series(200_000, 3, 1e4, 5);
    const sma = new Sma(30);
    const got = xs.map((x) => sma.update(x));
    const want = naiveSma(xs, 30);
    expectClose(got.slice(-1000), want.slice(-1000), 1e-14);
  });

  it("resets", () => {
    const sma = new Sma(2);
    sma.update(5);
    sma.update(7);
    sma.reset();
    expect(sma.value).toBeNaN();
    sma.update(1);
    expect(sma.update(3)).toBe(2);
  });

  it("rejects a bad period", () => {
    expect(() => new Sma(0)).toThrow(RangeError);
    expect(() => new Sma(2.5)).toThrow(RangeError);
  });
});

describe("Ema", () => {
  it("matches the documented example", () => {
    const ema = new Ema(3);
    ema.update(1);
    ema.update(2);
    expect(ema.update(3)).toBe(2);
    expect(ema.update(6)).toBe(4);
  });

  it("agrees with a naive recomputation (property)", () => {
    fc.assert(
      fc.property(prices, fc.integer({ min: 1, max: 30 }), (xs, p) => {
        const ema = new Ema(p);
        expectClose(
          xs.map((x) => ema.update(x)),
          naiveEma(xs, p),
          1e-12,
        );
      }),
    );
  });
});

describe("Rsi", () => {
  it("agrees with a naive recomputation (property)", () => {
    fc.assert(
      fc.property(prices, fc.integer({ min: 1, max: 30 }), (xs, p) => {
        const rsi = new Rsi(p);
        expectClose(
          xs.map((x) => rsi.update(x)),
          naiveRsi(xs, p),
          1e-9,
        );
      }),
    );
  });

  it("is 100 with only gains, 0 with only losses, 50 when flat", () => {
    const up = new Rsi(3);
    for (const x of [1, 2, 3, 4, 5]) up.update(x);
    expect(up.value).toBe(100);
    const down = new Rsi(3);
    for (const x of [5, 4, 3, 2, 1]) down.update(x);
    expect(down.value).toBe(0);
    const flat = new Rsi(3);
    for (const x of [2, 2, 2, 2]) flat.update(x);
    expect(flat.value).toBe(50);
    expect(new Rsi(3).ready).toBe(false);
  });
});

describe("Bollinger", () => {
  it("agrees with a naive two-pass recomputation (property)", () => {
    fc.assert(
      fc.property(
        prices,
        fc.integer({ min: 1, max: 30 }),
        fc.double({ min: 0.5, max: 3, noNaN: true }),
        (xs, p, k) => {
          const bb = new Bollinger(p, k);
          const mid: number[] = [];
          const sd: number[] = [];
          const up: number[] = [];
          for (const x of xs) {
            bb.update(x);
            mid.push(bb.middle);
            sd.push(bb.stddev);
            up.push(bb.upper);
          }
          const m = naiveSma(xs, p);
          const s = naiveStd(xs, p);
          expectClose(mid, m, 1e-12);
          // The rolling variance carries rounding of the order eps·max(x²) from values that have left
          // the window (cancellation is inherent to O(1) updates), so variances are compared on that
          // scale; for stddev and the bands that bounds the error by its square root, since
          // |a − b| ≤ √|a² − b²| for a, b ≥ 0.
          const varianceTolerance = 1e-10 * Math.max(1, ...xs.map((x) => x * x));
          for (let i = 0; i < xs.length; i++) {
            const want = s[i] as number;
            if (Number.isNaN(want)) {
              expect(sd[i]).toBeNaN();
              expect(up[i]).toBeNaN();
              continue;
            }
            const got = sd[i] as number;
            expect(Math.abs(got * got - want * want)).toBeLessThanOrEqual(varianceTolerance);
            const band = (m[i] as number) + k * want;
            expect(Math.abs((up[i] as number) - band)).toBeLessThanOrEqual(
              k * Math.sqrt(varianceTolerance) + 1e-12 * Math.abs(band),
            );
          }
        },
      ),
    );
  });

  it("stays accurate on a large level with tiny noise over a long series", () => {
    const xs = series(100_000, 11, 1e9, 0.01);
    const bb = new Bollinger(20, 2);
    for (const x of xs) bb.update(x);
    const s = naiveStd(xs.slice(-20), 20)[19] as number;
    expect(Math.abs(bb.stddev - s) / s).toBeLessThan(1e-4);
  });

  it("gives a zero width on a constant series", () => {
    const bb = new Bollinger(5, 2);
    for (let i = 0; i < 50; i++) bb.update(42.1);
    expect(bb.stddev).toBe(0);
    expect(bb.upper).toBeCloseTo(42.1, 12);
    expect(bb.lower).toBeCloseTo(42.1, 12);
  });
});

describe("Donchian", () => {
  it("agrees with a naive rolling max/min (property, exact)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 20 })), {
          minLength: 1,
          maxLength: 200,
        }),
        fc.integer({ min: 1, max: 25 }),
        (pairs, p) => {
          const highs = pairs.map(([l, w]) => l + w);
          const lows = pairs.map(([l]) => l);
          const dc = new Donchian(p);
          for (let t = 0; t < pairs.length; t++) {
            dc.update(highs[t] as number, lows[t] as number);
            if (t < p - 1) {
              expect(dc.upper).toBeNaN();
              continue;
            }
            expect(dc.upper).toBe(Math.max(...highs.slice(t - p + 1, t + 1)));
            expect(dc.lower).toBe(Math.min(...lows.slice(t - p + 1, t + 1)));
            expect(dc.middle).toBe((dc.upper + dc.lower) / 2);
          }
        },
      ),
    );
  });

  it("resets", () => {
    const dc = new Donchian(2);
    dc.update(10, 1);
    dc.update(11, 2);
    dc.reset();
    expect(dc.upper).toBeNaN();
    dc.update(3, 2);
    dc.update(4, 1);
    expect(dc.upper).toBe(4);
    expect(dc.lower).toBe(1);
  });
});

describe("Macd", () => {
  it("agrees with a naive recomputation (property)", () => {
    fc.assert(
      fc.property(
        prices,
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 8 }),
        (xs, f, extra, sp) => {
          const s = f + extra;
          const m = new Macd(f, s, sp);
          const got: number[] = [];
          const sig: number[] = [];
          for (const x of xs) {
            m.update(x);
            got.push(m.macd);
            sig.push(m.signal);
          }
          const ef = naiveEma(xs, f);
          const es = naiveEma(xs, s);
          const line = xs.map((_, i) => (ef[i] as number) - (es[i] as number));
          expectClose(got, line, 1e-9);
          const defined = line.slice(s - 1);
          const sigNaive = [...new Array<number>(s - 1).fill(Number.NaN), ...naiveEma(defined, sp)].slice(
            0,
            xs.length,
          );
          expectClose(sig, sigNaive, 1e-9);
        },
      ),
    );
  });
});

describe("RollingVwap", () => {
  const bar = fc.tuple(
    fc.double({ min: 1, max: 1000, noNaN: true }),
    fc.double({ min: 0, max: 50, noNaN: true }),
    fc.double({ min: 0, max: 1, noNaN: true }),
    // No volume, or a realistic one (subnormal volumes lose the precision of tp·v).
    fc.oneof(fc.constant(0), fc.double({ min: 1e-3, max: 1e6, noNaN: true })),
  );

  it("agrees with a naive recomputation (property)", () => {
    fc.assert(
      fc.property(
        fc.array(bar, { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 30 }),
        (rows, p) => {
          // low, high = low + width, close somewhere in between, volume.
          const bars = rows.map(([l, w, f, v]) => ({ h: l + w, l, c: l + w * f, v }));
          const vwap = new RollingVwap(p);
          const got = bars.map((b) => vwap.update(b.h, b.l, b.c, b.v));
          const want = bars.map((b, t) => {
            if (t < p - 1) return Number.NaN;
            let pv = 0;
            let vol = 0;
            for (let k = t - p + 1; k <= t; k++) {
              const x = bars[k] as (typeof bars)[number];
              pv += ((x.h + x.l + x.c) / 3) * x.v;
              vol += x.v;
            }
            return vol === 0 ? b.c : pv / vol;
          });
          expectClose(got, want, 1e-9);
        },
      ),
    );
  });

  it("is the close when the window has no volume, after volume has left it", () => {
    const vwap = new RollingVwap(2);
    expect(vwap.update(11, 9, 10, 5)).toBeNaN();
    expect(vwap.update(12, 10, 11, 5)).toBe(10.5);
    vwap.update(13, 11, 12, 0);
    expect(vwap.update(14, 12, 13, 0)).toBe(13);
    vwap.reset();
    expect(vwap.ready).toBe(false);
    expect(vwap.update(3, 3, 3, 1)).toBeNaN();
  });
});
