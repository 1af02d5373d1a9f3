/**
 * Host side of the columnar ABI (packages/wasm-sdk/ABI.md): feeds the bars to `qg_signals` batch
 * by batch through one region of linear memory, validates everything the module hands back, and
 * returns the decisions as the engine's `SignalColumns`.
 *
 * @module
 */

import type { SignalColumns } from "@quantago/engine";
import type { BarColumns } from "@quantago/strategies";
import { mib, SandboxError } from "./errors.ts";

/** The exports of a columnar-ABI module. */
export interface ColumnarExports {
  readonly memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  qg_abi_version(): number;
  qg_init(paramsPtr: number, paramsLen: number): number;
  qg_signals(barsPtr: number, n: number, outPtr: number): number;
  /** Optional: bitmask of the bar columns the module reads (bit 0 time ... bit 5 volume); default all. */
  qg_columns?: () => number;
  /** Optional: non-zero when the module writes sizes; otherwise the sizes region is not used. */
  qg_uses_sizes?: () => number;
}

/** Options of {@link runColumnarSignals}. */
export interface ColumnarOptions {
  /** Metered modules only: loop iterations allowed per bar of a batch; default 10,000. */
  fuelPerBar?: number;
  /** Bars per `qg_signals` call; default 65,536. */
  batchSize?: number;
  /** A run fails once linear memory reaches this size; default 256 MiB. */
  memoryCapBytes?: number;
  /** A run fails once this much wall time has passed (see {@link CallGuard}); default none. */
  wallTimeMs?: number;
}

/** Default bars per batch: 3 MiB of bar columns, small enough to stay in cache-friendly territory. */
export const DEFAULT_BATCH_SIZE = 65_536;
/** Default memory cap of a strategy module. */
export const DEFAULT_MEMORY_CAP_BYTES = 256 * 1024 * 1024;

const COLUMNS = ["time", "open", "high", "low", "close", "volume"] as const;

function align8(n: number): number {
  return (n + 7) & ~7;
}

function describeTrap(e: unknown, what: string, guard: CallGuard): SandboxError {
  const message = e instanceof Error ? e.message : String(e);
  if (guard.fuel !== null && guard.fuel.value === 0 && guard.lastFuel > 0) {
    return new SandboxError(
      "cpu",
      `strategy exceeded its CPU budget in ${what}: more than ${guard.lastFuel.toLocaleString("en-US")} loop iterations`,
    );
  }
  if (guard.memory.buffer.byteLength >= guard.capBytes) {
    return new SandboxError(
      "memory",
      `strategy ran out of memory in ${what}: it reached its cap of ${mib(guard.capBytes)} (${message})`,
    );
  }
  if (e instanceof RangeError && /call stack/i.test(message)) {
    return new SandboxError("trap", `strategy overflowed the call stack in ${what}`);
  }
  return new SandboxError("trap", `strategy trapped in ${what}: ${message}`);
}

/** Largest fuel value (the global is an i32). */
const MAX_FUEL = 0x7fffffff;
/** Fuel (loop iterations) for calls that are not per bar: alloc, qg_init, ... */
export const DEFAULT_CALL_FUEL = 100_000_000;

/** Calls of {@link CallGuard.invoke} between two looks at the clock (a per-candle hot path). */
const CLOCK_EVERY = 16;

/**
 * Wraps every call into a module: sets its fuel (when the module is metered, see `meterWasm` in
 * @quantago/wasm-sdk), turns traps into {@link SandboxError}s with a reason, and checks the memory
 * cap and the run's wall-time budget afterwards.
 *
 * The fuel bounds each call; the wall-time budget bounds a run of many calls that each stay within
 * their fuel. It reads `Date.now()` between calls, so it cannot stop a call, and deployed Workers
 * advance that clock only on I/O, which a run never does: there it never fires and the Loader's
 * `limits.cpuMs` is the bound. It does fire in Node and in a local or self-hosted workerd, whose
 * clocks advance and which do not enforce `cpuMs`.
 */
export class CallGuard {
  readonly memory: WebAssembly.Memory;
  readonly capBytes: number;
  readonly fuel: WebAssembly.Global | null;
  lastFuel = 0;
  private readonly wallTimeMs: number | undefined;
  private readonly startedAt: number;
  private sinceClock = 0;

  constructor(
    exports: WebAssembly.Exports,
    memory: WebAssembly.Memory,
    capBytes: number,
    wallTimeMs?: number,
  ) {
    this.memory = memory;
    this.capBytes = capBytes;
    const fuel = (exports as Record<string, unknown>).__qg_fuel;
    this.fuel = fuel instanceof WebAssembly.Global ? fuel : null;
    this.wallTimeMs = wallTimeMs;
    this.startedAt = Date.now();
  }

