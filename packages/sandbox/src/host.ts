/**
 * What runs inside the sandbox child: instantiate the strategy module once, compute the decisions
 * (columnar ABI: `qg_signals` per batch; JSON ABI: one call per candle, still inside the child), run
 * the engine on them and return a compact, structured-clonable result. Bars larger than one RPC
 * argument (32 MiB) arrive in chunks through {@link stageBars} first.
 *
 * Never throws: failures come back as `{ ok: false, code, reason }` so the reason survives RPC.
 *
 * @module
 */

import {
  type BacktestResult,
  type ExecutionConfig,
  type Metrics,
  runBacktest,
  type TradeColumns,
  type TradeNotes,
  tradeNotes,
} from "@quantago/engine";
import type { BarColumns, CandleStrategyIdentity } from "@quantago/strategies";
import { asColumnarExports, DEFAULT_MEMORY_CAP_BYTES, runColumnarSignals } from "./columnar.ts";
import { SandboxError, type SandboxFailureCode } from "./errors.ts";
import { createJsonAbiStrategy, type JsonAbiExportNames } from "./json-abi.ts";

/** Options of a JSON-ABI run (the per-candle contract's knobs). */
export interface SandboxJsonOptions {
  names?: JsonAbiExportNames;
  /** Bars seen before the first call (earlier bars are HOLD). Default 1. */
  minCandles?: number;
  /** Length of `history`. Default `minCandles`. */
  lookbackCandles?: number;
  timeframe?: string;
  strategy?: Partial<CandleStrategyIdentity>;
}

/**
 * Default wall-time budget of a run: far above a real backtest (a million candles through the JSON
 * ABI take seconds), low enough that a module spending its whole fuel on every call cannot hold a
 * local or self-hosted workerd, which runs the child on the caller's thread, for long.
 */
export const DEFAULT_RUN_WALL_TIME_MS = 120_000;

/** One backtest to run inside the sandbox. Everything is structured-clonable. */
export interface SandboxRunRequest {
  abi: "columnar" | "json";
  /** Strategy parameters (columnar: passed to `qg_init` as JSON; JSON ABI: `input.parameters`). */
  parameters: Record<string, unknown>;
  /** Execution config of the engine. */
  config: ExecutionConfig;
  /**
   * The bars, or null/undefined when they were staged under `jobId` with {@link stageBars} or are
   * the bars the child keeps under `barsKey`.
   */
  bars?: BarColumns | null;
  jobId?: string;
  /**
   * Names the bars (inline or staged) so the child keeps them after the run: a later request with
   * the same key and neither `bars` nor `jobId` runs on them without sending them again, or fails
   * with code `bars_missing` when the child no longer has them. The caller must never reuse a key
   * for other bars.
   */
  barsKey?: string;
  /** Columnar ABI: bars per `qg_signals` call (default 65,536). */
  batchSize?: number;
  /** The run fails once the module's memory reaches this size (default 256 MiB). */
  memoryCapBytes?: number;
  /**
   * The run fails once this much wall time has passed in the module's calls, checked between calls
   * (default {@link DEFAULT_RUN_WALL_TIME_MS}). Deployed Workers do not advance the clock without
   * I/O, so there it never fires and the Loader's CPU limit bounds the run instead.
   */
  wallTimeMs?: number;
  json?: SandboxJsonOptions;
  /** Also return the decision column (for tests and diagnostics). */
  returnActions?: boolean;
}

/** Compact result of a successful run. */
export interface SandboxRunSuccess {
  ok: true;
  abi: "columnar" | "json";
  tradeColumns: TradeColumns;
  equity: Float64Array;
  metrics: Metrics;
  finalCash: number;
  evaluatedBars: number;
  blockedEntries: number;
  openPosition: BacktestResult["openPosition"];
  /** The strategy's reason/metadata per closed trade (JSON ABI answers may carry them), or null. */
  notes: TradeNotes | null;
  actions: Uint8Array | null;
  /** `qg_signals` calls (columnar) or candles evaluated (JSON). */
  calls: number;
  memoryBytes: number;
}

/** A failed run: `reason` is for people, `code` for programs. */
export interface SandboxRunFailure {
  ok: false;
  code: SandboxFailureCode;
  reason: string;
}

/** What {@link runSandboxJob} returns. */
export type SandboxRunResult = SandboxRunSuccess | SandboxRunFailure;

interface Staged {
  bars: BarColumns;
  received: number;
}

// Bars staged chunk by chunk for the next `run` of a job; bounded so a crashed caller leaks little.
const staged = new Map<string, Staged>();
const MAX_STAGED_JOBS = 4;

/**
 * The bars of the last run that named them (`barsKey`), kept for the next run on the same range
 * (a parameter sweep, a re-run), which then does not send them again (48 MB for a million). One set
 * only, and dropped as soon as other bars start to arrive, so the child never holds two ranges
 * because of it.
 */
let kept: { key: string; bars: BarColumns } | null = null;
const COLUMNS = ["time", "open", "high", "low", "close", "volume"] as const;

/**
 * Stores one chunk of bars (`offset` is the index of its first bar, `total` the number of bars of
 * the whole run) for a later {@link runSandboxJob} with the same `jobId` and no `bars`.
 */
export function stageBars(
  jobId: string,
  total: number,
  offset: number,
  chunk: BarColumns,
): { received: number } {
  let s = staged.get(jobId);
  if (s === undefined) {
    kept = null; // other bars are coming: free the kept ones first
    if (staged.size >= MAX_STAGED_JOBS) staged.delete(staged.keys().next().value as string);
    const make = () => new Float64Array(total);
    s = {
      bars: { time: make(), open: make(), high: make(), low: make(), close: make(), volume: make() },
      received: 0,
    };
    staged.set(jobId, s);
  }
  const m = chunk.time.length;
  if (offset < 0 || offset + m > total || s.bars.time.length !== total) {
    throw new RangeError(`chunk [${offset}, ${offset + m}) does not fit a run of ${total} bars`);
  }
  for (const c of COLUMNS) s.bars[c].set(chunk[c], offset);
  s.received += m;
  return { received: s.received };
}

