/**
 * Decoding of the bar query's RowBinary output straight into typed arrays. RowBinary is ClickHouse's
 * plainest binary format: rows back to back, each column in its native little-endian layout, no
 * header. The bar query (query/sql.ts) returns six Float64 columns, so a row is 48 bytes, always.
 */

/** Bars as columns, the shape the engine consumes (`BarColumns` of `@quantago/strategies`). */
export interface ColumnarBars {
  /** Bar (bucket) start, Unix milliseconds UTC. */
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  /** Number of bars; every array has exactly this length. */
  count: number;
}

/** Bytes per row: t, o, h, l, c, v as Float64. */
export const BAR_ROW_BYTES = 48;

const INITIAL_CAPACITY = 1024;

/**
 * Incremental RowBinary bar decoder: `push` the response chunks as they arrive, then `finish`. A row may
 * be split across chunks at any byte; the split part waits in a 48-byte carry buffer. Memory stays at
 * the growing columns plus one chunk: the response is never concatenated.
 *
 * @example
 * const decoder = new RowBinaryBarDecoder();
 * for await (const chunk of stream) decoder.push(chunk);
 * const bars = decoder.finish(); // { time: Float64Array, ..., count }
 */
export class RowBinaryBarDecoder {
  private capacity: number;
  private count = 0;
  private time: Float64Array;
  private open: Float64Array;
  private high: Float64Array;
  private low: Float64Array;
  private close: Float64Array;
  private volume: Float64Array;
  private readonly carry = new Uint8Array(BAR_ROW_BYTES);
  private readonly carryView = new DataView(this.carry.buffer);
  private carried = 0;

  /** @param expectedRows initial capacity; the columns grow by doubling beyond it */
  constructor(expectedRows = INITIAL_CAPACITY) {
    this.capacity = Math.max(1, Math.floor(expectedRows));
    this.time = new Float64Array(this.capacity);
    this.open = new Float64Array(this.capacity);
    this.high = new Float64Array(this.capacity);
    this.low = new Float64Array(this.capacity);
    this.close = new Float64Array(this.capacity);
    this.volume = new Float64Array(this.capacity);
  }

  /** Rows decoded so far. */
  get rows(): number {
    return this.count;
  }

  /** Decodes every complete row in `chunk` (plus the row completed from the previous chunk). */
  push(chunk: Uint8Array): void {
    let offset = 0;
    if (this.carried > 0) {
      const take = Math.min(BAR_ROW_BYTES - this.carried, chunk.length);
      this.carry.set(chunk.subarray(0, take), this.carried);
      this.carried += take;
      offset = take;
      if (this.carried < BAR_ROW_BYTES) return;
      this.reserve(1);
      this.decodeRow(this.carryView, 0);
      this.carried = 0;
    }
    const rows = Math.floor((chunk.length - offset) / BAR_ROW_BYTES);
    if (rows > 0) {
      this.reserve(rows);
      const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      const end = offset + rows * BAR_ROW_BYTES;
      for (; offset < end; offset += BAR_ROW_BYTES) this.decodeRow(view, offset);
    }
    const rest = chunk.length - offset;
    if (rest > 0) {
      this.carry.set(chunk.subarray(offset), 0);
      this.carried = rest;
    }
  }

  /**
   * The decoded columns, each exactly `count` long (at most `maxRows` when given). Throws when the
   * input stopped inside a row: a truncated or corrupted response must not pass as fewer bars.
   */
  finish(maxRows = Number.POSITIVE_INFINITY): ColumnarBars {
    if (this.carried !== 0) {
      throw new Error(
        `RowBinary bar stream ended inside a row (${this.carried} of ${BAR_ROW_BYTES} bytes): response truncated or not the bar query`,
      );
    }
    const count = Math.min(this.count, maxRows);
    // Exact-length copies: a view into a larger buffer would carry the slack along whenever the
    // columns are transferred or structured-cloned (e.g. into the WASM sandbox over RPC).
    const fit = (column: Float64Array) => (column.length === count ? column : column.slice(0, count));
    return {
      time: fit(this.time),
      open: fit(this.open),
      high: fit(this.high),
      low: fit(this.low),
      close: fit(this.close),
      volume: fit(this.volume),
      count,
    };
  }

  private decodeRow(view: DataView, at: number): void {
    const i = this.count++;
    this.time[i] = view.getFloat64(at, true);
    this.open[i] = view.getFloat64(at + 8, true);
    this.high[i] = view.getFloat64(at + 16, true);
    this.low[i] = view.getFloat64(at + 24, true);
    this.close[i] = view.getFloat64(at + 32, true);
    this.volume[i] = view.getFloat64(at + 40, true);
  }

  private reserve(rows: number): void {
    const needed = this.count + rows;
    if (needed <= this.capacity) return;
    let capacity = this.capacity * 2;
    while (capacity < needed) capacity *= 2;
    const grow = (column: Float64Array) => {
      const next = new Float64Array(capacity);
      next.set(column.subarray(0, this.count));
      return next;
    };
    this.time = grow(this.time);
    this.open = grow(this.open);
    this.high = grow(this.high);
    this.low = grow(this.low);
    this.close = grow(this.close);
    this.volume = grow(this.volume);
    this.capacity = capacity;
  }
}

/**
 * Decodes a complete RowBinary bar response given as chunks.
 *
 * @example
 * const bars = decodeBarsRowBinary([bytesPart1, bytesPart2]);
 * bars.count; // rows in both parts
 */
export function decodeBarsRowBinary(chunks: Iterable<Uint8Array>): ColumnarBars {
  const decoder = new RowBinaryBarDecoder();
  for (const chunk of chunks) decoder.push(chunk);
  return decoder.finish();
}
