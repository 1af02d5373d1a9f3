/**
 * Walk-forward windows over a bar range, by bar index: each window has an in-sample part (where the
 * sweep picks the best combination) immediately followed by an out-of-sample part (where that
 * combination is tested). `rolling` windows keep a fixed in-sample length and slide by the
 * out-of-sample length; `anchored` ones all start at bar 0 and grow. Out-of-sample parts tile the
 * range after the first in-sample part without overlapping. Pure.
 *
 * @module
 */

export type WalkForwardMode = "rolling" | "anchored";

/** Half-open bar index ranges `[start, end)`. */
export interface WalkForwardWindow {
  readonly index: number;
  readonly inSample: { readonly start: number; readonly end: number };
  readonly outOfSample: { readonly start: number; readonly end: number };
}

export interface WalkForwardPlan {
  readonly bars: number;
  readonly windows: number;
  /** Share of each window's bars that are in-sample, in (0, 1). */
  readonly inSampleRatio: number;
  readonly mode: WalkForwardMode;
}

/**
 * Splits `bars` into `windows` windows. With `w` windows and ratio `r`, the first in-sample part has
 * length `I` and every out-of-sample part length `O` with `I / (I + O) = r` and `I + w*O = bars`
 * (the last out-of-sample part takes the remainder). Throws RangeError when a part would be empty.
 */
export function walkForwardWindows(plan: WalkForwardPlan): WalkForwardWindow[] {
  const { bars, windows, inSampleRatio: r, mode } = plan;
  if (!Number.isInteger(windows) || windows < 1) throw new RangeError("windows must be an integer >= 1");
  if (!(r > 0 && r < 1)) throw new RangeError("inSampleRatio must be in (0, 1)");
  // I = r/(1-r) * O and I + w*O = bars  =>  O = bars / (w + r/(1-r))
  const oos = Math.floor(bars / (windows + r / (1 - r)));
  const is = bars - windows * oos;
  if (oos < 1 || is < 1) throw new RangeError(`${bars} bars cannot make ${windows} windows`);
  const out: WalkForwardWindow[] = [];
  for (let k = 0; k < windows; k++) {
    const oosStart = is + k * oos;
    const oosEnd = k === windows - 1 ? bars : oosStart + oos;
    out.push({
      index: k,
      inSample: { start: mode === "anchored" ? 0 : oosStart - is, end: oosStart },
      outOfSample: { start: oosStart, end: oosEnd },
    });
  }
  return out;
}

/**
 * Joins out-of-sample equity curves into one, compounding: each segment is rescaled so it starts
 * where the previous one ended (segment `k` is multiplied by `end_{k-1} / initial`).
 */
export function stitchEquity(segments: readonly ArrayLike<number>[], initialBalance: number): Float64Array {
  const total = segments.reduce((n, s) => n + s.length, 0);
  const out = new Float64Array(total);
  let scale = 1;
  let at = 0;
  for (const segment of segments) {
    for (let i = 0; i < segment.length; i++) out[at++] = (segment[i] as number) * scale;
    if (segment.length > 0) scale = (out[at - 1] as number) / initialBalance;
  }
  return out;
}
