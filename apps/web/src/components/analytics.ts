/** Month-by-month returns, trade-return bins and drawdown episodes, from what the detail page loads. */

export interface MonthReturn {
  year: number;
  /** 0–11 */
  month: number;
  /** Fraction: 0.05 is +5 %. */
  value: number;
}

/**
 * The return of each calendar month (UTC): last equity of the month over the last equity of the
 * month before (the first point for the first month).
 */
export function monthlyReturns(x: readonly number[], equity: readonly number[]): MonthReturn[] {
  const out: MonthReturn[] = [];
  let base = equity[0];
  let key = -1;
  let last = base;
  const flush = (k: number) => {
    if (k < 0 || base === undefined || last === undefined || base === 0) return;
    out.push({ year: Math.floor(k / 12), month: k % 12, value: last / base - 1 });
    base = last;
  };
  for (let i = 0; i < x.length; i++) {
    const d = new Date((x[i] as number) * 1000);
    const k = d.getUTCFullYear() * 12 + d.getUTCMonth();
    if (k !== key) {
      flush(key);
      key = k;
    }
    last = equity[i] as number;
  }
  flush(key);
  return out;
}

export interface Bin {
  from: number;
  to: number;
  count: number;
}

/** Equal-width bins over the values (fractions), edges rounded so zero falls on an edge. */
export function histogram(values: readonly number[], bins = 20): Bin[] {
  if (values.length === 0) return [];
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) {
    lo -= 0.005;
    hi += 0.005;
  }
  const width = (hi - lo) / bins;
  // Shift the edges so that 0 is one of them: wins and losses never share a bar.
  const offset = lo < 0 && hi > 0 ? (((0 - lo) % width) + width) % width : 0;
  const start = lo - (offset === 0 ? 0 : width - offset);
  const n = Math.ceil((hi - start) / width) || 1;
  const out: Bin[] = Array.from({ length: n }, (_, i) => ({
    from: start + i * width,
    to: start + (i + 1) * width,
    count: 0,
  }));
  for (const v of values) {
    const i = Math.min(n - 1, Math.max(0, Math.floor((v - start) / width)));
    (out[i] as Bin).count++;
  }
  return out;
}

export interface Drawdown {
  /** Unix seconds of the peak, the trough and the recovery (undefined: not recovered by the end). */
  peak: number;
  trough: number;
  recovered: number | undefined;
  /** Fraction below the peak at the trough (positive). */
  depth: number;
}

/** The `n` deepest drawdown episodes (peak → trough → back to the peak), deepest first. */
export function worstDrawdowns(x: readonly number[], equity: readonly number[], n = 3): Drawdown[] {
  const episodes: Drawdown[] = [];
  let peakI = 0;
  let troughI = 0;
  let inDd = false;
  for (let i = 1; i < equity.length; i++) {
    const v = equity[i] as number;
    const peak = equity[peakI] as number;
    if (v >= peak) {
      if (inDd)
        episodes.push({
          peak: x[peakI] as number,
          trough: x[troughI] as number,
          recovered: x[i] as number,
          depth: 1 - (equity[troughI] as number) / peak,
        });
      inDd = false;
      peakI = i;
      troughI = i;
    } else {
      if (!inDd || v < (equity[troughI] as number)) troughI = i;
      inDd = true;
    }
  }
  if (inDd)
    episodes.push({
      peak: x[peakI] as number,
      trough: x[troughI] as number,
      recovered: undefined,
      depth: 1 - (equity[troughI] as number) / (equity[peakI] as number),
    });
  return episodes
    .filter((e) => e.depth > 0)
    .sort((a, b) => b.depth - a.depth)
    .slice(0, n);
}