  // Linear memory as last seen, and a byte view of it. Reading `memory.buffer` is a call into the
  // engine (about 15 ns in Node 22, several times per candle on the JSON ABI); growing the memory
  // detaches the old buffer (its byteLength turns 0), which is all there is to watch for.
  private buffer: ArrayBuffer | null = null;
  private bytes = new Uint8Array(0);

  /** A byte view of the module's whole linear memory, renewed after the memory grew. */
  memoryBytes(): Uint8Array {
    const buffer = this.buffer;
    if (buffer === null || buffer.byteLength === 0) {
      this.buffer = this.memory.buffer;
      this.bytes = new Uint8Array(this.buffer);
    }
    return this.bytes;
  }

  /** Fails the run once its wall-time budget is spent (after the call `what`). */
  private checkClock(what: () => string): void {
    if (this.wallTimeMs === undefined) return;
    this.sinceClock = 0;
    if (Date.now() - this.startedAt > this.wallTimeMs) {
      throw new SandboxError(
        "cpu",
        `strategy exceeded the run's wall-time budget of ${this.wallTimeMs} ms in ${what()}`,
      );
    }
  }

  /**
   * {@link call} for a plain call of an export with up to two arguments, for per-candle hot paths:
   * no closure per call, and the label is built only when the call fails. Extra arguments are
   * ignored by exports that take fewer. `fuel` null runs the call on the fuel the calls before it
   * left (a budget shared by several calls: setting the meter's global costs a call into the engine).
   */
  invoke(
    what: () => string,
    fuel: number | null,
    fn: (a: number, b: number) => number,
    a = 0,
    b = 0,
  ): number {
    if (fuel !== null) this.arm(fuel);
    let result: number;
    try {
      result = fn(a, b);
    } catch (e) {
      if (e instanceof SandboxError) throw e;
      throw describeTrap(e, what(), this);
    }
    this.checkCap(what);
    if (++this.sinceClock === CLOCK_EVERY) this.checkClock(what);
    return result;
  }

  call<T>(what: string, fuel: number, fn: () => T): T {
    this.arm(fuel);
    let result: T;
    try {
      result = fn();
    } catch (e) {
      if (e instanceof SandboxError) throw e;
      throw describeTrap(e, what, this);
    }
    const label = () => what;
    this.checkCap(label);
    this.checkClock(label);
    return result;
  }

  /** Gives the next call `fuel` loop iterations (metered modules only). */
  private arm(fuel: number): void {
    if (this.fuel !== null) {
      this.lastFuel = Math.min(MAX_FUEL, Math.max(1, Math.floor(fuel)));
      this.fuel.value = this.lastFuel;
    }
  }

  /** Fails the run once linear memory has reached its cap (after the call `what`). */
  private checkCap(what: () => string): void {
    if (this.memoryBytes().byteLength >= this.capBytes) {
      throw new SandboxError(
        "memory",
        `strategy grew its memory to ${mib(this.memory.buffer.byteLength)} in ${what()}, reaching its cap of ${mib(this.capBytes)}`,
      );
    }
  }
}

/** Checks that `[ptr, ptr + bytes)` lies inside linear memory. */
export function checkRegion(memory: WebAssembly.Memory, ptr: number, bytes: number, what: string): void {
  if (!Number.isInteger(ptr) || ptr <= 0 || ptr + bytes > memory.buffer.byteLength) {
    throw new SandboxError(
      "output",
      `${what} returned pointer ${ptr} for ${bytes} bytes, outside the module's ${memory.buffer.byteLength}-byte memory`,
    );
  }
}

/** Checks the exports a columnar module must have (the API validates the binary before upload too). */
export function asColumnarExports(exports: WebAssembly.Exports): ColumnarExports {
  const e = exports as Record<string, unknown>;
  const missing: string[] = [];
  if (!(e.memory instanceof WebAssembly.Memory)) missing.push("memory");
  for (const f of ["alloc", "qg_abi_version", "qg_init", "qg_signals"]) {
    if (typeof e[f] !== "function") missing.push(f);
  }
  if (missing.length > 0) {
    throw new SandboxError(
      "abi",
      `module does not implement the columnar ABI: missing ${missing.join(", ")}`,
    );
  }
  return e as unknown as ColumnarExports;
}

/**
 * Runs a columnar-ABI module over all bars and returns its decisions. Calls `qg_init` with the
 * parameters as UTF-8 JSON, then `qg_signals` once per batch of at most `batchSize` bars. Throws
 * {@link SandboxError} on a trap, an error code, a pointer outside memory, an action code > 2, a
 * size that is neither NaN nor a finite number >= 0, or memory reaching the cap.
 *
 * @example
 * ```ts
 * const { instance } = await WebAssembly.instantiate(bytes, {});
 * const signals = runColumnarSignals(asColumnarExports(instance.exports), bars, { fast: 10, slow: 30 });
 * runBacktest(bars, signals, config);
 * ```
 */
