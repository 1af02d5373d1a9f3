/**
 * Host side of the published JSON ABI (spec §6): one call per candle, inside the sandbox (never
 * across the RPC boundary). Per call: `ptr = alloc(n)`, copy the input JSON, `out = signal(ptr, n)`,
 * `m = signal_len()`, read `[out, out + m)`, then `dealloc(ptr, n)` if exported. The answer is
 * validated like every per-candle strategy's (`parseCandleDecision`).
 *
 * The input JSON is the exact text `JSON.stringify` gives for the adapter's input object
 * (`adaptCandleStrategy` in @quantago/strategies, same keys in the same order), but built from
 * per-candle strings serialised once and reused while the candle stays in `history`: printing a
 * double is the dominant cost, and every candle appears in up to `lookbackCandles` inputs.
 *
 * @module
 */

import {
  type BarColumns,
  type BarStrategy,
  type CandleStrategyOptions,
  formatIsoUtc,
  HOLD,
  type PortfolioView,
  parseCandleDecision,
  resolveCandleStrategyOptions,
  StrategyOutputError,
} from "@quantago/strategies";
import { CallGuard, checkRegion } from "./columnar.ts";
import { SandboxError } from "./errors.ts";

/** Export names of the JSON ABI (defaults `signal`, `signal_len`, `alloc`, `dealloc`). */
export interface JsonAbiExportNames {
  exportedFunction?: string;
  resultLengthFunction?: string;
  allocFunction?: string;
  deallocFunction?: string;
}

/** Options of {@link createJsonAbiStrategy}. */
export interface JsonAbiOptions extends CandleStrategyOptions {
  names?: JsonAbiExportNames;
  /** A run fails once linear memory reaches this size. */
  memoryCapBytes: number;
  /** Metered modules only: loop iterations allowed per call; default 10,000,000. */
  fuelPerCall?: number;
  /** Largest answer accepted, in bytes; default 64 KiB. */
  maxOutputBytes?: number;
}

type Fn = (...args: number[]) => number;

const SLOT = 256; // bytes reserved per candle in the ring; a candle's JSON is at most ~200 bytes
const utf8 = new TextEncoder();

/**
 * Produces the spec §5 input JSON for bar after bar, byte-identical to `JSON.stringify(input)` of
 * the adapter's `CandleStrategyInput`, as UTF-8. Each candle is serialised and encoded once into a
 * byte ring and copied into every input while it stays in `history`.
 */
export class CandleJsonEncoder {
  readonly slug: string;
  readonly minCandles: number;
  readonly lookbackCandles: number;
  readonly usesPortfolio: boolean;
  private readonly tail: string;
  private readonly parameters: string;
  private readonly ring: Uint8Array;
  private readonly lengths: Int32Array;
  private out = new Uint8Array(16_384);
  private head = 0;
  private filled = 0;
  private seen = 0;

  constructor(options: CandleStrategyOptions) {
    const {
      slug,
      minCandles,
      lookbackCandles: lookback,
      usesPortfolio,
      identity,
    } = resolveCandleStrategyOptions(options);
    this.slug = slug;
    this.minCandles = minCandles;
    this.lookbackCandles = lookback;
    this.usesPortfolio = usesPortfolio;
    // Everything after "index": constant for a run except totalCandles, appended per call.
    this.tail = `,"timeframe":${JSON.stringify(options.timeframe ?? "")},"strategy":${JSON.stringify(identity)}}}`;
    this.parameters = JSON.stringify(options.parameters ?? {});
    this.ring = new Uint8Array(lookback * SLOT);
    this.lengths = new Int32Array(lookback);
  }

  private put(text: string, at: number): number {
    // Worst case 3 bytes per UTF-16 unit (the text is ASCII except for user-provided names).
    if (this.out.length < at + text.length * 3) {
      const grown = new Uint8Array(Math.max(this.out.length * 2, at + text.length * 3));
      grown.set(this.out.subarray(0, at));
      this.out = grown;
    }
    return at + utf8.encodeInto(text, this.out.subarray(at)).written;
  }

