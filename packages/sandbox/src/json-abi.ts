/**
 * Host side of the published JSON ABI (docs/compatibility.md#runtimes): one call per candle, inside the sandbox (never
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
  type ActionCode,
  type BarColumns,
  type BarStrategy,
  BUY,
  type Candle,
  type CandleInputSource,
  type CandleStrategyOptions,
  type DecisionSlot,
  formatIsoUtc,
  HOLD,
  type PortfolioView,
  parseCandleDecision,
  perCandleStrategy,
  resolveCandleStrategyOptions,
  SELL,
  StrategyOutputError,
} from "@quantago/strategies";
import { CandlePrinter, MAX_PRINTED_BARS } from "./candle-text.ts";
import { CallGuard, checkRegion } from "./columnar.ts";
import { SandboxError } from "./errors.ts";

/** Export names of the JSON ABI (defaults `signal`, `signal_len`, `alloc`, `dealloc`). */
export interface JsonAbiExportNames {
  exportedFunction?: string;
  resultLengthFunction?: string;
  allocFunction?: string;
  deallocFunction?: string;
}

/** Options of {@link CandleJsonEncoder}. */
export interface CandleJsonOptions extends CandleStrategyOptions {
  /**
   * The compiled candle printer (`candle-text.wasm`, see candle-text.ts): prints the candles about
   * three times faster than `JSON.stringify`, to the same bytes. Without it, `JSON.stringify` prints.
   */
  candleText?: WebAssembly.Module;
}

/** Options of {@link createJsonAbiStrategy}. */
export interface JsonAbiOptions extends CandleJsonOptions {
  names?: JsonAbiExportNames;
  /** A run fails once linear memory reaches this size. */
  memoryCapBytes: number;
  /** Metered modules only: loop iterations allowed per candle, for its four calls together; default 10,000,000. */
  fuelPerCandle?: number;
  /** A run fails once this much wall time has passed (see `CallGuard`); default none. */
  wallTimeMs?: number;
  /** Largest answer accepted, in bytes; default 64 KiB. */
  maxOutputBytes?: number;
}

type Fn = (...args: number[]) => number;

const utf8 = new TextEncoder();

/** `JSON.stringify(x)` for a number: the shortest round-trip text, `null` for NaN and ±Infinity. */
function jsonNumber(x: number): string {
  return Number.isFinite(x) ? String(x) : "null";
}

/** Writes ASCII `text` at `at`; returns the position after it. The caller guarantees the room. */
function writeAscii(out: Uint8Array, at: number, text: string): number {
  for (let k = 0; k < text.length; k++) out[at + k] = text.charCodeAt(k);
  return at + text.length;
}

/** `{"candle":` and `,"history":[` as bytes, written before the candle and before the history. */
const CANDLE_KEY = utf8.encode('{"candle":');
const HISTORY_KEY = utf8.encode(',"history":[');

/** Number of decimal digits of a non-negative integer (a bar index). */
function decimalDigits(v: number): number {
  let digits = 1;
  for (let bound = 10; v >= bound; bound *= 10) digits++;
  return digits;
}

/**
 * Bars formatted per batch: one JSON.stringify prints a batch's numbers without a string per number,
 * and one call of the candle printer prints a batch.
 */
const BATCH = MAX_PRINTED_BARS;

/**
 * The time every candle object carries into `JSON.stringify`: `formatIsoUtc` is 24 characters for
 * years 0–9999, so one shared string stands in for it and the digits are written into the bytes
 * afterwards (no string per bar). Other times are formatted as strings.
 */
const TIME_PLACEHOLDER = "0000-00-00T00:00:00.000Z";
/** Where the time's digits start inside a candle's text: after `{"time":"`. */
const TIME_OFFSET = 9;
const FIXED_MS_FROM = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
const FIXED_MS_TO = 253_402_300_800_000; // 10000-01-01T00:00:00.000Z
/** True when `formatIsoUtc(ms)` has the placeholder's width (years 0–9999). */
const fixedWidthTime = (ms: number) => ms >= FIXED_MS_FROM && ms < FIXED_MS_TO;

