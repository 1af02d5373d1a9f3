/**
 * SMAX-1m benchmark of `@quantago/engine`: an SMA 10/30 crossover (long only, one unit, market orders
 * at the next bar's open, 0.1 % fee per fill, 100,000 initial cash, the last position left open and
 * marked) over N generated one-minute bars (`generateSmaxBars`, seed 1). For N = 1,000,000 the run
 * closes 19,562 trades.
 *
 *   cd /work/main && node_modules/.bin/node --experimental-strip-types bench/engine/smax.ts [N] [runs]
 *
 * Reports, separately: data generation, the first engine call (cold JIT) and the median of `runs`
 * warm calls (default 7, at least 5), the decision loop alone, the simulation alone on precomputed
 * decisions, and peak RSS. Engine time = validation + indicators + simulation + metrics (one
 * `runBacktest` call), which yields the full trade records as columns (`result.tradeColumns`);
 * rows that say so also build the `Trade` objects (`result.trades`). Results are checked against the
 * reference table when N is 100,000 or 1,000,000. Garbage collection is left to V8 and counted where
 * it happens (forcing a full GC between runs made this VM return memory to the OS and page-fault it
 * back in during the next run).
 */

import { loadavg } from "node:os";
import { SMAX_EXECUTION_CONFIG, SMAX_REFERENCE } from "../../packages/engine/src/fixtures/smax.ts";
import * as engine from "../../packages/engine/src/index.ts";
import {
  type BacktestResult,
  computeSignals,
  type ExecutionConfig,
  generateSmaxBars,
  runBacktest,
} from "../../packages/engine/src/index.ts";
import { smaCrossover } from "../../packages/strategies/src/index.ts";

const N = Number(process.argv[2] ?? 1_000_000);
const RUNS = Math.max(5, Number(process.argv[3] ?? 7));
if (!Number.isInteger(N) || N < 31) throw new Error(`N must be an integer >= 31, got ${process.argv[2]}`);

const CONFIG: ExecutionConfig = SMAX_EXECUTION_CONFIG;

const REFERENCE: Record<number, { trades: number; equity: number } | undefined> = SMAX_REFERENCE;

interface Timed<T> {
  ms: number;
  faults: number;
  value: T;
}

