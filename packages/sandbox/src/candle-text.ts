/**
 * The JSON ABI host's candle printer: `assembly/candle-text`, compiled by scripts/build.mjs into
 * `candle-text.wasm` (the child's module of that name; `@quantago/sandbox/candle-text-module` holds
 * its bytes for the API and for Node). It prints a batch of candles as exactly the text
 * `JSON.stringify` gives for the candle objects, about three times faster than V8 does: printing the
 * prices was most of the host's time per candle.
 *
 * @module
 */

import type { BarColumns } from "@quantago/strategies";

/** Most bars one {@link CandlePrinter.print} call takes. */
export const MAX_PRINTED_BARS = 512;

interface CandleTextExports {
  memory: WebAssembly.Memory;
  MAX_BARS: WebAssembly.Global;
  inputPtr(): number;
  endsPtr(): number;
  textPtr(): number;
  printCandles(n: number): number;
  printNumber(x: number): number;
}

/** One instance of the printer; its output is valid until the next call. */
export class CandlePrinter {
  private readonly exports: CandleTextExports;
  private readonly input: Float64Array;
  /** `ends[0..n]` of the last batch: ends[0] = 0 (the "["), ends[k + 1] = the byte after candle k. */
  readonly ends: Int32Array<ArrayBuffer>;
  /** The module's text region: the last batch's text starts at index 0. */
  readonly text: Uint8Array<ArrayBuffer>;

  constructor(module: WebAssembly.Module) {
    this.exports = new WebAssembly.Instance(module, {}).exports as unknown as CandleTextExports;
    if (this.exports.MAX_BARS.value !== MAX_PRINTED_BARS) {
      throw new Error(
        `candle-text.wasm takes ${this.exports.MAX_BARS.value} bars a call, not ${MAX_PRINTED_BARS}`,
      );
    }
    const buffer = this.exports.memory.buffer; // the module never grows its memory
    this.input = new Float64Array(buffer, this.exports.inputPtr(), 6 * MAX_PRINTED_BARS);
    this.ends = new Int32Array(buffer, this.exports.endsPtr(), MAX_PRINTED_BARS + 1);
    this.text = new Uint8Array(buffer, this.exports.textPtr());
  }

  /**
   * Prints bars `[from, to)` (at most {@link MAX_PRINTED_BARS}) as `[candle,candle,...]` into
   * {@link text}; returns the text's length, or -1 when a time is not a whole millisecond in years
   * 0–9999 (the caller prints that batch itself).
   */
  print(bars: BarColumns, from: number, to: number): number {
    const n = to - from;
    if (n < 1 || n > MAX_PRINTED_BARS)
      throw new RangeError(`print takes 1 to ${MAX_PRINTED_BARS} bars, got ${n}`);
    const columns = [bars.time, bars.open, bars.high, bars.low, bars.close, bars.volume];
    for (let c = 0; c < 6; c++) this.input.set((columns[c] as Float64Array).subarray(from, to), c * n);
    return this.exports.printCandles(n);
  }

  /** `JSON.stringify(x)` as the module prints it (for tests). */
  number(x: number): string {
    const length = this.exports.printNumber(x);
    return new TextDecoder().decode(this.text.subarray(0, length));
  }
}