const DAY_MS = 86_400_000;
const DIGIT_0 = 0x30;

/**
 * Writes `formatIsoUtc(ms)` (a time in years 0–9999) as ASCII at `out[at]`, with formatIsoUtc's own
 * arithmetic; the date part (`YYYY-MM-DDT`) is formatted once per UTC day, as bars come in time order.
 */
class IsoDigits {
  private day = Number.NaN;
  private readonly date = new Uint8Array(11);

  write(out: Uint8Array, at: number, ms: number): void {
    const days = Math.floor(ms / DAY_MS);
    if (days !== this.day) {
      writeAscii(this.date, 0, formatIsoUtc(ms).slice(0, 11));
      this.day = days;
    }
    out.set(this.date, at);
    const rem = ms - days * DAY_MS;
    const h = Math.floor(rem / 3_600_000);
    const mi = Math.floor((rem % 3_600_000) / 60_000);
    const sec = Math.floor((rem % 60_000) / 1000);
    const milli = Math.floor(rem % 1000);
    // "HH:MM:SS.mmmZ" after the date's "T"; the colons, dot and Z are the placeholder's already.
    out[at + 11] = DIGIT_0 + ((h / 10) | 0);
    out[at + 12] = DIGIT_0 + (h % 10);
    out[at + 14] = DIGIT_0 + ((mi / 10) | 0);
    out[at + 15] = DIGIT_0 + (mi % 10);
    out[at + 17] = DIGIT_0 + ((sec / 10) | 0);
    out[at + 18] = DIGIT_0 + (sec % 10);
    out[at + 20] = DIGIT_0 + ((milli / 100) | 0);
    out[at + 21] = DIGIT_0 + (((milli / 10) | 0) % 10);
    out[at + 22] = DIGIT_0 + (milli % 10);
  }
}

/**
 * The JSON text of each candle (`{"time":...,"open":...,...,"volume":...}`, exactly
 * `JSON.stringify` of the adapter's candle object) as UTF-8 bytes, made `BATCH` bars at a time: one
 * `JSON.stringify` of the batch's candle objects costs far less per number than printing the numbers
 * one by one (no heap string per number: ~105 ns instead of 110-300 ns each in Node 22), and the
 * candles are cut out of the batch's text at their closing braces (the text of a candle has no other).
 * The candle objects are reused from batch to batch, and times in years 0–9999 are written as digits
 * into a placeholder, so a batch allocates little more than its text. With the candle printer, the
 * printer makes the batch's text instead (the same bytes), unless a time is not a whole millisecond
 * in years 0–9999.
 * Keyed by the bars object: columns are not expected to change while a run reads them.
 */
class CandleTextBatches {
  private readonly iso = new IsoDigits();
  private readonly objects: Candle[] = [];
  private bars: BarColumns | null = null;
  private from = 0;
  private to = 0;
  /**
   * The batch's text: `[` + candles joined by `,` + `]`. The printer's text region, or a buffer of
   * our own allocated by the first batch `JSON.stringify` prints.
   */
  bytes = new Uint8Array(0);
  /** `ends[k]` is the byte before candle k (the "[" or ","), so candle k is (ends[k], ends[k + 1]]. */
  private readonly ends = new Int32Array(BATCH + 1);
  private readonly printer: CandlePrinter | null;

  constructor(candleText: WebAssembly.Module | undefined) {
    this.printer = candleText === undefined ? null : new CandlePrinter(candleText);
  }

  /** Makes candle `i` of `bars` available in {@link bytes}; returns its start there ({@link endOf} its end). */
  startOf(bars: BarColumns, i: number): number {
    if (bars !== this.bars || i < this.from || i >= this.to) this.load(bars, i);
    return (this.ends[i - this.from] as number) + 1;
  }

