/**
 * The one interface the backtest workflow runs strategies through, whatever their runtime:
 * `native` (built-in TypeScript, fast path in this isolate), `remote` (the contract over HTTP, one
 * call per candle) and `wasm` (the user's module in a Worker Loader sandbox, whole simulation there).
 * Each returns the same {@link RuntimeResult}; failures a person can act on are {@link RuntimeError}s.
 */
import type { RemoteRuntimeConfig, WasmRuntimeConfig } from "@quantago/contracts";
import {
  type BacktestResult,
  type ExecutionConfig,
  type Metrics,
  type OpenPosition,
  OutputPool,
  runBacktest,
  runBacktestAsync,
  type TradeColumns,
  type TradeNotes,
  tradeNotes,
} from "@quantago/engine";
import {
  adaptAsyncCandleStrategy,
  type BarColumns,
  type CandleStrategyIdentity,
  type CreateOptions,
  ParameterValidationError,
  preflightCandleStrategy,
  type StrategyDefinition,
  StrategyOutputError,
} from "@quantago/strategies";
import type { DecisionCheckpoint } from "./checkpoint.ts";
import { RuntimeError } from "./errors.ts";
import { remoteCaller } from "./remote.ts";
import { runWasmBacktest, SandboxError } from "./wasm.ts";

export { type DecisionCheckpoint, r2Checkpoint } from "./checkpoint.ts";
export { RuntimeError } from "./errors.ts";

/** A checkpoint is saved at least this often during a remote run. */
const CHECKPOINT_EVERY_MS = 2_000;

/**
 * How a run learns that it should stop (its backtest was cancelled or deleted). `signal` aborts when
 * it is known; `check()` asks (at most every so often, so it is cheap to call per candle) and throws
 * the signal's reason once aborted. Every runtime calls `check()` before it starts and the remote one
 * per candle, and aborts what is in flight with `signal`.
 */
export interface Cancellation {
  readonly signal: AbortSignal;
  check(): Promise<void>;
}

/** One run of a strategy over bars. */
export interface RuntimeRequest {
  bars: BarColumns;
  config: ExecutionConfig;
  /** The backtest's `parameters` as sent: the contract's `input.parameters`, and the strategy's own. */
  parameters: Record<string, unknown>;
  timeframe: string;
  /**
   * Called with the number of bars done while a run is in progress, at most about once a second (only
   * runs that last longer report). Not at the end: the write that completes the backtest records its
   * bars, and a report there would cost the run a database round trip, on a connection of its own
   * when the run's first connection is still busy.
   */
  onProgress?: (barsDone: number) => Promise<void> | void;
  /** Remote runtime: where answers are checkpointed so a retried run resumes (see checkpoint.ts). */
  checkpoint?: DecisionCheckpoint;
  /** Remote runtime: save a checkpoint after this many new answers (default 1,000) or 2 s. */
  checkpointEveryCalls?: number;
  /** Stops the run when its backtest is cancelled or deleted (see {@link Cancellation}). */
  cancellation?: Cancellation;
}

/** What every runtime returns. */
export interface RuntimeResult {
  tradeColumns: TradeColumns;
  /** Reason/metadata of each closed trade's entry and exit signal, when the runtime gives them. */
  notes: TradeNotes | null;
  equity: Float64Array;
  metrics: Metrics;
  finalCash: number;
  evaluatedBars: number;
  openPosition: OpenPosition | null;
  /**
   * Hands the run's output arrays back for the next run in this isolate; call it once nothing reads
   * `equity` any more (the results are stored). Absent when there is nothing to hand back.
   */
  release?: () => void;
}

export interface StrategyRuntime {
  readonly kind: "native" | "remote" | "wasm";
  run(request: RuntimeRequest): Promise<RuntimeResult>;
}

/** Identity and requirements of a registry or ad-hoc strategy (the contract's `context.strategy`). */
export interface StrategyIdentity extends CandleStrategyIdentity {
  minCandles: number;
  lookbackCandles: number;
}

function fromEngine(result: BacktestResult): RuntimeResult {
  return {
    tradeColumns: result.tradeColumns,
    notes: tradeNotes(result),
    equity: result.equity,
    metrics: result.metrics,
    finalCash: result.finalCash,
    evaluatedBars: result.evaluatedBars,
    openPosition: result.openPosition,
  };
}

/**
 * The equity arrays of this isolate's native runs: a run writes over the array of a run whose results
 * are stored instead of page-faulting fresh memory, which for a million bars costs as much as the engine
 * itself (see OutputPool). At most two million-bar curves are kept.
 */
const equityPool = new OutputPool();

/**
 * A fresh instance of a built-in with `parameters`; parameters its rules refuse are a
 * `strategy_parameters` RuntimeError (what the run's failure says), like any runtime's.
 */
export function createBuiltin(
  definition: StrategyDefinition,
  parameters: Record<string, unknown>,
  options?: CreateOptions,
): ReturnType<StrategyDefinition["create"]> {
  try {
    return definition.create(parameters, options);
  } catch (e) {
    if (e instanceof ParameterValidationError) throw new RuntimeError("strategy_parameters", e.message);
    throw e;
  }
}

/** Built-in strategies: the fast path, no per-candle objects. */
export function nativeRuntime(definition: StrategyDefinition): StrategyRuntime {
  return {
    kind: "native",
    async run(request) {
      const strategy = createBuiltin(definition, request.parameters);
      // One synchronous pass (no I/O to interrupt, milliseconds even for 10^5 bars): checked before
      // it starts and once it is done, so a cancelled run stores nothing.
      await request.cancellation?.check();
      const equity = equityPool.take(request.bars.time.length);
      try {
        const result = runBacktest(request.bars, strategy, request.config, { buffers: { equity } });
        await request.cancellation?.check();
        return { ...fromEngine(result), release: () => equityPool.give(equity) };
      } catch (e) {
        equityPool.give(equity); // nothing of a failed or stopped run is kept
        throw e;
      }
    },
  };
}

