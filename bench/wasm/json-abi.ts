/**
 * The published JSON ABI through the sandbox host: SMA crossover 10/30 (build/json-sma-crossover.wasm,
 * metered and memory-capped as the API loads it) called once per candle by `createJsonAbiStrategy`
 * over N SMAX-1m bars (lookbackCandles 31, about 5 KB of input JSON per call), and where that time
 * goes:
 *
 *   cd /work/main && pnpm --filter @quantago/wasm-sdk --filter @quantago/sandbox build && \
 *     node_modules/.bin/node --experimental-strip-types bench/wasm/json-abi.ts [N] [runs]
 *
 * Rows: the whole path (a fresh instance per run, as per backtest), with the candles printed by the
 * candle printer (`candle-text.wasm`, as in the sandbox child) and, for comparison, by JSON.stringify
 * (as before the printer); the host's ceiling (the whole path with a module that reads nothing and
 * answers HOLD); the host's input encoding alone (`CandleJsonEncoder.next`, a flat
 * portfolio), both ways; the module alone (precomputed inputs copied in and the four calls per
 * candle, no host checks). Each is the median of `runs` (default 5) warm runs
 * after one cold run, as wall time and as the process's CPU time: on the shared 2-core dev machine
 * the wall time mostly measures the other tenants, the CPU time much less so. The decisions are
 * checked against the native strategy first. bars/s = N / median time.
 */

import { readFileSync } from "node:fs";
import { computeSignals, generateSmaxBars } from "../../packages/engine/src/index.ts";
import { candleTextWasm } from "../../packages/sandbox/build/candle-text-module.ts";
import { CandleJsonEncoder, createJsonAbiStrategy } from "../../packages/sandbox/src/json-abi.ts";
import { smaCrossover } from "../../packages/strategies/src/index.ts";
import { flatPortfolio } from "../../packages/strategies/src/test-helpers.ts";
import { meterWasm } from "../../packages/wasm-sdk/src/meter.ts";
import { bulkMemoryModule } from "../../packages/wasm-sdk/src/testing/index.ts";
import { capWasmMemory } from "../../packages/wasm-sdk/src/validate.ts";

const N = Number(process.argv[2] ?? 100_000);
const RUNS = Math.max(3, Number(process.argv[3] ?? 5));
const PARAMS = { fast: 10, slow: 30 };
const CAP = 256 * 1024 * 1024;
const OPTIONS = {
  minCandles: PARAMS.slow + 1,
  lookbackCandles: PARAMS.slow + 1,
  parameters: PARAMS,
  timeframe: "1m",
  strategy: { name: "json-sma-crossover" },
  usesPortfolio: false,
  memoryCapBytes: CAP,
};
const FLAT = flatPortfolio(0);
const candleText = new WebAssembly.Module(candleTextWasm());

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] as number;
}

const rate = (ms: number) => `${(N / ms / 1000).toFixed(3).padStart(7)} M bars/s`;

/** One cold run, then `RUNS` warm runs: median wall and CPU milliseconds. */
function bench(label: string, fn: () => void): void {
  fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const w = median(wall);
  const c = median(cpu);
  console.log(
    `${label.padEnd(44)} wall ${w.toFixed(0).padStart(6)} ms ${rate(w)}   cpu ${c.toFixed(0).padStart(6)} ms ${rate(c)}`,
  );
}

const bytes = meterWasm(
  capWasmMemory(
    readFileSync(new URL("../../packages/wasm-sdk/build/json-sma-crossover.wasm", import.meta.url)),
    CAP / 65_536,
  ),
);
const module = await WebAssembly.compile(bytes);
const bars = generateSmaxBars(N);

const run = (printer?: WebAssembly.Module) =>
  computeSignals(
    createJsonAbiStrategy(new WebAssembly.Instance(module, {}).exports, { ...OPTIONS, candleText: printer }),
    bars,
  ).actions;
const native = computeSignals(smaCrossover.create(PARAMS), bars).actions;
console.log(
  `SMAX bars: ${N.toLocaleString("en-US")}, SMA ${PARAMS.fast}/${PARAMS.slow}, lookback ${OPTIONS.lookbackCandles}, node ${process.version}`,
);
for (const [label, printer] of [
  ["candle printer", candleText],
  ["JSON.stringify", undefined],
] as const) {
  const differs = run(printer).findIndex((a, i) => a !== native[i]);
  console.log(
    `decisions identical to native (${label}): ${differs === -1 ? "yes" : `NO, first difference at bar ${differs}`}`,
  );
  if (differs !== -1) process.exitCode = 1;
}
console.log("");

bench("JSON ABI through the sandbox host", () => run(candleText));
bench("  the same, candles by JSON.stringify", () => run());

// The host's own ceiling: the same path with a module that reads nothing and answers HOLD (one empty
// memory.fill, then the answer written), metered like the example.
const holdModule = await WebAssembly.compile(
  meterWasm(capWasmMemory(bulkMemoryModule("fill", 1, 0), CAP / 65_536)),
);
bench("  host ceiling: a module answering HOLD", () =>
  computeSignals(
    createJsonAbiStrategy(new WebAssembly.Instance(holdModule, {}).exports, { ...OPTIONS, candleText }),
    bars,
  ),
);

bench("  host: input encoding alone", () => {
  const encoder = new CandleJsonEncoder({ ...OPTIONS, candleText });
  for (let i = 0; i < N; i++) encoder.next(i, bars, FLAT);
});
bench("  host: the same, candles by JSON.stringify", () => {
  const encoder = new CandleJsonEncoder(OPTIONS);
  for (let i = 0; i < N; i++) encoder.next(i, bars, FLAT);
});

// The inputs, encoded once (about 5 KB each: this holds N of them).
const encoder = new CandleJsonEncoder(OPTIONS);
const inputs: Uint8Array[] = [];
for (let i = 0; i < N; i++) {
  const input = encoder.next(i, bars, FLAT);
  if (input !== null) inputs.push(input.slice());
}
bench("  module: the four calls per candle alone", () => {
  const x = new WebAssembly.Instance(module, {}).exports as Record<string, unknown>;
  const memory = x.memory as WebAssembly.Memory;
  const fuel = x.__qg_fuel as WebAssembly.Global;
  const alloc = x.alloc as (n: number) => number;
  const signal = x.signal as (p: number, n: number) => number;
  const signalLen = x.signal_len as () => number;
  const dealloc = x.dealloc as (p: number, n: number) => void;
  for (const input of inputs) {
    fuel.value = 10_000_000;
    const p = alloc(input.length);
    new Uint8Array(memory.buffer).set(input, p);
    signal(p, input.length);
    signalLen();
    dealloc(p, input.length);
  }
});