  /** The end (exclusive) of candle `i` in {@link bytes}, after {@link startOf} of the same candle. */
  endOf(i: number): number {
    return this.ends[i - this.from + 1] as number;
  }

  private load(bars: BarColumns, from: number): void {
    const to = Math.min(bars.time.length, from + BATCH);
    const printed = this.printer === null ? -1 : this.printer.print(bars, from, to);
    if (printed >= 0 && this.printer !== null) {
      // The printer's own text region: read (appended to the history window) before its next call.
      this.bytes = this.printer.text;
      this.ends.set(this.printer.ends.subarray(0, to - from + 1));
    } else {
      this.stringify(bars, from, to);
    }
    this.bars = bars;
    this.from = from;
    this.to = to;
  }

  /** Prints bars `[from, to)` with one `JSON.stringify`, times in years 0–9999 as the placeholder. */
  private stringify(bars: BarColumns, from: number, to: number): void {
    const objects = this.objects;
    while (objects.length < to - from) {
      objects.push({ time: TIME_PLACEHOLDER, open: 0, high: 0, low: 0, close: 0, volume: 0 });
    }
    objects.length = to - from;
    for (let i = from; i < to; i++) {
      const t = bars.time[i] as number;
      const o = objects[i - from] as Candle;
      o.time = fixedWidthTime(t) ? TIME_PLACEHOLDER : formatIsoUtc(t);
      o.open = bars.open[i] as number;
      o.high = bars.high[i] as number;
      o.low = bars.low[i] as number;
      o.close = bars.close[i] as number;
      o.volume = bars.volume[i] as number;
    }
    // Every character is ASCII (numbers, ISO times, key names), so one byte per character.
    const text = JSON.stringify(objects);
    if (this.bytes === this.printer?.text || this.bytes.length < text.length) {
      this.bytes = new Uint8Array(Math.max(BATCH * 160, 2 * text.length));
    }
    utf8.encodeInto(text, this.bytes);
    this.ends[0] = 0;
    let at = 0;
    for (let k = 1; k <= to - from; k++) {
      at = text.indexOf("}", at + 1);
      this.ends[k] = at + 1;
    }
    for (let i = from; i < to; i++) {
      const t = bars.time[i] as number;
      if (fixedWidthTime(t)) this.iso.write(this.bytes, (this.ends[i - from] as number) + 1 + TIME_OFFSET, t);
    }
  }
}

/**
 * Produces the docs/compatibility.md#strategy-contract input JSON for bar after bar, byte-identical to `JSON.stringify(input)` of
 * the adapter's `CandleStrategyInput`, as UTF-8, with as little work per bar as the format allows:
 * - each candle is printed once (numbers as JSON.stringify prints them, no object, the date part of
 *   the time once per day) and appended to a byte window that always holds the history contiguously
 *   (`c1,c2,...`): sliding it drops the oldest candle by moving the window start, and the window is
 *   compacted to the front of its buffer once per `lookbackCandles` bars;
 * - everything after the history is constant within a run except the portfolio and the index: the
 *   bytes from `],"portfolio":` to `"index":` are re-encoded only when the portfolio changed (every
 *   bar only while a position is open, as its unrealized P&L moves), the index digits are written
 *   directly, and the rest is encoded once per run length.
 */
export class CandleJsonEncoder implements CandleInputSource<Uint8Array> {
  readonly slug: string;
  readonly minCandles: number;
  readonly lookbackCandles: number;
  readonly usesPortfolio: boolean;
  private readonly tail: string;
  private readonly parameters: string;
  private readonly candles: CandleTextBatches;
  /** The history window: candles separated by commas, in `window[windowStart, windowEnd)`. */
  private window: Uint8Array;
  private windowStart = 0;
  private windowEnd = 0;
  /** Start offset in `window` of each candle of the history, oldest first (a ring). */
  private readonly starts: Int32Array;
  private first = 0;
  private filled = 0;
  private seen = 0;
  private out = new Uint8Array(16_384);
  // `],"portfolio":{...},"parameters":{...},"context":{"index":` for the portfolio last seen.
  private middle: Uint8Array = new Uint8Array(0);
  private middleKey: number[] = [];
  // `,"totalCandles":N,"timeframe":...}}` for the run length last seen.
  private end: Uint8Array = new Uint8Array(0);
  private endTotal = -1;