function time<T>(fn: () => T): Timed<T> {
  const f0 = process.resourceUsage().minorPageFault;
  const t0 = performance.now();
  const value = fn();
  const ms = performance.now() - t0;
  return { ms, faults: process.resourceUsage().minorPageFault - f0, value };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * `RUNS` timed calls. Each result is dropped before the next call, as a worker that stores a run's
 * results and moves on does: keeping every run's 8 MB equity curve alive would make each call fault
 * in fresh memory, which measures the process's growth rather than the engine.
 */
function repeat(fn: () => unknown): Timed<unknown>[] {
  const out: Timed<unknown>[] = [];
  for (let k = 0; k < RUNS; k++) out.push({ ...time(fn), value: null });
  return out;
}

/** Median time, best time and median page faults of repeated runs. */
function stats(runs: Timed<unknown>[]): [string, string, string] {
  const ms = median(runs.map((r) => r.ms));
  const best = Math.min(...runs.map((r) => r.ms));
  return [`${fmtMs(ms)} (best ${fmtMs(best)})`, fmtRate(ms), String(median(runs.map((r) => r.faults)))];
}

const fmtMs = (ms: number) => `${ms.toFixed(1)} ms`;
const fmtRate = (ms: number) => `${(N / ms / 1000).toFixed(1)} M bars/s`;

// 1. Data.
const gen = time(() => generateSmaxBars(N));
const bars = gen.value;

// 2. Engine, first call (cold) then warm. The run yields the full trade records as columns
// (`result.tradeColumns`); `result.trades` builds `Trade` objects from them on first access.
const runColumns = () => {
  const r = runBacktest(bars, smaCrossover.create({ fast: 10, slow: 30 }), CONFIG);
  void r.tradeColumns.count;
  return r;
};
const run = () => {
  const r = runColumns();
  void r.trades.length;
  return r;
};
const first = time(runColumns);
const result: BacktestResult = first.value;
const firstObjects = time(() => result.trades.length);
const warm = repeat(run);

// Warm, writing into reused output buffers (a long-lived worker running many backtests).
const buffers = { equity: new Float64Array(N), position: new Float64Array(N) };
// Trades left as columns (`result.tradeColumns`), fresh or reused output buffers.
const warmColumns = repeat(runColumns);
// As the Worker's native runtime runs it: the equity array is taken from the isolate's OutputPool and
// handed back once the run's results are stored (absent before the pool existed: n/a in an A/B).
const Pool = (engine as Partial<typeof engine>).OutputPool;
const pool = Pool === undefined ? null : new Pool();
const warmPooled =
  pool === null
    ? null
    : repeat(() => {
        const equity = pool.take(N);
        const r = runBacktest(bars, smaCrossover.create({ fast: 10, slow: 30 }), CONFIG, {
          buffers: { equity },
        });
        void r.tradeColumns.count;
        pool.give(equity);
        return r;
      });
const warmReused = repeat(() => runBacktest(bars, smaCrossover.create(), CONFIG, { buffers }));

// 3. Decision loop alone (strategy over typed-array columns, one action per bar).
const strategy = smaCrossover.create();
const decisionFirst = time(() => computeSignals(strategy, bars));
const decision = repeat(() => computeSignals(strategy, bars));

// 4. Simulation + metrics alone, on precomputed decisions (the batch/WASM path).
const signals = decisionFirst.value;
const simOnly = repeat(() => runBacktest(bars, signals, CONFIG, { buffers }));

// 5. The trades as a storable blob (absent from engine versions before the blob format, so the same
// script can run against older code for an A/B).
const encode = (engine as Partial<typeof engine>).encodeTradeColumns;
const encoded = encode === undefined ? null : repeat(() => encode(result.tradeColumns, bars.time));

const rssMb = process.resourceUsage().maxRSS / 1024;

// Check against the reference table.
const ref = REFERENCE[N];
let check = "n/a (no reference for this N)";
if (ref !== undefined) {
  const ok =
    result.trades.length === ref.trades &&
    Math.abs(result.metrics.finalEquity - ref.equity) / ref.equity < 1e-9;
  check = ok ? "OK (trades and final equity match the reference)" : "MISMATCH";
  if (!ok) process.exitCode = 1;
}

const one = (t: Timed<unknown>): [string, string, string] => [fmtMs(t.ms), fmtRate(t.ms), String(t.faults)];
const rows: [string, string, string, string][] = [
  ["step", "time", "throughput", "page faults"],
  ["data generation (generateSmaxBars)", ...one(gen)],
  ["engine, full trade records as columns, first call (cold JIT)", ...one(first)],
  ["  then Trade objects from them, first access (cold)", ...one(firstObjects)],
  [`engine, full trade records as columns, warm (median of ${RUNS})`, ...stats(warmColumns)],
  [`engine + Trade objects, warm (median of ${RUNS})`, ...stats(warm)],
  [`engine, trades as columns, reused output buffer (median of ${RUNS})`, ...stats(warmReused)],
  [
    `engine as the Worker runs it: columns, equity from its OutputPool (median of ${RUNS})`,
    ...(warmPooled === null ? (["n/a", "", ""] as [string, string, string]) : stats(warmPooled)),
  ],
  ["decision loop only, first call", ...one(decisionFirst)],
  [`decision loop only, warm (median of ${RUNS})`, ...stats(decision)],
  [`simulation + metrics on precomputed decisions, reused buffer (median of ${RUNS})`, ...stats(simOnly)],
  [
    `trades → blob (encodeTradeColumns, ${result.tradeColumns.count} trades, median of ${RUNS})`,
    ...(encoded === null ? (["n/a", "", ""] as [string, string, string]) : stats(encoded)),
  ],
  ["peak RSS (whole process)", `${rssMb.toFixed(0)} MB`, "", ""],
];

const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => (r[c] as string).length)));
console.log(`SMAX-1m, N = ${N.toLocaleString("en")}, node ${process.version}, one thread`);
console.log(`closed trades ${result.trades.length}, final equity ${result.metrics.finalEquity}: ${check}`);
console.log(
  `load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
);
console.log("");
for (const r of rows)
  console.log(
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join("  "),
  );
console.log("");
console.log(`warm engine runs, columns (ms): ${warmColumns.map((x) => x.ms.toFixed(1)).join(" ")}`);
console.log(`warm engine runs, + objects (ms): ${warm.map((x) => x.ms.toFixed(1)).join(" ")}`);
if (warmPooled !== null) {
  console.log(
    `warm engine runs, as the Worker runs it (ms): ${warmPooled.map((x) => x.ms.toFixed(1)).join(" ")}`,
  );
}
console.log(
  "(page faults: minor faults during the step; on VMs where they are expensive they dominate fresh-memory runs)",
);