  /**
   * Records bar `i`; returns the input JSON as UTF-8 (a view valid until the next call), or null
   * while fewer than `minCandles` bars were seen.
   */
  next(i: number, bars: BarColumns, p: PortfolioView): Uint8Array | null {
    const close = bars.close[i] as number;
    const candle = JSON.stringify({
      time: formatIsoUtc(bars.time[i] as number),
      open: bars.open[i],
      high: bars.high[i],
      low: bars.low[i],
      close,
      volume: bars.volume[i],
    });
    const k = this.lookbackCandles;
    const slot = this.head;
    const written = utf8.encodeInto(candle, this.ring.subarray(slot * SLOT, (slot + 1) * SLOT));
    if (written.read !== candle.length) throw new RangeError(`candle ${i} does not fit ${SLOT} bytes`);
    this.lengths[slot] = written.written;
    this.head = slot + 1 === k ? 0 : slot + 1;
    if (this.filled < k) this.filled++;
    this.seen++;
    if (this.seen < this.minCandles) return null;

    let at = this.put('{"candle":', 0);
    const need = at + (this.filled + 1) * (SLOT + 1) + 16;
    if (this.out.length < need) {
      const grown = new Uint8Array(need * 2);
      grown.set(this.out.subarray(0, at));
      this.out = grown;
    }
    const out = this.out;
    out.set(this.ring.subarray(slot * SLOT, slot * SLOT + (this.lengths[slot] as number)), at);
    at += this.lengths[slot] as number;
    at = this.put(',"history":[', at);
    for (let j = this.filled; j >= 1; j--) {
      const s = (this.head - j + k) % k;
      if (j !== this.filled) out[at++] = 0x2c;
      const len = this.lengths[s] as number;
      out.set(this.ring.subarray(s * SLOT, s * SLOT + len), at);
      at += len;
    }
    const pos = p.position;
    const open =
      pos === 0
        ? "null"
        : JSON.stringify({
            type: pos > 0 ? "BUY" : "SELL",
            entryPrice: p.entryPrice,
            entryTime: formatIsoUtc(p.entryTime),
            size: Math.abs(pos),
            unrealizedPnl: (close - p.entryPrice) * pos,
          });
    const lastTradeAt = Number.isNaN(p.lastEntryTime) ? "null" : `"${formatIsoUtc(p.lastEntryTime)}"`;
    at = this.put(
      `],"portfolio":{"cash":${JSON.stringify(p.cash)},"equity":${JSON.stringify(p.equity)},` +
        `"openPosition":${open},"lastTradeAt":${lastTradeAt}},"parameters":${this.parameters},` +
        `"context":{"index":${i},"totalCandles":${bars.time.length}${this.tail}`,
      at,
    );
    return this.out.subarray(0, at);
  }

  /** Forgets all bars. */
  reset(): void {
    this.head = 0;
    this.filled = 0;
    this.seen = 0;
  }
}

function fnExport(exports: WebAssembly.Exports, name: string, required: boolean): Fn | null {
  const f = (exports as Record<string, unknown>)[name];
  if (typeof f === "function") return f as Fn;
  if (required)
    throw new SandboxError(
      "abi",
      `module does not implement the JSON ABI: missing function export "${name}"`,
    );
  return null;
}

/**
 * Wraps a JSON-ABI module instance as a {@link BarStrategy} (portfolio-aware, as the contract passes
 * the portfolio) for the engine. Errors thrown while the engine runs are {@link SandboxError}s.
 */
export function createJsonAbiStrategy(exports: WebAssembly.Exports, options: JsonAbiOptions): BarStrategy {
  const memory = (exports as Record<string, unknown>).memory;
  if (!(memory instanceof WebAssembly.Memory)) {
    throw new SandboxError("abi", 'module does not implement the JSON ABI: missing memory export "memory"');
  }
  const names = options.names ?? {};
  const signalName = names.exportedFunction ?? "signal";
  const lenName = names.resultLengthFunction ?? "signal_len";
  const allocName = names.allocFunction ?? "alloc";
  const alloc = fnExport(exports, allocName, true) as Fn;
  const signal = fnExport(exports, signalName, true) as Fn;
  const signalLen = fnExport(exports, lenName, true) as Fn;
  const dealloc = fnExport(exports, names.deallocFunction ?? "dealloc", false);
  const cap = options.memoryCapBytes;
  const guard = new CallGuard(exports, memory, cap);
  const fuelPerCall = options.fuelPerCall ?? 10_000_000;
  const maxOut = options.maxOutputBytes ?? 65_536;
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

  const call = (index: number, input: Uint8Array): unknown => {
    const at = `${signalName} (candle ${index})`;
    const n = input.length;
    const ptr = guard.call(`${allocName} (candle ${index})`, fuelPerCall, () => alloc(n));
    checkRegion(memory, ptr, n, allocName);
    new Uint8Array(memory.buffer, ptr, n).set(input);
    const out = guard.call(at, fuelPerCall, () => signal(ptr, n));
    const m = guard.call(lenName, fuelPerCall, () => signalLen());
    if (!Number.isInteger(m) || m <= 0 || m > maxOut) {
      throw new SandboxError(
        "output",
        `${lenName} returned ${m} after ${at}; expected an output length between 1 and ${maxOut} bytes`,
      );
    }
    checkRegion(memory, out, m, signalName);
    let text: string;
    try {
      text = decoder.decode(new Uint8Array(memory.buffer, out, m));
    } catch {
      throw new SandboxError("output", `${at} returned bytes that are not valid UTF-8`);
    }
    if (dealloc !== null) guard.call(`dealloc (candle ${index})`, fuelPerCall, () => dealloc(ptr, n));
    try {
      return JSON.parse(text);
    } catch {
      const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
      throw new SandboxError("output", `${at} returned invalid JSON: ${JSON.stringify(shown)}`);
    }
  };
  const input = new CandleJsonEncoder(options);
  return {
    slug: input.slug,
    minCandles: input.minCandles,
    lookbackCandles: input.lookbackCandles,
    usesPortfolio: input.usesPortfolio,
    onBar(i, bars, portfolio, out) {
      const bytes = input.next(i, bars, portfolio);
      if (bytes === null) return HOLD;
      const answer = call(i, bytes);
      try {
        return parseCandleDecision(answer, i, out);
      } catch (e) {
        if (e instanceof StrategyOutputError) throw new SandboxError("output", e.message);
        throw e;
      }
    },
    reset() {
      input.reset();
    },
  };
}
