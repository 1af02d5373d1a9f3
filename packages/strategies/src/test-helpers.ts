// Test-only helpers, for this package's tests and, as `@quantago/strategies/testing`, other packages'
// tests (never imported by production code).
import type { ActionCode, BarColumns, BarStrategy, PortfolioView } from "./contract.ts";
import { createDecisionSlot } from "./contract.ts";

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random-walk bar series of `n` one-minute bars. */
export function randomBars(n: number, seed = 7, start = 1_577_836_800_000): BarColumns {
  const r = rng(seed);
  const time = new Float64Array(n);
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  const volume = new Float64Array(n);
  let o = 100;
  for (let i = 0; i < n; i++) {
    const c = o * (1 + (r() - 0.5) * 0.02);
    time[i] = start + i * 60_000;
    open[i] = o;
    close[i] = c;
    high[i] = Math.max(o, c) * (1 + r() * 0.005);
    low[i] = Math.min(o, c) * (1 - r() * 0.005);
    volume[i] = 1 + Math.floor(r() * 100);
    o = c;
  }
  return { time, open, high, low, close, volume };
}

/** A flat portfolio view. */
export function flatPortfolio(cash = 10_000): PortfolioView {
  return {
    cash,
    equity: cash,
    position: 0,
    entryPrice: Number.NaN,
    entryTime: Number.NaN,
    entryIndex: -1,
    lastEntryTime: Number.NaN,
  };
}

/** Feeds every bar to `strategy` with a flat portfolio and returns its actions. */
export function runActions(strategy: BarStrategy, bars: BarColumns): ActionCode[] {
  const p = flatPortfolio();
  const slot = createDecisionSlot();
  const out: ActionCode[] = [];
  for (let i = 0; i < bars.close.length; i++) out.push(strategy.onBar(i, bars, p, slot));
  return out;
}