  constructor(options: CandleJsonOptions) {
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
    // Everything after "totalCandles": constant for a run.
    this.tail = `,"timeframe":${JSON.stringify(options.timeframe ?? "")},"strategy":${JSON.stringify(identity)}}}`;
    this.parameters = JSON.stringify(options.parameters ?? {});
    this.starts = new Int32Array(lookback);
    this.candles = new CandleTextBatches(options.candleText);
    this.window = new Uint8Array(Math.max(4096, 2 * lookback * 160));
  }

  /** Appends `src[from, to)`, a candle's bytes, to the window (compacting or growing it first when needed); returns its start. */
  private append(src: Uint8Array, from: number, to: number): number {
    const need = to - from + 1;
    if (this.windowEnd + need > this.window.length) {
      const live = this.windowEnd - this.windowStart;
      const target = live + need > this.window.length / 2 ? new Uint8Array(2 * (live + need)) : this.window;
      if (target === this.window) this.window.copyWithin(0, this.windowStart, this.windowEnd);
      else target.set(this.window.subarray(this.windowStart, this.windowEnd), 0);
      const shift = this.windowStart;
      for (let j = 0; j < this.filled; j++) {
        const s = (this.first + j) % this.lookbackCandles;
        this.starts[s] = (this.starts[s] as number) - shift;
      }
      this.window = target;
      this.windowStart = 0;
      this.windowEnd = live;
    }
    if (this.windowEnd > this.windowStart) this.window[this.windowEnd++] = 0x2c;
    const start = this.windowEnd;
    this.window.set(src.subarray(from, to), start);
    this.windowEnd = start + to - from;
    return start;
  }

  private reserve(bytes: number): Uint8Array {
    if (this.out.length < bytes) this.out = new Uint8Array(Math.max(2 * this.out.length, bytes));
    return this.out;
  }

  /** The bytes from `],"portfolio":` through `"index":` for portfolio `p` at close `close`. */
  private middleFor(p: PortfolioView, close: number): Uint8Array {
    const pos = p.position;
    const key = this.middleKey;
    if (
      key.length === 7 &&
      Object.is(key[0], p.cash) &&
      Object.is(key[1], p.equity) &&
      Object.is(key[2], pos) &&
      Object.is(key[3], p.entryPrice) &&
      Object.is(key[4], p.entryTime) &&
      Object.is(key[5], p.lastEntryTime) &&
      (pos === 0 || Object.is(key[6], close))
    ) {
      return this.middle;
    }
    const open =
      pos === 0
        ? "null"
        : `{"type":"${pos > 0 ? "BUY" : "SELL"}","entryPrice":${jsonNumber(p.entryPrice)},` +
          `"entryTime":"${formatIsoUtc(p.entryTime)}","size":${jsonNumber(Math.abs(pos))},` +
          `"unrealizedPnl":${jsonNumber((close - p.entryPrice) * pos)}}`;
    const lastTradeAt = Number.isNaN(p.lastEntryTime) ? "null" : `"${formatIsoUtc(p.lastEntryTime)}"`;
    this.middle = utf8.encode(
      `],"portfolio":{"cash":${jsonNumber(p.cash)},"equity":${jsonNumber(p.equity)},` +
        `"openPosition":${open},"lastTradeAt":${lastTradeAt}},"parameters":${this.parameters},` +
        `"context":{"index":`,
    );
    this.middleKey = [p.cash, p.equity, pos, p.entryPrice, p.entryTime, p.lastEntryTime, close];
    return this.middle;
  }

