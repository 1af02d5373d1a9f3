import { isRepresentableTime, REPRESENTABLE_TIME, REPRESENTABLE_TIME_TEXT } from "@quantago/contracts";
import type { ColumnarBars } from "../columnar/rowbinary.ts";
import { bucketStart, type Timeframe } from "../timeframes.ts";

/** One problem found in a CSV row. `line` is the 1-based line number in the file (the header is 1). */
export interface CsvRejection {
  line: number;
  /** The column at fault, when one is. */
  column?: string;
  /** Stable reason code (see {@link CsvRejectionCode}). */
  code: CsvRejectionCode;
  /** What is wrong, for people. */
  reason: string;
}

export type CsvRejectionCode =
  | "field_count"
  | "bad_time"
  | "nul_byte"
  | "time_mismatch"
  | "not_aligned"
  | "not_a_number"
  | "negative"
  | "high_below_low"
  | "high_below_open_close"
  | "low_above_open_close"
  | "duplicate_time"
  | "unsorted";

export interface CsvReport {
  /** Data rows read (blank lines excluded). */
  rowsTotal: number;
  rowsAccepted: number;
  rowsRejected: number;
  /** The first `maxReported` problems, in file order. */
  rejected: CsvRejection[];
  /** Problems by code, over the whole file (also those beyond `maxReported`). */
  reasonCounts: Partial<Record<CsvRejectionCode, number>>;
  /** The header as read (lower-cased, trimmed). */
  columns: string[];
}

/** The accepted rows, in the same columnar shape the read path returns. */
export type ParsedBars = ColumnarBars;

/** The header is unusable (missing, unknown or repeated columns): nothing below it can be read. */
export class CsvHeaderError extends Error {
  override readonly name = "CsvHeaderError";
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`CSV header rejected: ${problems.join("; ")}`);
    this.problems = problems;
  }
}

/** The file has more data rows than the parser may hold. */
export class CsvTooLargeError extends Error {
  override readonly name = "CsvTooLargeError";
  readonly maxRows: number;
  constructor(maxRows: number) {
    super(`CSV has more than ${maxRows} data rows; split the file`);
    this.maxRows = maxRows;
  }
}

/** Columns the upload understands; `timestamp` and/or `datetime` give the bar's open time. */
export const CSV_COLUMNS = ["timestamp", "datetime", "open", "high", "low", "close", "volume"] as const;
const PRICE_COLUMNS = ["open", "high", "low", "close"] as const;

export interface CsvBarParserOptions {
  /** Bar size: every time must be the start of a bar of this size (UTC; weeks start Monday). */
  timeframe: Timeframe;
  /** Most data rows accepted; more is a {@link CsvTooLargeError}. Default 1,500,000. */
  maxRows?: number;
  /** Initial column capacity (e.g. estimated from Content-Length), to avoid regrowing. */
  expectedRows?: number;
  /** Most problems listed in the report (all are counted). Default 100. */
  maxReported?: number;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Unix ms of an ISO-8601 date or date-time (`2024-01-02`, `2024-01-02T03:04:05.678Z`,
 * `2024-01-02 03:04`); without an offset the time is UTC. NaN when malformed or impossible (Feb 30).
 */
export function parseIsoUtc(text: string): number {
  const m = ISO.exec(text);
  if (!m) return Number.NaN;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4] ?? 0);
  const minute = Number(m[5] ?? 0);
  const second = Number(m[6] ?? 0);
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  if (day > utcMs(year, month, 0)) return Number.NaN;
  let t = utcMs(year, month - 1, day, hour, minute, second, ms);
  const zone = m[8];
  if (zone && zone.toUpperCase() !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return t;
}

/**
 * `Date.UTC` that reads every year as itself: `Date.UTC` maps years 0–99 to 1900–1999, which would
 * turn `0000-01-01` into a plausible 1900 date. With `day` 0 of the next month it returns the last
 * day of `month` (via the Date's day of month), which is how the calendar check uses it.
 */
function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  if (day === 0) return date.getUTCDate();
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

