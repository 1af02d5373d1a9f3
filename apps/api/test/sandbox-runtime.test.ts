import { env } from "cloudflare:workers";
import { computeSignals, type ExecutionConfig, generateSmaxBars, runBacktest } from "@quantago/engine";
import { SMAX_EXECUTION_CONFIG, SMAX_STRATEGY_PARAMETERS } from "@quantago/engine/fixtures/smax";
import { copyBars, smaCrossover } from "@quantago/strategies";
import { hostileColumnarModule, hostileJsonModule, importingModule } from "@quantago/wasm-sdk/testing";
import { describe, expect, inject, it } from "vitest";
import {
  runWasmBacktest,
  SandboxError,
  type WasmBacktestOptions,
} from "../src/domain/strategies/runtimes/wasm.ts";
import { defined } from "./helpers.ts";

const SMAX: ExecutionConfig = SMAX_EXECUTION_CONFIG;
const PARAMS = SMAX_STRATEGY_PARAMETERS;

function moduleBytes(file: string): Uint8Array {
  const b64 = defined(
    inject("wasmModulesBase64")[file],
    `build/${file} (run pnpm --filter @quantago/wasm-sdk build)`,
  );
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

/** Stores the module in R2 under its content hash and reads it back, as the API does. */
async function fromR2(bytes: Uint8Array): Promise<{ id: string; wasm: ArrayBuffer }> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  const id = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  const key = `artifacts/test/${id}.wasm`;
  await env.STRATEGY_ARTIFACTS.put(key, bytes);
  const object = defined(await env.STRATEGY_ARTIFACTS.get(key), "the stored module");
  return { id, wasm: await object.arrayBuffer() };
}

async function failure(
  options: Omit<WasmBacktestOptions, "id" | "wasm">,
  bytes: Uint8Array,
): Promise<SandboxError> {
  try {
    await runWasmBacktest(env.LOADER, { ...options, ...(await fromR2(bytes)) });
  } catch (e) {
    if (e instanceof SandboxError) return e;
    throw e;
  }
  throw new Error("expected the run to fail");
}

