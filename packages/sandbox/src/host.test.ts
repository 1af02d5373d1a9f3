import { computeSignals, type ExecutionConfig, runBacktest } from "@quantago/engine";
import {
  generateSmaxBars,
  SMAX_EXECUTION_CONFIG,
  SMAX_STRATEGY_PARAMETERS,
} from "@quantago/engine/fixtures/smax";
import {
  adaptCandleStrategy,
  type CandleStrategyInput,
  type PortfolioView,
  smaCrossover,
} from "@quantago/strategies";
import { flatPortfolio, rng } from "@quantago/strategies/testing";
import { meterWasm } from "@quantago/wasm-sdk/meter";
import {
  bulkMemoryModule,
  type ColumnarBehaviour,
  hostileColumnarModule,
  hostileJsonModule,
  type JsonBehaviour,
} from "@quantago/wasm-sdk/testing";
import { builtModule } from "@quantago/wasm-sdk/testing/built";
import { capWasmMemory } from "@quantago/wasm-sdk/validate";
import { describe, expect, it } from "vitest";
import { candleTextWasm } from "../build/candle-text-module.ts";
import { DEFAULT_RUN_WALL_TIME_MS, runSandboxJob, type SandboxRunRequest, stageBars } from "./host.ts";
import { CandleJsonEncoder, createJsonAbiStrategy } from "./json-abi.ts";

/** A portfolio view the test can change field by field (the engine's are read-only to strategies). */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const SMAX: ExecutionConfig = SMAX_EXECUTION_CONFIG;

function sliceBars<T extends { [K in "time" | "open" | "high" | "low" | "close" | "volume"]: Float64Array }>(
  bars: T,
  from: number,
): T {
  return {
    ...bars,
    time: bars.time.subarray(from),
    open: bars.open.subarray(from),
    high: bars.high.subarray(from),
    low: bars.low.subarray(from),
    close: bars.close.subarray(from),
    volume: bars.volume.subarray(from),
  };
}
const PARAMS = SMAX_STRATEGY_PARAMETERS;
const CAP = 16 * 1024 * 1024;

function compile(bytes: Uint8Array): WebAssembly.Module {
  // The API caps the module's memory and meters its loops before loading it; do the same here.
  return new WebAssembly.Module(meterWasm(capWasmMemory(bytes, CAP / 65_536)));
}

function built(name: string): WebAssembly.Module {
  return compile(builtModule(name));
}