/** Unix ms of a `timestamp` cell (whole Unix milliseconds, or ISO); NaN plus a reason when not. */
function parseTimestampCell(text: string): { t: number; why?: string } {
  if (/^-?\d+$/.test(text)) {
    const t = Number(text);
    if (!Number.isSafeInteger(t)) return { t: Number.NaN, why: `timestamp ${text} is out of range` };
    if (Math.abs(t) < 100_000_000_000) {
      return {
        t: Number.NaN,
        why: `timestamp ${text} looks like Unix seconds; the column takes Unix milliseconds or ISO-8601`,
      };
    }
    if (!isRepresentableTime(t)) return { t: Number.NaN, why: `timestamp ${text} ${OUTSIDE_RANGE}` };
    return { t };
  }
  const t = parseIsoUtc(text);
  if (Number.isNaN(t))
    return { t, why: `timestamp '${clip(text)}' is neither Unix milliseconds nor an ISO-8601 date-time` };
  if (!isRepresentableTime(t)) return { t: Number.NaN, why: `timestamp '${clip(text)}' ${OUTSIDE_RANGE}` };
  return { t };
}

const OUTSIDE_RANGE = `is outside the storable range ${REPRESENTABLE_TIME_TEXT}`;

/**
 * A cell's text for a message: at most 40 characters, control characters escaped. The report is
 * stored in PostgreSQL, whose text and JSONB refuse NUL, and shown to people, whom other control
 * characters would only confuse.
 */