describe("WASM strategy runtime in the Worker Loader sandbox", () => {
  it("columnar ABI: 100,000 SMAX bars, decisions and results identical to the native strategy", async () => {
    const bars = generateSmaxBars(100_000);
    const native = runBacktest(bars, smaCrossover.create(PARAMS), SMAX);
    const nativeActions = computeSignals(smaCrossover.create(PARAMS), bars).actions;

    const stored = await fromR2(moduleBytes("sma-crossover.wasm"));
    const result = await runWasmBacktest(env.LOADER, {
      ...stored,
      bars,
      parameters: PARAMS,
      config: SMAX,
      returnActions: true,
    });
    expect(result.abi).toBe("columnar");
    expect(result.rpcCalls).toBe(1);
    expect(result.calls).toBe(2); // two qg_signals batches of at most 65,536 bars
    expect(result.actions).toEqual(nativeActions);
    expect(result.tradeColumns.count).toBe(native.tradeColumns.count);
    expect(result.tradeColumns.count).toBe(1931);
    expect(result.metrics.finalEquity).toBe(native.metrics.finalEquity);
    expect(result.equity).toEqual(native.equity);
    expect(result.tradeColumns.entryIndex).toEqual(
      native.tradeColumns.entryIndex.slice(0, native.tradeColumns.count),
    );
    expect(result.openPosition).toEqual(native.openPosition);

    // Cut while a trade is open: the sandbox reports the open position exactly as the engine does.
    const { entryIndex, exitIndex } = native.tradeColumns;
    const k = entryIndex.findIndex((entry, i) => (exitIndex[i] as number) - entry > 10);
    const cut = (entryIndex[k] as number) + 5;
    const head = copyBars(bars, 0, cut);
    const nativeOpen = runBacktest(head, smaCrossover.create(PARAMS), SMAX).openPosition;
    expect(nativeOpen).not.toBeNull();
    const cutRun = await runWasmBacktest(env.LOADER, {
      ...stored,
      bars: head,
      parameters: PARAMS,
      config: SMAX,
    });
    expect(cutRun.openPosition).toEqual(nativeOpen);
  });

  it("columnar ABI: 1,000,000 bars are staged in chunks under the 32 MiB RPC cap", async () => {
    const bars = generateSmaxBars(1_000_000);
    const native = runBacktest(bars, smaCrossover.create(PARAMS), SMAX);
    const stored = await fromR2(moduleBytes("sma-crossover.wasm"));
    const result = await runWasmBacktest(env.LOADER, { ...stored, bars, parameters: PARAMS, config: SMAX });
    expect(result.rpcCalls).toBe(5); // 4 staging chunks of 250,000 bars (12 MB each) + the run
    expect(result.barsReused).toBe(false);
    expect(result.tradeColumns.count).toBe(19_562);
    expect(result.metrics.finalEquity).toBe(native.metrics.finalEquity);

    // The same bars again (a sweep over one range): the child kept them, nothing is sent.
    const again = await runWasmBacktest(env.LOADER, {
      ...stored,
      bars,
      parameters: { fast: 5, slow: 20 },
      config: SMAX,
    });
    expect(again.barsReused).toBe(true);
    expect(again.rpcCalls).toBe(1);
    const other = runBacktest(bars, smaCrossover.create({ fast: 5, slow: 20 }), SMAX);
    expect(again.tradeColumns.count).toBe(other.tradeColumns.count);
    expect(again.metrics.finalEquity).toBe(other.metrics.finalEquity);
    expect(again.equity).toEqual(other.equity);

    // Other bars arrived in between: the child dropped the first ones, so they are sent again.
    const between = await runWasmBacktest(env.LOADER, {
      ...stored,
      bars: copyBars(bars, 0, 600_000), // a new bars object, as a new read would be
      parameters: PARAMS,
      config: SMAX,
    });
    expect([between.barsReused, between.rpcCalls]).toEqual([false, 4]);
    const third = await runWasmBacktest(env.LOADER, { ...stored, bars, parameters: PARAMS, config: SMAX });
    expect([third.barsReused, third.rpcCalls]).toEqual([false, 6]); // the refused try, 4 chunks, the run
    expect(third.metrics.finalEquity).toBe(native.metrics.finalEquity);
    expect(third.equity).toEqual(native.equity);
  });

  it("published JSON ABI: 20,000 bars, per-candle calls inside the child, identical results", async () => {
    const bars = generateSmaxBars(20_000);
    const native = runBacktest(bars, smaCrossover.create(PARAMS), SMAX);
    const stored = await fromR2(moduleBytes("json-sma-crossover.wasm"));
    const result = await runWasmBacktest(env.LOADER, {
      ...stored,
      bars,
      parameters: PARAMS,
      config: SMAX,
      json: {
        minCandles: 31,
        lookbackCandles: 31,
        timeframe: "1m",
        strategy: { name: "json-sma-crossover" },
      },
      returnActions: true,
    });
    expect(result.abi).toBe("json");
    expect(result.rpcCalls).toBe(1);
    expect(result.calls).toBe(20_000);
    expect(result.actions).toEqual(computeSignals(smaCrossover.create(PARAMS), bars).actions);
    expect(result.tradeColumns.count).toBe(native.tradeColumns.count);
    expect(result.metrics.finalEquity).toBe(native.metrics.finalEquity);
  });

  describe("hostile modules fail with a clear reason and harm nothing else", () => {
    const bars = generateSmaxBars(5_000);
    const base = { bars, parameters: {}, config: SMAX, memoryCapBytes: 32 * 1024 * 1024 };

    it.each([
      ["trap", "trap", "strategy trapped in qg_signals (bars 0–4999): unreachable"],
      // Bounded by fuel metering, since the local workerd ignores the Loader's cpuMs.
      [
        "loop",
        "cpu",
        "strategy exceeded its CPU budget in qg_signals (bars 0–4999): more than 150,000,000 loop iterations",
      ],
      [
        "grow",
        "memory",
        "strategy grew its memory to 32 MiB in qg_signals (bars 0–4999), reaching its cap of 32 MiB",
      ],
      [
        "bad-action",
        "output",
        "strategy returned action code 7 for bar 0; valid codes are 0 HOLD, 1 BUY, 2 SELL",
      ],
      ["error-code", "output", "strategy failed in qg_signals (bars 0–4999): it returned error code -5"],
      ["abi-version", "abi", "module implements columnar ABI version 2; this platform runs version 1"],
    ] as const)("columnar module that does %s", async (behaviour, code, reason) => {
      const e = await failure(base, hostileColumnarModule(behaviour));
      expect(e.code).toBe(code);
      expect(e.reason).toMatch(new RegExp(`^${reason.replace(/[()]/g, "\\$&")}`));
    });

    it.each([
      ["invalid-json", 'signal (candle 0) returned invalid JSON: "xx"'],
      [
        "huge-length",
        "signal_len returned 2147483647 after signal (candle 0); expected an output length between 1 and 65536 bytes",
      ],
      [
        "bad-pointer",
        "signal returned pointer 2147418112 for 2 bytes, outside the module's 131072-byte memory",
      ],
    ] as const)("JSON-ABI module that answers %s", async (behaviour, reason) => {
      const e = await failure(base, hostileJsonModule(behaviour));
      expect(e.code).toBe("output");
      expect(e.reason).toBe(reason);
    });

    it("a module with imports is rejected before it reaches a sandbox", async () => {
      const e = await failure(base, importingModule());
      expect(e.code).toBe("invalid_module");
      expect(e.reason).toMatch(/imports function "env\.abort"; strategy modules must import nothing/);
    });

    it("a module whose memory starts above the cap is rejected", async () => {
      const e = await failure({ ...base, memoryCapBytes: 1024 * 1024 }, hostileColumnarModule("hold"));
      expect(e.reason).toBe("invalid strategy module: memory starts at 80 pages, over the cap of 16 pages");
    });

    // Without metering, the local workerd (which ignores the Loader's cpuMs and runs the child on the
    // test's thread) would hang on the loop; in production cpuMs also terminates the child, and the
    // RPC rejection becomes SandboxError("cpu", "strategy exceeded its CPU budget of N ms").

    it("a normal run still works after the hostile ones", async () => {
      const stored = await fromR2(moduleBytes("sma-crossover.wasm"));
      const result = await runWasmBacktest(env.LOADER, { ...stored, bars, parameters: PARAMS, config: SMAX });
      expect(result.metrics.finalEquity).toBe(
        runBacktest(bars, smaCrossover.create(PARAMS), SMAX).metrics.finalEquity,
      );
    });
  });
});
