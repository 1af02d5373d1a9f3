/** Order statistics shared by the research tools. Pure. */

/** The percentiles every research distribution reports. */
export const REPORTED_PERCENTILES = [5, 25, 50, 75, 95] as const;

/**
 * The `p`-th percentile (0-100) of `sorted` (ascending), linearly interpolated between closest ranks
 * (the "type 7" definition of R and NumPy's default). NaN for an empty array.
 */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const rank = (p / 100) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(n - 1, lo + 1);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (rank - lo);
}

/** Percentiles 5/25/50/75/95 of `values` (any order), keyed `p5`...`p95`, plus mean, min and max. */
export interface Distribution {
  readonly p5: number;
  readonly p25: number;
  readonly p50: number;
  readonly p75: number;
  readonly p95: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
}

export function distribution(values: ArrayLike<number>): Distribution {
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const at = (p: number) => percentileSorted(sorted, p);
  return {
    p5: at(5),
    p25: at(25),
    p50: at(50),
    p75: at(75),
    p95: at(95),
    mean: sorted.length ? sum / sorted.length : Number.NaN,
    min: sorted.length ? (sorted[0] as number) : Number.NaN,
    max: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN,
  };
}