function clip(text: string): string {
  const short = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return short.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROL = /[\u0000-\u001f\u007f]/g;

/** A number in decimal notation: what `Number` reads minus hex/binary/octal, `Infinity` and empty. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Streaming CSV reader for bar uploads: feed it the body's chunks with `push`, then `finish`. It keeps
 * the accepted rows in typed arrays (48 bytes a row), never the text, and checks every row:
 * field count, a parsable time (both columns agreeing when both are present) aligned to the timeframe,
 * numeric non-negative prices and volume, `low ≤ open, close ≤ high`, and strictly ascending times (a
 * time equal to the previous accepted row's is a duplicate, an earlier one is out of order).
 *
 * @example
 * const parser = new CsvBarParser({ timeframe: "1m" });
 * for await (const chunk of request.body) parser.push(chunk);
 * const { bars, report } = parser.finish();
 */
export class CsvBarParser {
  private readonly timeframe: Timeframe;
  private readonly maxRows: number;
  private readonly maxReported: number;
  /** Decodes one line at a time (see {@link decodeLine}). */
  private readonly decoder = new TextDecoder("utf-8");
  /** Bytes of the unfinished last line, in the pieces they arrived in. */
  private carry: Uint8Array[] = [];
  private lineNo = 0;
  /** Field values of the row being read by the fast path. */
  private values = new Float64Array(8);
  private header: string[] | null = null;
  private index: Record<(typeof CSV_COLUMNS)[number], number> | null = null;
  private capacity: number;
  private count = 0;
  private cols: Omit<ParsedBars, "count">;
  private lastTime = Number.NEGATIVE_INFINITY;
  private lastLine = 0;
  private readonly report: CsvReport = {
    rowsTotal: 0,
    rowsAccepted: 0,
    rowsRejected: 0,
    rejected: [],
    reasonCounts: {},
    columns: [],
  };

  constructor(options: CsvBarParserOptions) {
    this.timeframe = options.timeframe;
    this.maxRows = options.maxRows ?? 1_500_000;
    this.maxReported = options.maxReported ?? 100;
    this.capacity = Math.max(16, Math.min(this.maxRows, Math.floor(options.expectedRows ?? 1024)));
    this.cols = this.allocate(this.capacity);
  }

  /** Data rows accepted so far. */
  get rowsAccepted(): number {
    return this.count;
  }

  push(chunk: Uint8Array): void {
    let start = 0;
    if (this.carry.length > 0) {
      const nl = chunk.indexOf(10);
      if (nl === -1) {
        this.carry.push(chunk.slice());
        return;
      }
      this.carry.push(chunk.subarray(0, nl));
      const line = concat(this.carry);
      this.carry = [];
      this.line(line, 0, line.length);
      start = nl + 1;
    }
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) break;
      this.line(chunk, start, nl);
      start = nl + 1;
    }
    // A copy: the caller may reuse the chunk's memory.
    if (start < chunk.length) this.carry.push(chunk.slice(start));
  }

  finish(): { bars: ParsedBars; report: CsvReport } {
    if (this.carry.length > 0) {
      const rest = concat(this.carry);
      this.carry = [];
      this.line(rest, 0, rest.length);
    }
    if (this.header === null) throw new CsvHeaderError(["the file is empty: expected a header row"]);
    const n = this.count;
    // A view, not a copy: copying 48 bytes a row costs more than the unused capacity it would free.
    const fit = (c: Float64Array) => (c.length === n ? c : c.subarray(0, n));
    const bars: ParsedBars = {
      time: fit(this.cols.time),
      open: fit(this.cols.open),
      high: fit(this.cols.high),
      low: fit(this.cols.low),
      close: fit(this.cols.close),
      volume: fit(this.cols.volume),
      count: n,
    };
    this.report.rowsAccepted = n;
    return { bars, report: this.report };
  }

  /**
   * One line, bytes `[start, end)` of `bytes` without its `\n`. Lines are split on the byte 0x0a, which
   * never occurs inside a multi-byte UTF-8 character, so decoding a line on its own reads the same text
   * as decoding the whole stream. A plain data row is read straight from the bytes ({@link fastRow});
   * anything else (header, blank line, quotes, ISO times, any problem) is decoded and read as text.
   */
  private line(bytes: Uint8Array, start: number, end: number): void {
    this.lineNo++;
    if (end > start && bytes[end - 1] === 13) end--; // \r\n
    if (this.lineNo === 1 && bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf)
      start += 3; // UTF-8 byte order mark
    if (this.header !== null && this.fastRow(bytes, start, end)) return;
    let raw = decodeLine(this.decoder, bytes, start, end);
    if (this.lineNo === 1 && raw.charCodeAt(0) === 0xfeff) raw = raw.slice(1);
    if (this.header === null) {
      if (raw.trim() === "") return;
      this.readHeader(raw);
      return;
    }
    if (raw.trim() === "") return;
    this.row(raw);
  }

  /**
   * The fast path for a well-formed row: unquoted plain decimals (below), a `timestamp` of whole Unix
   * ms (no `datetime` column), and a row that passes every check. It accepts the
   * row and returns true, or returns false having changed nothing, and the row is read by {@link row},
   * which reports precisely what is wrong (or accepts exotic but valid forms such as `1e3`).
   */
  private fastRow(bytes: Uint8Array, start: number, end: number): boolean {
    const idx = this.index as NonNullable<typeof this.index>;
    if (idx.datetime >= 0) return false;
    const fieldCount = (this.header as string[]).length;
    let values = this.values;
    if (values.length < fieldCount) values = this.values = new Float64Array(fieldCount);
    // One pass: each field's value when it is a plain decimal, NaN when it is not. A plain decimal has
    // digits, at most one `.`, and at most 15 digits in all: then the digits form an exact integer
    // below 2^53 and 10^decimals is exact, so the one rounding of the division yields the correctly
    // rounded value, the same double as `Number(text)`.
    let field = 0;
    let mantissa = 0;
    let digits = 0;
    let decimals = -1;
    let plain = true;
    for (let p = start; p <= end; p++) {
      const b = p === end ? 44 : (bytes[p] as number);
      if (b >= 48 && b <= 57) {
        mantissa = mantissa * 10 + (b - 48);
        digits++;
        if (decimals >= 0) decimals++;
      } else if (b === 44) {
        if (field === fieldCount) return false;
        let value = Number.NaN;
        // A timestamp must be digits only: "…000.0" is not whole Unix ms to row() either.
        if (plain && digits > 0 && digits <= 15 && (decimals < 0 || field !== idx.timestamp))
          value = decimals > 0 ? mantissa / (POW10[decimals] as number) : mantissa;
        values[field] = value;
        field++;
        mantissa = 0;
        digits = 0;
        decimals = -1;
        plain = true;
      } else if (b === 46 && decimals < 0) {
        decimals = 0;
      } else {
        plain = false;
      }
    }
    if (field !== fieldCount) return false;
    const t = values[idx.timestamp] as number;
    if (!(t >= REPRESENTABLE_TIME.fromMs && t < REPRESENTABLE_TIME.toMs) || !Number.isInteger(t))
      return false;
    const o = values[idx.open] as number;
    const h = values[idx.high] as number;
    const l = values[idx.low] as number;
    const c = values[idx.close] as number;
    const v = values[idx.volume] as number;
    // NaN (not a plain decimal) fails every comparison below, so such rows take the slow path.
    if (!(v >= 0 && l <= o && l <= c && h >= o && h >= c)) return false;
    if (!(t > this.lastTime) || this.count >= this.maxRows) return false;
    if (bucketStart(t, this.timeframe) !== t) return false;
    this.report.rowsTotal++;
    this.append(t, o, h, l, c, v);
    return true;
  }

  /** Stores an accepted row (both parsing paths end here). */
  private append(t: number, o: number, h: number, l: number, c: number, v: number): void {
    if (this.count === this.capacity) this.grow();
    const i = this.count++;
    this.cols.time[i] = t;
    this.cols.open[i] = o;
    this.cols.high[i] = h;
    this.cols.low[i] = l;
    this.cols.close[i] = c;
    this.cols.volume[i] = v;
    this.lastTime = t;
    this.lastLine = this.lineNo;
  }

  private readHeader(raw: string): void {
    const names = raw.split(",").map((n) => unquote(n).trim().toLowerCase());
    this.report.columns = names;
    const problems: string[] = [];
    const index: Record<string, number> = {};
    names.forEach((name, i) => {
      if (!(CSV_COLUMNS as readonly string[]).includes(name)) {
        problems.push(
          name === ""
            ? `column ${i + 1} has no name`
            : `unknown column '${clip(name)}' (accepted: ${CSV_COLUMNS.join(", ")})`,
        );
      } else if (index[name] !== undefined) {
        problems.push(`column '${name}' appears twice`);
      } else {
        index[name] = i;
      }
    });
    const missing = [...PRICE_COLUMNS, "volume"].filter((c) => index[c] === undefined);
    if (missing.length > 0)
      problems.push(`missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);
    if (index.timestamp === undefined && index.datetime === undefined)
      problems.push("missing a time column: timestamp (Unix ms or ISO-8601) or datetime (UTC)");
    if (problems.length > 0) throw new CsvHeaderError(problems);
    this.header = names;
    this.index = {
      timestamp: index.timestamp ?? -1,
      datetime: index.datetime ?? -1,
      open: index.open ?? -1,
      high: index.high ?? -1,
      low: index.low ?? -1,
      close: index.close ?? -1,
      volume: index.volume ?? -1,
    };
  }

  private reject(code: CsvRejectionCode, reason: string, column?: string): void {
    this.report.reasonCounts[code] = (this.report.reasonCounts[code] ?? 0) + 1;
    if (this.report.rejected.length < this.maxReported) {
      this.report.rejected.push({ line: this.lineNo, code, reason, ...(column ? { column } : {}) });
    }
  }

  private row(raw: string): void {
    const header = this.header as string[];
    const idx = this.index as NonNullable<typeof this.index>;
    this.report.rowsTotal++;
    const fields = raw.split(",");
    if (fields.length !== header.length) {
      this.reject("field_count", `expected ${header.length} fields, got ${fields.length}`);
      this.report.rowsRejected++;
      return;
    }
    if (raw.includes("\u0000")) {
      const at = fields.findIndex((f) => f.includes("\u0000"));
      const column = header[at] as string;
      this.reject("nul_byte", `${column} holds a NUL byte (\\u0000)`, column);
      this.report.rowsRejected++;
      return;
    }
    let ok = true;
    let t = Number.NaN;
    if (idx.timestamp >= 0) {
      const parsed = parseTimestampCell(unquote(fields[idx.timestamp] as string).trim());
      if (parsed.why) {
        this.reject("bad_time", parsed.why, "timestamp");
        ok = false;
      } else t = parsed.t;
    }
    if (idx.datetime >= 0) {
      const text = unquote(fields[idx.datetime] as string).trim();
      const dt = parseIsoUtc(text);
      if (Number.isNaN(dt)) {
        this.reject("bad_time", `datetime '${clip(text)}' is not an ISO-8601 UTC date-time`, "datetime");
        ok = false;
      } else if (!isRepresentableTime(dt)) {
        this.reject("bad_time", `datetime '${clip(text)}' ${OUTSIDE_RANGE}`, "datetime");
        ok = false;
      } else if (idx.timestamp >= 0 && ok && dt !== t) {
        this.reject("time_mismatch", `timestamp ${iso(t)} and datetime ${iso(dt)} disagree`, "datetime");
        ok = false;
      } else t = dt;
    }
    if (ok && bucketStart(t, this.timeframe) !== t) {
      this.reject("not_aligned", `time ${iso(t)} is not the start of a ${this.timeframe} bar`);
      ok = false;
    }
    const o = this.number(fields, idx.open, "open");
    const h = this.number(fields, idx.high, "high");
    const l = this.number(fields, idx.low, "low");
    const c = this.number(fields, idx.close, "close");
    const v = this.number(fields, idx.volume, "volume");
    if (Number.isNaN(o) || Number.isNaN(h) || Number.isNaN(l) || Number.isNaN(c) || Number.isNaN(v))
      ok = false;
    else if (h < l) {
      this.reject("high_below_low", `high ${h} is below low ${l}`, "high");
      ok = false;
    } else if (h < Math.max(o, c)) {
      this.reject(
        "high_below_open_close",
        `high ${h} is below ${o > c ? `open ${o}` : `close ${c}`}`,
        "high",
      );
      ok = false;
    } else if (l > Math.min(o, c)) {
      this.reject("low_above_open_close", `low ${l} is above ${o < c ? `open ${o}` : `close ${c}`}`, "low");
      ok = false;
    }
    if (ok && t <= this.lastTime) {
      if (t === this.lastTime)
        this.reject("duplicate_time", `duplicate time ${iso(t)} (already on line ${this.lastLine})`);
      else
        this.reject(
          "unsorted",
          `time ${iso(t)} is earlier than ${iso(this.lastTime)} on line ${this.lastLine}: rows must be in ascending time order`,
        );
      ok = false;
    }
    if (!ok) {
      this.report.rowsRejected++;
      return;
    }
    if (this.count >= this.maxRows) throw new CsvTooLargeError(this.maxRows);
    this.append(t, o, h, l, c, v);
  }

  /** The numeric cell at `i`, or NaN after recording why it is not a usable number. */
  private number(fields: string[], i: number, column: string): number {
    const text = unquote(fields[i] as string).trim();
    const value = DECIMAL.test(text) ? Number(text) : Number.NaN;
    if (!Number.isFinite(value)) {
      this.reject(
        "not_a_number",
        text === "" ? `${column} is empty` : `${column} '${clip(text)}' is not a number`,
        column,
      );
      return Number.NaN;
    }
    if (value < 0) {
      this.reject("negative", `${column} ${value} is negative`, column);
      return Number.NaN;
    }
    return value;
  }

  private allocate(capacity: number): Omit<ParsedBars, "count"> {
    return {
      time: new Float64Array(capacity),
      open: new Float64Array(capacity),
      high: new Float64Array(capacity),
      low: new Float64Array(capacity),
      close: new Float64Array(capacity),
      volume: new Float64Array(capacity),
    };
  }

  private grow(): void {
    const capacity = Math.min(this.maxRows, this.capacity * 2);
    const next = this.allocate(capacity);
    next.time.set(this.cols.time);
    next.open.set(this.cols.open);
    next.high.set(this.cols.high);
    next.low.set(this.cols.low);
    next.close.set(this.cols.close);
    next.volume.set(this.cols.volume);
    this.cols = next;
    this.capacity = capacity;
  }
}

/** 10^0 .. 10^15, all exact doubles. */
const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);

/**
 * The text of `bytes[start, end)`. Each decode() call starts a new stream, which would drop a leading
 * byte order mark on every line; only the file's first may go (the caller strips it), so leading BOMs
 * are decoded here by hand and the decoder never sees one.
 */
function decodeLine(decoder: TextDecoder, bytes: Uint8Array, start: number, end: number): string {
  let marks = "";
  while (start + 2 < end && bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf) {
    marks += "\ufeff";
    start += 3;
  }
  return marks + decoder.decode(bytes.subarray(start, end));
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function unquote(cell: string): string {
  return cell.length >= 2 && cell.charCodeAt(0) === 34 && cell.charCodeAt(cell.length - 1) === 34
    ? cell.slice(1, -1)
    : cell;
}