  // The input prepared by `prepare`, written by `writeTo`.
  private candleStart = 0;
  private candleLength = 0;
  private index = 0;
  private indexDigits = 1;
  private length = 0;

  /**
   * Records bar `i` and prepares its input JSON; returns its length in UTF-8 bytes, or null while
   * fewer than `minCandles` bars were seen. {@link writeTo} then writes it: the JSON ABI host writes
   * it straight into the module's input buffer, which `alloc` returns only once the length is known.
   */
  prepare(i: number, bars: BarColumns, p: PortfolioView): number | null {
    const close = bars.close[i] as number;
    const candles = this.candles;
    const from = candles.startOf(bars, i);
    const to = candles.endOf(i);
    const k = this.lookbackCandles;
    if (this.filled === k) {
      // Drop the oldest candle: the window now starts at the second one.
      this.first = this.first + 1 === k ? 0 : this.first + 1;
      this.filled--;
      this.windowStart = this.filled > 0 ? (this.starts[this.first] as number) : this.windowEnd;
    }
    const start = this.append(candles.bytes, from, to);
    const slot = (this.first + this.filled) % k;
    this.starts[slot] = start;
    this.filled++;
    this.seen++;
    if (this.seen < this.minCandles) return null;

    this.middle = this.middleFor(p, close);
    const total = bars.time.length;
    if (total !== this.endTotal) {
      this.end = utf8.encode(`,"totalCandles":${total}${this.tail}`);
      this.endTotal = total;
    }
    this.candleStart = start;
    this.candleLength = to - from;
    this.index = i;
    this.indexDigits = decimalDigits(i);
    this.length =
      CANDLE_KEY.length +
      this.candleLength +
      HISTORY_KEY.length +
      (this.windowEnd - this.windowStart) +
      this.middle.length +
      this.indexDigits +
      this.end.length;
    return this.length;
  }

  /** Writes the input last prepared (its length as {@link prepare} returned) at `target[at]`. */
  writeTo(target: Uint8Array, at: number): void {
    const window = this.window;
    target.set(CANDLE_KEY, at);
    let to = at + CANDLE_KEY.length;
    target.set(window.subarray(this.candleStart, this.candleStart + this.candleLength), to);
    to += this.candleLength;
    target.set(HISTORY_KEY, to);
    to += HISTORY_KEY.length;
    target.set(window.subarray(this.windowStart, this.windowEnd), to);
    to += this.windowEnd - this.windowStart;
    target.set(this.middle, to);
    to += this.middle.length + this.indexDigits;
    // The index's digits, last first (no string per call).
    for (let v = this.index, k = 1; k <= this.indexDigits; k++) {
      const q = (v / 10) | 0; // bar indices are below 2^31
      target[to - k] = DIGIT_0 + v - 10 * q;
      v = q;
    }
    target.set(this.end, to);
  }

  /**
   * Records bar `i`; returns the input JSON as UTF-8 (a view valid until the next call), or null
   * while fewer than `minCandles` bars were seen.
   */
  next(i: number, bars: BarColumns, p: PortfolioView): Uint8Array | null {
    const length = this.prepare(i, bars, p);
    if (length === null) return null;
    const out = this.reserve(length);
    this.writeTo(out, 0);
    return out.subarray(0, length);
  }

  /** Forgets all bars. */
  reset(): void {
    this.first = 0;
    this.filled = 0;
    this.seen = 0;
    this.windowStart = 0;
    this.windowEnd = 0;
  }
}

const PLAIN_ANSWERS: ReadonlyArray<readonly [Uint8Array, ActionCode]> = [
  [utf8.encode('{"action":"HOLD"}'), HOLD],
  [utf8.encode('{"action":"BUY"}'), BUY],
  [utf8.encode('{"action":"SELL"}'), SELL],
];

