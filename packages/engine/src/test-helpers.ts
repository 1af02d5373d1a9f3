// Test-only helpers (imported by *.test.ts files, not exported from the package).
import type { BarColumns } from "@quantago/strategies";
import type { SignalColumns } from "./backtest.ts";

/** 2020-01-01T00:00:00Z. */
export const T0 = 1_577_836_800_000;
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** Bars from `[open, high, low, close]` rows, `step` ms apart from `start`. */
export function barsOf(
  rows: readonly (readonly [number, number, number, number])[],
  step = MINUTE,
  start = T0,
): BarColumns {
  const n = rows.length;
  const b = {
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n).fill(1),
  };
  rows.forEach(([o, h, l, c], i) => {
    b.time[i] = start + i * step;
    b.open[i] = o;
    b.high[i] = h;
    b.low[i] = l;
    b.close[i] = c;
  });
  return b;
}

/** Bars whose open, high, low and close all equal the given price. */
export function flatBars(prices: readonly number[], step = MINUTE, start = T0): BarColumns {
  return barsOf(
    prices.map((p) => [p, p, p, p] as const),
    step,
    start,
  );
}

/** Decision column of length `n` with the given actions at the given bars (and optional sizes). */
export function signals(
  n: number,
  at: Record<number, 0 | 1 | 2>,
  sizes?: Record<number, number>,
): SignalColumns {
  const actions = new Uint8Array(n);
  for (const [i, a] of Object.entries(at)) actions[Number(i)] = a;
  if (sizes === undefined) return { actions };
  const s = new Float64Array(n).fill(Number.NaN);
  for (const [i, v] of Object.entries(sizes)) s[Number(i)] = v;
  return { actions, sizes: s };
}