describe("runSandboxJob with the example modules", () => {
  const bars = generateSmaxBars(100_000);
  const native = runBacktest(bars, smaCrossover.create(PARAMS), SMAX);
  const nativeActions = computeSignals(smaCrossover.create(PARAMS), bars).actions;

  it("columnar ABI: identical decisions and results to the native strategy (SMAX reference)", () => {
    const r = runSandboxJob(built("sma-crossover"), {
      abi: "columnar",
      parameters: PARAMS,
      config: SMAX,
      bars,
      batchSize: 4096,
      memoryCapBytes: CAP,
      returnActions: true,
    });
    if (!r.ok) throw new Error(r.reason);
    expect(r.actions).toEqual(nativeActions);
    expect(r.calls).toBe(Math.ceil(100_000 / 4096));
    expect(r.tradeColumns.count).toBe(1931);
    // Bit-identical to the native run (which matches the SMAX reference 99584.78475866553 to 1e-14).
    expect(r.metrics.finalEquity).toBe(native.metrics.finalEquity);
    expect(Math.abs(r.metrics.finalEquity / 99584.78475866553 - 1)).toBeLessThan(1e-12);
    expect(r.equity).toEqual(native.equity);
  });

  it("JSON ABI: identical decisions on 20,000 bars", () => {
    const small = generateSmaxBars(20_000);
    const r = runSandboxJob(built("json-sma-crossover"), {
      abi: "json",
      parameters: PARAMS,
      config: SMAX,
      bars: small,
      memoryCapBytes: CAP,
      json: { minCandles: 31, lookbackCandles: 31, timeframe: "1m" },
      returnActions: true,
    });
    if (!r.ok) throw new Error(r.reason);
    const expected = runBacktest(small, smaCrossover.create(PARAMS), SMAX);
    expect(r.actions).toEqual(computeSignals(smaCrossover.create(PARAMS), small).actions);
    expect(r.tradeColumns.count).toBe(expected.tradeColumns.count);
    expect(r.metrics.finalEquity).toBe(expected.metrics.finalEquity);
  });

  it("JSON ABI: one instance across restarted runs decides like a fresh one (state between calls)", () => {
    // The example module keeps its SMAs between calls and reads only the candle while the index
    // follows the previous call's; runs on other bars, other windows and restarts must resync.
    const first = generateSmaxBars(3_000);
    const second = generateSmaxBars(2_000);
    const decide = (instance: WebAssembly.Instance, bars: typeof first, lookback: number) =>
      computeSignals(
        createJsonAbiStrategy(instance.exports, {
          minCandles: 31,
          lookbackCandles: lookback,
          parameters: PARAMS,
          usesPortfolio: false,
          memoryCapBytes: CAP,
        }),
        bars,
      ).actions;
    const module = built("json-sma-crossover");
    const shared = new WebAssembly.Instance(module, {});
    const runs: Array<[typeof first, number]> = [
      [first, 31],
      [sliceBars(first, 500), 31], // the same candles again, shifted: histories repeat out of order
      [second, 40],
      [second, 31],
      [first, 31],
    ];
    for (const [bars, lookback] of runs) {
      const fresh = decide(new WebAssembly.Instance(module, {}), bars, lookback);
      expect(decide(shared, bars, lookback)).toEqual(fresh);
    }
    expect(decide(shared, first, 31)).toEqual(computeSignals(smaCrossover.create(PARAMS), first).actions);
  });

  it("JSON ABI: a call that skips bars makes the example module rebuild its SMAs from the history", () => {
    // Short windows, so that decisions depend on the last few closes and crossings are frequent.
    const params = { fast: 2, slow: 4 };
    const bars = generateSmaxBars(600);
    const options = { minCandles: 5, lookbackCandles: 5, parameters: params, timeframe: "1m" };
    const flat = flatPortfolio(0);
    // Each bar's input JSON as the platform writes it.
    const encoder = new CandleJsonEncoder(options);
    const inputs: Uint8Array[] = [];
    for (let i = 0; i < bars.time.length; i++)
      inputs.push(encoder.next(i, bars, flat)?.slice() ?? new Uint8Array());
    const module = built("json-sma-crossover");
    type JsonAbiExports = {
      memory: WebAssembly.Memory;
      alloc(len: number): number;
      signal(ptr: number, len: number): number;
      signal_len(): number;
    };
    const answer = (instance: WebAssembly.Instance, i: number): string => {
      const x = instance.exports as unknown as JsonAbiExports;
      const input = inputs[i] as Uint8Array;
      const ptr = x.alloc(input.length);
      new Uint8Array(x.memory.buffer).set(input, ptr);
      const out = x.signal(ptr, input.length);
      return new TextDecoder().decode(new Uint8Array(x.memory.buffer, out, x.signal_len()));
    };
    // One instance sees blocks of 6 bars with 3 bars left out between them; after each gap it must
    // decide from the input's own history, exactly like an instance that starts at that bar.
    const shared = new WebAssembly.Instance(module, {});
    const seen: string[] = [];
    const expected: string[] = [];
    for (let from = 4; from + 6 <= bars.time.length; from += 9) {
      const fresh = new WebAssembly.Instance(module, {});
      for (let i = from; i < from + 6; i++) {
        seen.push(answer(shared, i));
        expected.push(answer(fresh, i));
      }
    }
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(3); // it bought and sold: the comparison has something to find
  });

  it("stages bars in chunks for a later run", () => {
    const n = bars.time.length;
    for (let s = 0; s < n; s += 30_000) {
      const e = Math.min(n, s + 30_000);
      stageBars("job-1", n, s, {
        time: bars.time.subarray(s, e),
        open: bars.open.subarray(s, e),
        high: bars.high.subarray(s, e),
        low: bars.low.subarray(s, e),
        close: bars.close.subarray(s, e),
        volume: bars.volume.subarray(s, e),
      });
    }
    const r = runSandboxJob(built("sma-crossover"), {
      abi: "columnar",
      parameters: PARAMS,
      config: SMAX,
      jobId: "job-1",
    });
    expect(r.ok && r.metrics.finalEquity).toBe(native.metrics.finalEquity);
    const again = runSandboxJob(built("sma-crossover"), {
      abi: "columnar",
      parameters: PARAMS,
      config: SMAX,
      jobId: "job-1",
    });
    expect(again.ok ? "" : again.reason).toMatch(/no bars/);
  });

  it("keeps the bars of a run that names them, until other bars arrive", () => {
    const request = { abi: "columnar", parameters: PARAMS, config: SMAX } as const;
    const first = runSandboxJob(built("sma-crossover"), { ...request, bars, barsKey: "range-a" });
    expect(first.ok && first.metrics.finalEquity).toBe(native.metrics.finalEquity);
    const kept = runSandboxJob(built("sma-crossover"), { ...request, barsKey: "range-a" });
    expect(kept.ok && kept.metrics.finalEquity).toBe(native.metrics.finalEquity);
    expect(runSandboxJob(built("sma-crossover"), { ...request, barsKey: "range-b" })).toMatchObject({
      ok: false,
      code: "bars_missing",
    });
    // Staging other bars drops the kept ones before the new ones are allocated.
    stageBars("job-2", 10, 0, {
      time: bars.time.subarray(0, 10),
      open: bars.open.subarray(0, 10),
      high: bars.high.subarray(0, 10),
      low: bars.low.subarray(0, 10),
      close: bars.close.subarray(0, 10),
      volume: bars.volume.subarray(0, 10),
    });
    expect(runSandboxJob(built("sma-crossover"), { ...request, barsKey: "range-a" })).toMatchObject({
      ok: false,
      code: "bars_missing",
    });
  });

  it("rejects parameters the module refuses", () => {
    const r = runSandboxJob(built("sma-crossover"), {
      abi: "columnar",
      parameters: { fast: 30, slow: 10 },
      config: SMAX,
      bars,
    });
    expect(r).toEqual({
      ok: false,
      code: "init",
      reason: 'strategy rejected its parameters {"fast":30,"slow":10} (qg_init returned -1)',
    });
  });
});