function compactTrades(t: TradeColumns): TradeColumns {
  // slice(): the log's columns are views into larger, doubling buffers; send only the used part.
  return {
    count: t.count,
    size: t.size.slice(0, t.count),
    entryIndex: t.entryIndex.slice(0, t.count),
    entrySignalIndex: t.entrySignalIndex.slice(0, t.count),
    entryPrice: t.entryPrice.slice(0, t.count),
    entryFee: t.entryFee.slice(0, t.count),
    exitIndex: t.exitIndex.slice(0, t.count),
    exitSignalIndex: t.exitSignalIndex.slice(0, t.count),
    exitPrice: t.exitPrice.slice(0, t.count),
    exitFee: t.exitFee.slice(0, t.count),
    pnl: t.pnl.slice(0, t.count),
    reason: t.reason.slice(0, t.count),
  };
}

function failure(e: unknown): SandboxRunFailure {
  if (e instanceof SandboxError) return { ok: false, code: e.code, reason: e.reason };
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof Error && (e.name === "EngineConfigError" || e.name === "DecisionError")) {
    return { ok: false, code: "engine", reason: message };
  }
  return { ok: false, code: "sandbox", reason: `sandbox host error: ${message}` };
}

/**
 * Runs one backtest of the strategy `module` inside the current isolate (the sandbox child).
 * `candleText` is the JSON ABI's candle printer (`candle-text.wasm`); without it the JSON ABI's
 * candles are printed by `JSON.stringify`, to the same bytes, more slowly.
 *
 * @example
 * ```ts
 * const result = runSandboxJob(module, { abi: "columnar", parameters: { fast: 10, slow: 30 }, config, bars });
 * if (!result.ok) console.log(result.reason);
 * ```
 */
export function runSandboxJob(
  module: WebAssembly.Module,
  request: SandboxRunRequest,
  candleText?: WebAssembly.Module,
): SandboxRunResult {
  try {
    let bars = request.bars ?? null;
    if (bars === null && request.jobId === undefined && request.barsKey !== undefined) {
      if (kept?.key !== request.barsKey) {
        throw new SandboxError("bars_missing", "the sandbox no longer has these bars: send them");
      }
      bars = kept.bars;
    }
    if (bars === null) {
      const s = request.jobId === undefined ? undefined : staged.get(request.jobId);
      if (s === undefined) {
        throw new SandboxError("sandbox", "no bars: pass them inline or stage them under the job id first");
      }
      staged.delete(request.jobId as string);
      if (s.received !== s.bars.time.length) {
        throw new SandboxError("sandbox", `only ${s.received} of ${s.bars.time.length} staged bars arrived`);
      }
      bars = s.bars;
    }
    if (request.barsKey !== undefined) kept = { key: request.barsKey, bars };
    const cap = request.memoryCapBytes ?? DEFAULT_MEMORY_CAP_BYTES;
    const wallTimeMs = request.wallTimeMs ?? DEFAULT_RUN_WALL_TIME_MS;
    let instance: WebAssembly.Instance;
    try {
      instance = new WebAssembly.Instance(module, {});
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      throw new SandboxError("invalid_module", `module could not be instantiated: ${message}`);
    }
    const memory = (instance.exports as Record<string, unknown>).memory;
    let result: BacktestResult;
    let actions: Uint8Array | null = null;
    let calls = 0;
    if (request.abi === "columnar") {
      const signals = runColumnarSignals(asColumnarExports(instance.exports), bars, request.parameters, {
        ...(request.batchSize === undefined ? {} : { batchSize: request.batchSize }),
        memoryCapBytes: cap,
        wallTimeMs,
      });
      calls = signals.batches;
      result = runBacktest(bars, signals, request.config);
      if (request.returnActions === true) actions = signals.actions;
    } else {
      const json = request.json ?? {};
      const strategy = createJsonAbiStrategy(instance.exports, {
        ...(json.names === undefined ? {} : { names: json.names }),
        ...(json.minCandles === undefined ? {} : { minCandles: json.minCandles }),
        ...(json.lookbackCandles === undefined ? {} : { lookbackCandles: json.lookbackCandles }),
        ...(json.timeframe === undefined ? {} : { timeframe: json.timeframe }),
        strategy: { runtime: "wasm", language: "wasm", ...json.strategy },
        parameters: request.parameters,
        memoryCapBytes: cap,
        wallTimeMs,
        ...(candleText === undefined ? {} : { candleText }),
      });
      const recorded = request.returnActions === true ? new Uint8Array(bars.time.length) : null;
      result = runBacktest(
        bars,
        recorded === null
          ? strategy
          : {
              ...strategy,
              onBar(i, b, p, out) {
                const a = strategy.onBar(i, b, p, out);
                recorded[i] = a;
                return a;
              },
            },
        request.config,
      );
      actions = recorded;
      calls = result.evaluatedBars;
    }
    return {
      ok: true,
      abi: request.abi,
      tradeColumns: compactTrades(result.tradeColumns),
      equity: result.equity,
      metrics: result.metrics,
      finalCash: result.finalCash,
      evaluatedBars: result.evaluatedBars,
      blockedEntries: result.blockedEntries,
      openPosition: result.openPosition,
      notes: tradeNotes(result),
      actions,
      calls,
      memoryBytes: memory instanceof WebAssembly.Memory ? memory.buffer.byteLength : 0,
    };
  } catch (e) {
    return failure(e);
  }
}