export function runColumnarSignals(
  ex: ColumnarExports,
  bars: BarColumns,
  parameters: Record<string, unknown>,
  options: ColumnarOptions = {},
): SignalColumns & { batches: number } {
  const cap = options.memoryCapBytes ?? DEFAULT_MEMORY_CAP_BYTES;
  const memory = ex.memory;
  const guard = new CallGuard(ex as unknown as WebAssembly.Exports, memory, cap, options.wallTimeMs);
  const fuelPerBar = options.fuelPerBar ?? 10_000;
  const n = bars.time.length;
  const version = guard.call("qg_abi_version", DEFAULT_CALL_FUEL, () => ex.qg_abi_version());
  if (version !== 1) {
    throw new SandboxError(
      "abi",
      `module implements columnar ABI version ${version}; this platform runs version 1`,
    );
  }

  const params = new TextEncoder().encode(JSON.stringify(parameters));
  const pp = guard.call("alloc", DEFAULT_CALL_FUEL, () => ex.alloc(Math.max(params.length, 1)));
  checkRegion(memory, pp, params.length, "alloc");
  new Uint8Array(memory.buffer, pp, params.length).set(params);
  const rc = guard.call("qg_init", DEFAULT_CALL_FUEL, () => ex.qg_init(pp, params.length));
  if (rc !== 0) {
    throw new SandboxError(
      "init",
      `strategy rejected its parameters ${JSON.stringify(parameters)} (qg_init returned ${rc})`,
    );
  }

  // Optional capabilities: copying only the columns a module reads (often just close) and skipping
  // the sizes region when it never writes sizes saves most of the host's per-bar work.
  const mask =
    typeof ex.qg_columns === "function"
      ? guard.call("qg_columns", DEFAULT_CALL_FUEL, () => (ex.qg_columns as () => number)()) & 0x3f
      : 0x3f;
  const usesSizes =
    typeof ex.qg_uses_sizes === "function" &&
    guard.call("qg_uses_sizes", DEFAULT_CALL_FUEL, () => (ex.qg_uses_sizes as () => number)()) !== 0;
  const actions = new Uint8Array(n);
  const sizes = usesSizes ? new Float64Array(n) : null;
  let anySize = false;
  const batch = Math.max(1, Math.min(options.batchSize ?? DEFAULT_BATCH_SIZE, n || 1));
  // One region for every batch: 6 bar columns, then the actions (padded to 8 bytes), then the sizes.
  const barsBytes = 6 * batch * 8;
  const regionBytes = barsBytes + align8(batch) + batch * 8;
  const base = guard.call("alloc", DEFAULT_CALL_FUEL, () => ex.alloc(regionBytes));
  checkRegion(memory, base, regionBytes, "alloc");
  if (base % 8 !== 0) throw new SandboxError("output", `alloc returned ${base}, which is not 8-byte aligned`);
  const outPtr = base + barsBytes;

  let batches = 0;
  for (let start = 0; start < n; start += batch) {
    const m = Math.min(batch, n - start);
    // Views are rebuilt per batch: a memory.grow detaches the previous ArrayBuffer.
    let buf = memory.buffer;
    for (let c = 0; c < 6; c++) {
      if ((mask & (1 << c)) === 0) continue;
      const col = bars[COLUMNS[c] as (typeof COLUMNS)[number]];
      new Float64Array(buf, base + c * m * 8, m).set(col.subarray(start, start + m));
    }
    const sizesPtr = outPtr + align8(m);
    new Uint8Array(buf, outPtr, m).fill(0);
    if (sizes !== null) new Float64Array(buf, sizesPtr, m).fill(Number.NaN);
    const what = `qg_signals (bars ${start}–${start + m - 1})`;
    const code = guard.call(what, DEFAULT_CALL_FUEL + fuelPerBar * m, () => ex.qg_signals(base, m, outPtr));
    if (code !== 0)
      throw new SandboxError("output", `strategy failed in ${what}: it returned error code ${code}`);
    buf = memory.buffer;
    const out = new Uint8Array(buf, outPtr, m);
    for (let i = 0; i < m; i++) {
      if ((out[i] as number) > 2) {
        throw new SandboxError(
          "output",
          `strategy returned action code ${out[i]} for bar ${start + i}; valid codes are 0 HOLD, 1 BUY, 2 SELL`,
        );
      }
    }
    actions.set(out, start);
    if (sizes === null) {
      batches++;
      continue;
    }
    const sz = new Float64Array(buf, sizesPtr, m);
    for (let i = 0; i < m; i++) {
      const s = sz[i] as number;
      if (!Number.isNaN(s)) {
        if (!(s >= 0 && s !== Number.POSITIVE_INFINITY)) {
          throw new SandboxError(
            "output",
            `strategy returned size ${s} for bar ${start + i}; sizes must be finite and >= 0 (or NaN)`,
          );
        }
        anySize = true;
      }
    }
    sizes.set(sz, start);
    batches++;
  }
  return { actions, sizes: anySize ? sizes : null, batches };
}