/** Throttles progress reports to about one a second. */
function progressReporter(onProgress: RuntimeRequest["onProgress"]) {
  let last = Date.now();
  return async (done: number) => {
    if (!onProgress || Date.now() - last < 1_000) return;
    last = Date.now();
    await onProgress(done);
  };
}

/** Strategies served over HTTP: preflight on the first candles, then one call per candle. */
export function remoteRuntime(
  config: RemoteRuntimeConfig,
  identity: StrategyIdentity,
  options: { allowPrivate: boolean },
): StrategyRuntime {
  return {
    kind: "remote",
    async run(request) {
      const cancellation = request.cancellation;
      const call = remoteCaller(config, {
        ...options,
        ...(cancellation ? { signal: cancellation.signal } : {}),
      });
      const lookbackCandles = config.lookbackCandles ?? identity.lookbackCandles;
      const candleOptions = {
        slug: identity.name,
        minCandles: identity.minCandles,
        lookbackCandles: Math.max(lookbackCandles, identity.minCandles),
        parameters: request.parameters,
        timeframe: request.timeframe,
        strategy: {
          name: identity.name,
          version: identity.version,
          runtime: "remote",
          language: identity.language,
        },
      };
      const report = progressReporter(request.onProgress);
      const checkpoint = request.checkpoint;
      const recorded = checkpoint ? await checkpoint.load() : new Map<number, unknown>();
      const everyCalls = request.checkpointEveryCalls ?? 1_000;
      let pending: Array<[number, unknown]> = [];
      let lastSave = Date.now();
      // Answers already recorded by an earlier attempt are replayed; the others are asked for.
      const decide = async (input: Parameters<typeof call>[0]) => {
        // Per candle, so a cancelled run stops between two calls (the call in flight is aborted).
        await cancellation?.check();
        const index = input.context.index;
        if (recorded.has(index)) return recorded.get(index);
        const output = await call(input);
        if (checkpoint) {
          pending.push([index, output]);
          if (pending.length >= everyCalls || Date.now() - lastSave >= CHECKPOINT_EVERY_MS) {
            const saving = pending;
            pending = [];
            lastSave = Date.now();
            await checkpoint.save(saving);
          }
        }
        await report(index + 1);
        return output;
      };
      try {
        // The preflight passed in the attempt that recorded answers; it is not repeated on resume.
        await cancellation?.check();
        if (recorded.size === 0) {
          await preflightCandleStrategy(call, request.bars, {
            ...candleOptions,
            initialBalance: request.config.initialBalance ?? 10_000,
          });
        }
        const strategy = adaptAsyncCandleStrategy(decide, candleOptions);
        const result = await runBacktestAsync(request.bars, strategy, request.config);
        return fromEngine(result);
      } catch (e) {
        if (e instanceof StrategyOutputError) throw new RuntimeError("strategy_output", e.message);
        throw e;
      }
    },
  };
}

/** CPU budget of a sandboxed run: generous per bar (the JSON ABI is the slow one), capped at 5 min. */
export function sandboxCpuMs(bars: number): number {
  return Math.min(300_000, 5_000 + Math.ceil(bars / 10));
}

/** WebAssembly modules (either ABI) in a Worker Loader sandbox; the whole simulation runs there. */
export function wasmRuntime(
  loader: WorkerLoader,
  module: { bytes: Uint8Array; sha256: string },
  config: WasmRuntimeConfig,
  identity: StrategyIdentity,
): StrategyRuntime {
  return {
    kind: "wasm",
    async run(request) {
      const names = {
        ...(config.exportedFunction ? { exportedFunction: config.exportedFunction } : {}),
        ...(config.resultLengthFunction ? { resultLengthFunction: config.resultLengthFunction } : {}),
        ...(config.allocFunction ? { allocFunction: config.allocFunction } : {}),
        ...(config.deallocFunction ? { deallocFunction: config.deallocFunction } : {}),
      };
      const lookbackCandles = config.lookbackCandles ?? identity.lookbackCandles;
      await request.cancellation?.check();
      try {
        const result = await runWasmBacktest(loader, {
          ...(request.cancellation ? { signal: request.cancellation.signal } : {}),
          wasm: module.bytes,
          id: module.sha256,
          bars: request.bars,
          parameters: request.parameters,
          config: request.config,
          cpuMs: sandboxCpuMs(request.bars.time.length),
          // The same budget as wall time bounds a run in a local or self-hosted workerd, where the
          // Loader's CPU limit is not enforced; deployed, the clock stands still without I/O and the
          // fuel meter is what stops a module that spins (see wasm.ts).
          wallTimeMs: sandboxCpuMs(request.bars.time.length),
          ...(config.abi ? { abi: config.abi } : {}),
          json: {
            names,
            minCandles: identity.minCandles,
            lookbackCandles: Math.max(lookbackCandles, identity.minCandles),
            timeframe: request.timeframe,
            strategy: {
              name: identity.name,
              version: identity.version,
              runtime: "wasm",
              language: identity.language,
            },
          },
        });
        await request.cancellation?.check();
        return {
          tradeColumns: result.tradeColumns,
          notes: result.notes,
          equity: result.equity,
          metrics: result.metrics,
          finalCash: result.finalCash,
          evaluatedBars: result.evaluatedBars,
          openPosition: result.openPosition,
        };
      } catch (e) {
        if (e instanceof SandboxError) throw new RuntimeError("wasm", e.message, { cause: e });
        throw e;
      }
    },
  };
}
