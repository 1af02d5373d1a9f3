/**
 * Decision-loop throughput of the three ways to run SMA crossover (10/30) on SMAX-1m bars:
 *
 *   cd /work/main && pnpm --filter @quantago/wasm-sdk --filter @quantago/sandbox build && \
 *     node_modules/.bin/node --experimental-strip-types bench/strategies/run.ts [N] [runs]
 *
 * - native: `computeSignals(smaCrossover)` (the engine's decision loop alone);
 * - WASM columnar: build/sma-crossover.wasm compiled in Node and driven by the sandbox host's
 *   `runColumnarSignals` (batches of 65,536 bars). Inside workerd the very same host code runs in
 *   the Worker Loader child; this measures the module plus that code. Measured as uploaded and as
 *   the sandbox loads it (memory capped and loops fuel-metered by the API);
 * - WASM JSON ABI: build/json-sma-crossover.wasm called once per candle with the contract's input JSON (docs/compatibility.md#strategy-contract),
 *   through the sandbox host's adapter (candles printed by the candle printer, copy in, signal, the
 *   answer checked), on fewer bars.
 *
 * Every runtime's decisions are checked against native before timing. Median of `runs` (default 5)
 * warm runs after one cold run; bars/s = bars / median time.
 */

import { readFileSync } from "node:fs";
import { computeSignals, generateSmaxBars } from "../../packages/engine/src/index.ts";
import { candleTextWasm } from "../../packages/sandbox/build/candle-text-module.ts";
import {
  asColumnarExports,
  createJsonAbiStrategy,
  runColumnarSignals,
} from "../../packages/sandbox/src/index.ts";
import { sliceBars, smaCrossover } from "../../packages/strategies/src/index.ts";
import { meterWasm } from "../../packages/wasm-sdk/src/meter.ts";
import { capWasmMemory } from "../../packages/wasm-sdk/src/validate.ts";

const N = Number(process.argv[2] ?? 1_000_000);
const RUNS = Math.max(3, Number(process.argv[3] ?? 5));
const JSON_N = Math.min(N, 100_000);
const PARAMS = { fast: 10, slow: 30 };
const CAP = 256 * 1024 * 1024;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function bench(label: string, bars: number, fn: () => Uint8Array): Uint8Array {
  let t0 = performance.now();
  const out = fn();
  const cold = performance.now() - t0;
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  const ms = median(times);
  const rate = bars / (ms / 1000);
  console.log(
    `${label.padEnd(34)} ${bars.toLocaleString("en-US").padStart(10)} bars  cold ${cold.toFixed(1).padStart(8)} ms  warm ${ms.toFixed(1).padStart(8)} ms  ${(rate / 1e6).toFixed(2).padStart(7)} M bars/s`,
  );
  return out;
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

const wasmDir = new URL("../../packages/wasm-sdk/build/", import.meta.url);
const columnarBytes = readFileSync(new URL("sma-crossover.wasm", wasmDir));
const jsonBytes = readFileSync(new URL("json-sma-crossover.wasm", wasmDir));

const bars = generateSmaxBars(N);
console.log(
  `SMAX bars: ${N.toLocaleString("en-US")}, SMA ${PARAMS.fast}/${PARAMS.slow}, node ${process.version}\n`,
);

const native = bench(
  "native computeSignals",
  N,
  () => computeSignals(smaCrossover.create(PARAMS), bars).actions,
);

const sandboxed = (bytes: Uint8Array) => meterWasm(capWasmMemory(bytes, CAP / 65_536));
for (const [label, bytes] of [
  ["WASM columnar (qg_signals)", columnarBytes],
  ["WASM columnar, metered + capped", sandboxed(columnarBytes)],
] as const) {
  const columnarModule = await WebAssembly.compile(bytes);
  const columnar = bench(label, N, () => {
    // A fresh instance per run, as the sandbox does per backtest (instantiation is included).
    const instance = new WebAssembly.Instance(columnarModule, {});
    return runColumnarSignals(asColumnarExports(instance.exports), bars, PARAMS, { memoryCapBytes: CAP })
      .actions;
  });
  const diff = firstDifference(native, columnar);
  console.log(
    `  decisions identical to native: ${diff === -1 ? "yes" : `NO, first difference at bar ${diff}`}`,
  );
}

const jsonModule = await WebAssembly.compile(sandboxed(jsonBytes));
const candleText = new WebAssembly.Module(candleTextWasm());
const jsonBars = sliceBars(bars, 0, JSON_N);
const nativeJson = native.subarray(0, JSON_N);
const json = bench("WASM JSON ABI, metered + capped", JSON_N, () => {
  const instance = new WebAssembly.Instance(jsonModule, {});
  const strategy = createJsonAbiStrategy(instance.exports, {
    minCandles: PARAMS.slow + 1,
    lookbackCandles: PARAMS.slow + 1,
    parameters: PARAMS,
    usesPortfolio: false,
    memoryCapBytes: CAP,
    candleText, // the candle printer, as in the sandbox child
  });
  return computeSignals(strategy, jsonBars).actions;
});
const diffJson = firstDifference(nativeJson, json);
console.log(
  `  decisions identical to native: ${diffJson === -1 ? "yes" : `NO, first difference at bar ${diffJson}`}`,
);
console.log(
  "\nThe WASM rows measure the module and the sandbox host code in Node; inside workerd the same code runs in the Worker Loader child.",
);
