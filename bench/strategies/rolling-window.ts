/**
 * A/B of the SMA's rolling window: the library's `Sma`, built on the `RollingSum` it shares with
 * `Bollinger`, against the SMA as it was before, with the window and its compensated sum inline (a
 * twin of Bollinger's). It decided the merge; the figures are in indicators/rolling-sum.ts.
 *
 *   node_modules/.bin/node --experimental-strip-types bench/strategies/rolling-window.ts [N] [runs]
 *
 * Each run updates an SMA 10 and an SMA 30 with N values (default 5,000,000), as SMA crossover does;
 * the variants run interleaved (alternating which goes first), each in its own monomorphic loop, and
 * must give the same values. Run it several times on a quiet machine: one run is noisy.
 */

import { Sma } from "../../packages/strategies/src/indicators/sma.ts";

/** The SMA as it was before the merge: the ring buffer and the compensated sum inline (Bollinger's twin). */
class InlineSma {
  readonly period: number;
  value = Number.NaN;
  private readonly buf: Float64Array;
  private idx = 0;
  private count = 0;
  private sum = 0;
  private comp = 0;

  constructor(period: number) {
    this.period = period;
    this.buf = new Float64Array(period);
  }

  update(x: number): number {
    const period = this.period;
    const idx = this.idx;
    const old = this.buf[idx] as number;
    this.buf[idx] = x;
    this.idx = idx + 1 === period ? 0 : idx + 1;
    let s = this.sum;
    let c = this.comp;
    let t = s + x;
    c += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
    s = t;
    if (this.count < period) {
      this.count++;
      if (this.count < period) {
        this.sum = s;
        this.comp = c;
        return this.value;
      }
    } else {
      const y = -old;
      t = s + y;
      c += Math.abs(s) >= Math.abs(y) ? s - t + y : y - t + s;
      s = t;
    }
    this.sum = s;
    this.comp = c;
    this.value = (s + c) / period;
    return this.value;
  }
}

const n = Number(process.argv[2] ?? 5_000_000);
const runs = Number(process.argv[3] ?? 9);
const xs = new Float64Array(n);
let price = 100;
for (let i = 0; i < n; i++) {
  price *= 1 + ((Math.sin(i * 12.9898) * 43758.5453) % 1) * 0.001;
  xs[i] = price;
}

function runTwin(): [ms: number, checksum: number] {
  const fast = new InlineSma(10);
  const slow = new InlineSma(30);
  const t0 = performance.now();
  let checksum = 0;
  for (let i = 0; i < n; i++) checksum += fast.update(xs[i] as number) - slow.update(xs[i] as number) || 0;
  return [performance.now() - t0, checksum];
}

function runMerged(): [ms: number, checksum: number] {
  const fast = new Sma(10);
  const slow = new Sma(30);
  const t0 = performance.now();
  let checksum = 0;
  for (let i = 0; i < n; i++) checksum += fast.update(xs[i] as number) - slow.update(xs[i] as number) || 0;
  return [performance.now() - t0, checksum];
}

const twin: number[] = [];
const merged: number[] = [];
for (let r = 0; r < runs; r++) {
  // Alternate which variant goes first, so neither always runs on a warmer machine.
  const [[a, ca], [b, cb]] =
    r % 2 === 0
      ? [runTwin(), runMerged()]
      : ([runMerged(), runTwin()].reverse() as [[number, number], [number, number]]);
  if (ca !== cb) throw new Error(`the variants disagree: ${ca} vs ${cb}`);
  twin.push(a);
  merged.push(b);
}
const median = (v: number[]) => v.slice().sort((x, y) => x - y)[Math.floor(v.length / 2)] as number;
console.log(
  JSON.stringify({
    updates: 2 * n,
    twinMs: Number(median(twin).toFixed(1)),
    mergedMs: Number(median(merged).toFixed(1)),
    mergedSlowdown: Number((median(merged) / median(twin)).toFixed(2)),
  }),
);