describe("runSandboxJob with hostile modules", () => {
  const bars = generateSmaxBars(1_000);
  const columnar = (b: ColumnarBehaviour, extra: Partial<SandboxRunRequest> = {}) =>
    runSandboxJob(compile(hostileColumnarModule(b)), {
      abi: "columnar",
      parameters: {},
      config: SMAX,
      bars,
      memoryCapBytes: CAP,
      ...extra,
    });
  const json = (b: JsonBehaviour) =>
    runSandboxJob(compile(hostileJsonModule(b)), {
      abi: "json",
      parameters: {},
      config: SMAX,
      bars,
      memoryCapBytes: CAP,
    });

  it.each([
    ["trap", "trap", /^strategy trapped in qg_signals \(bars 0–999\): unreachable/],
    [
      "loop",
      "cpu",
      /^strategy exceeded its CPU budget in qg_signals \(bars 0–999\): more than 110,000,000 loop iterations$/,
    ],
    [
      "grow",
      "memory",
      /^strategy grew its memory to 16 MiB in qg_signals \(bars 0–999\), reaching its cap of 16 MiB$/,
    ],
    [
      "bad-action",
      "output",
      /^strategy returned action code 7 for bar 0; valid codes are 0 HOLD, 1 BUY, 2 SELL$/,
    ],
    ["error-code", "output", /^strategy failed in qg_signals \(bars 0–999\): it returned error code -5$/],
    ["abi-version", "abi", /^module implements columnar ABI version 2; this platform runs version 1$/],
  ] as const)("columnar %s fails with a clear reason", (behaviour, code, reason) => {
    const r = columnar(behaviour);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe(code);
    expect(r.reason).toMatch(reason);
  });

  it.each([
    ["invalid-json", /^signal \(candle 0\) returned invalid JSON: "xx"$/],
    [
      "huge-length",
      /^signal_len returned 2147483647 after signal \(candle 0\); expected an output length between 1 and 65536 bytes$/,
    ],
    [
      "bad-pointer",
      /^signal returned pointer 2147418112 for 2 bytes, outside the module's 131072-byte memory$/,
    ],
  ] as const)("JSON ABI %s fails with a clear reason", (behaviour, reason) => {
    const r = json(behaviour);
    expect(r.ok ? "" : r.reason).toMatch(reason);
  });

  it.each(["fill", "copy"] as const)(
    "JSON ABI: memory.%s of 15 MiB 2,000 times per candle is stopped by the meter on the first candle",
    (op) => {
      const r = runSandboxJob(compile(bulkMemoryModule(op, 2_000, 15 * 1024 * 1024)), {
        abi: "json",
        parameters: {},
        config: SMAX,
        bars,
        memoryCapBytes: CAP,
      });
      expect(r).toEqual({
        ok: false,
        code: "cpu",
        reason: "strategy exceeded its CPU budget in signal (candle 0): more than 10,000,000 loop iterations",
      });
    },
  );

  it("a run whose every call stays within its fuel still ends at the run's wall-time budget", () => {
    // About a millisecond per candle (five fills of 15 MiB), within the per-call fuel, over 1,000 candles.
    const module = compile(bulkMemoryModule("fill", 5, 15 * 1024 * 1024));
    const request: SandboxRunRequest = {
      abi: "json",
      parameters: {},
      config: SMAX,
      bars,
      memoryCapBytes: CAP,
    };
    const r = runSandboxJob(module, { ...request, wallTimeMs: 50 });
    expect(r.ok ? "" : r.code).toBe("cpu");
    expect(r.ok ? "" : r.reason).toMatch(
      /^strategy exceeded the run's wall-time budget of 50 ms in (alloc|signal|signal_len) \(candle [1-9]\d*\)$/,
    );
    // Nothing fails by the default budget of 120 s.
    expect(DEFAULT_RUN_WALL_TIME_MS).toBe(120_000);
    expect(runSandboxJob(module, { ...request, bars: sliceBars(bars, 900) }).ok).toBe(true);
  });

  it("passes the sizes a module writes to the engine (qg_uses_sizes)", () => {
    const r = columnar("sizes", { batchSize: 400 });
    if (!r.ok) throw new Error(r.reason);
    // BUY at bars 0, 400 and 800 with 2.5 units each: one long position of 2.5 units, then adds ignored.
    expect(r.openPosition?.size).toBe(2.5);
    const bad = columnar("bad-size");
    expect(bad.ok ? "" : bad.reason).toBe(
      "strategy returned size -1 for bar 0; sizes must be finite and >= 0 (or NaN)",
    );
  });

  it("a well-behaved module runs after the hostile ones", () => {
    const r = columnar("hold");
    expect(r.ok && r.tradeColumns.count).toBe(0);
  });
});