/** The action when `[out, out + m)` is exactly `{"action":"HOLD"|"BUY"|"SELL"}`, else -1. */
function plainAnswer(memory: Uint8Array, out: number, m: number): ActionCode | -1 {
  for (const [bytes, action] of PLAIN_ANSWERS) {
    if (bytes.length !== m) continue;
    let k = 0;
    while (k < m && memory[out + k] === bytes[k]) k++;
    if (k === m) return action;
  }
  return -1;
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
  const guard = new CallGuard(exports, memory, cap, options.wallTimeMs);
  const fuelPerCandle = options.fuelPerCandle ?? 10_000_000;
  const maxOut = options.maxOutputBytes ?? 65_536;
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  const encoder = new CandleJsonEncoder(options);
  const view = (): Uint8Array => guard.memoryBytes();
  /** `checkRegion` against the guard's view, reading `memory.buffer` only to report a failure. */
  const checkInMemory = (ptr: number, n: number, what: string): void => {
    if (!(Number.isInteger(ptr) && ptr > 0 && ptr + n <= view().length)) checkRegion(memory, ptr, n, what);
  };
  // Labels are built only when a call fails (`index` is the candle in progress).
  let index = 0;
  const allocAt = () => `${allocName} (candle ${index})`;
  const signalAt = () => `${signalName} (candle ${index})`;
  const deallocAt = () => `dealloc (candle ${index})`;
  const lenAt = () => lenName;

  // Length of the answer of the last `call`.
  let m = 0;

  /**
   * Allocates the prepared input's `n` bytes in the module, writes the input there straight from the
   * encoder (no staging copy), calls `signal`; returns where the answer is (its length in `m`).
   */
  const call = (n: number): number => {
    // One fuel budget for the candle's calls together (arming the meter is a call into the engine).
    const ptr = guard.invoke(allocAt, fuelPerCandle, alloc, n);
    checkInMemory(ptr, n, allocName);
    encoder.writeTo(view(), ptr);
    const out = guard.invoke(signalAt, null, signal, ptr, n);
    m = guard.invoke(lenAt, null, signalLen);
    if (!Number.isInteger(m) || m <= 0 || m > maxOut) {
      throw new SandboxError(
        "output",
        `${lenName} returned ${m} after ${signalAt()}; expected an output length between 1 and ${maxOut} bytes`,
      );
    }
    checkInMemory(out, m, signalName);
    if (dealloc !== null) guard.invoke(deallocAt, null, dealloc, ptr, n);
    return out;
  };

  /** The general path: decode, parse and validate the answer like every per-candle strategy's. */
  const decide = (out: number, m: number, slot: DecisionSlot): ActionCode => {
    let text: string;
    try {
      text = decoder.decode(view().subarray(out, out + m));
    } catch {
      throw new SandboxError("output", `${signalAt()} returned bytes that are not valid UTF-8`);
    }
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
      throw new SandboxError("output", `${signalAt()} returned invalid JSON: ${JSON.stringify(shown)}`);
    }
    try {
      return parseCandleDecision(answer, index, slot);
    } catch (e) {
      if (e instanceof StrategyOutputError) throw new SandboxError("output", e.message);
      throw e;
    }
  };

  // The encoder as the strategy's input source: an input is its length, written in by `call`.
  const source: CandleInputSource<number> = {
    slug: encoder.slug,
    minCandles: encoder.minCandles,
    lookbackCandles: encoder.lookbackCandles,
    usesPortfolio: encoder.usesPortfolio,
    next: (i, bars, p) => encoder.prepare(i, bars, p),
    reset: () => encoder.reset(),
  };
  return perCandleStrategy(source, (length, i, slot) => {
    index = i;
    const out = call(length);
    // Fast path for the three plain answers, exactly what parseCandleDecision makes of them.
    const action = plainAnswer(view(), out, m);
    if (action !== -1) {
      slot.size = Number.NaN;
      slot.reason = null;
      slot.metadata = null;
      return action;
    }
    return decide(out, m, slot);
  });
}