/** The encoder's two ways of printing candles: JSON.stringify, and the candle printer (as in the child). */
const PRINTERS = [
  ["JSON.stringify", undefined],
  ["the candle printer", new WebAssembly.Module(candleTextWasm())],
] as const;

describe.each(PRINTERS)("CandleJsonEncoder, candles printed by %s", (_, candleText) => {
  it("produces exactly JSON.stringify of the adapter's input", () => {
    const bars = generateSmaxBars(200);
    const options = {
      minCandles: 5,
      lookbackCandles: 7,
      parameters: { fast: 2, slow: 4, note: "x – ü" },
      timeframe: "1m",
      strategy: { name: "s", runtime: "wasm" },
    };
    const seen: string[] = [];
    const reference = adaptCandleStrategy((input: CandleStrategyInput) => {
      seen.push(JSON.stringify(input));
      return {
        action: input.context.index % 20 === 5 ? "BUY" : input.context.index % 20 === 15 ? "SELL" : "HOLD",
      };
    }, options);
    runBacktest(bars, reference, SMAX);
    const encoder = new CandleJsonEncoder({ ...options, candleText });
    const produced: string[] = [];
    runBacktest(
      bars,
      {
        ...reference,
        onBar(i, b, p) {
          const bytes = encoder.next(i, b, p);
          if (bytes === null) return 0;
          produced.push(new TextDecoder().decode(bytes));
          return i % 20 === 5 ? 1 : i % 20 === 15 ? 2 : 0;
        },
        reset() {
          encoder.reset();
        },
      },
      SMAX,
    );
    expect(produced.length).toBe(196);
    expect(produced).toEqual(seen);
  });
});

describe.each(PRINTERS)(
  "CandleJsonEncoder on hostile numbers and portfolios, candles printed by %s",
  (_, candleText) => {
    const EDGE = [
      0,
      -0,
      1e21,
      -1e21,
      1e-7,
      1e-6,
      5e-324,
      -5e-324,
      2.2250738585072014e-308,
      Number.MAX_VALUE,
      Number.MAX_SAFE_INTEGER,
      2 ** 53 + 2,
      0.1,
      0.30000000000000004,
      123456789.12345679,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      99.97930830161027,
    ];

    // Times written as digits into a placeholder (years 0–9999) and around its edges, where the
    // encoder switches to formatting strings.
    const YEAR_0 = -62_167_219_200_000;
    const YEAR_10000 = 253_402_300_800_000;
    it.each([
      [1, 1, 1_300, Date.UTC(1999, 11, 31, 23, 0)],
      [5, 7, 1_300, Date.UTC(1999, 11, 31, 23, 0)],
      [31, 31, 2_000, Date.UTC(1999, 11, 31, 23, 0)],
      [3, 520, 1_400, Date.UTC(1999, 11, 31, 23, 0)], // a history longer than a batch (512), slid more than twice over
      // Minute steps only, from 600 minutes before: into year 10000, and from before year 0 into it.
      [4, 9, 1_300, YEAR_10000 - 600 * 60_000],
      [4, 9, 1_300, YEAR_0 - 600 * 60_000],
    ])(
      "matches JSON.stringify of the adapter's input (minCandles %i, lookback %i, %i bars from %i)",
      (min, lookback, n, from) => {
        const jumps = from !== YEAR_10000 - 600 * 60_000 && from !== YEAR_0 - 600 * 60_000;
        const rand = rng(min * 1000 + lookback);
        const pick = (scale: number) =>
          rand() < 0.15 ? (EDGE[Math.floor(rand() * EDGE.length)] as number) : scale * (0.5 + rand());
        let t = from;
        const time: number[] = [];
        for (let i = 0; i < n; i++) {
          // Minute steps with jumps over days and years, and odd milliseconds.
          const r = jumps ? rand() : 0;
          t +=
            r < 0.9
              ? 60_000
              : r < 0.97
                ? Math.floor(rand() * 400 * 86_400_000)
                : 1 + Math.floor(rand() * 999);
          time.push(t);
        }
        const column = (scale: number) => Float64Array.from({ length: n }, () => pick(scale));
        const bars = {
          time: Float64Array.from(time),
          open: column(100),
          high: column(100),
          low: column(100),
          close: column(100),
          volume: column(1e6),
        };
        // Portfolios as the engine would pass them, with runs of unchanged values (the encoder caches them).
        const portfolios = Array.from({ length: n }, (): Mutable<PortfolioView> => ({ ...flatPortfolio(0) }));
        for (let i = 1; i < n; i++) {
          const p = portfolios[i] as (typeof portfolios)[number];
          if (rand() < 0.7) {
            Object.assign(p, portfolios[i - 1]);
            continue;
          }
          p.cash = pick(10_000);
          p.equity = pick(10_000);
          if (rand() < 0.6) {
            p.position = (rand() < 0.5 ? -1 : 1) * pick(3);
            p.entryPrice = pick(100);
            p.entryTime = time[Math.floor(rand() * i)] as number;
            p.entryIndex = 0;
            p.lastEntryTime = p.entryTime;
          } else if (rand() < 0.5) {
            p.lastEntryTime = time[Math.floor(rand() * i)] as number;
          }
        }
        const options = {
          minCandles: min,
          lookbackCandles: lookback,
          parameters: { fast: 2, slow: 4, note: "x – ü \u2028" },
          timeframe: "1m",
          strategy: { name: 'a "quoted" – name', runtime: "wasm" },
        };
        // Compared bar by bar (a long history makes each input ~100 KB: keeping them all costs seconds).
        let expected: string | null = null;
        const reference = adaptCandleStrategy((input: CandleStrategyInput) => {
          expected = JSON.stringify(input);
          return { action: "HOLD" };
        }, options);
        const encoder = new CandleJsonEncoder({ ...options, candleText });
        const decoder = new TextDecoder();
        const slot = { size: Number.NaN, reason: null, metadata: null };
        let inputs = 0;
        let firstDifferent: object | null = null;
        // Twice, with a reset between: the second run must not see the first one's candles.
        for (let run = 0; run < 2; run++) {
          reference.reset?.();
          encoder.reset();
          for (let i = 0; i < n; i++) {
            const p = portfolios[i] as (typeof portfolios)[number];
            expected = null;
            reference.onBar(i, bars, p, slot);
            const bytes = encoder.next(i, bars, p);
            const produced = bytes === null ? null : decoder.decode(bytes);
            if (produced !== null) inputs++;
            if (produced !== expected && firstDifferent === null)
              firstDifferent = { run, bar: i, produced, expected };
          }
        }
        expect(inputs).toBe(2 * (n - min + 1));
        expect(firstDifferent).toBeNull();
      },
    );
  },
);
