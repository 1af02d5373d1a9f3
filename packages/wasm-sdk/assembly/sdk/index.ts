// The Quantago AssemblyScript SDK: what a strategy module needs to satisfy the columnar ABI (see
// ABI.md) or the published JSON ABI without importing anything from the host. Everything here
// compiles with `--runtime stub` (a bump allocator that never frees), so helpers allocate once and
// reuse their buffers.

/** Decision codes of the columnar ABI. */
export const HOLD: u8 = 0;
/** Go long (or close a short). */
export const BUY: u8 = 1;
/** Go short (or close a long). */
export const SELL: u8 = 2;

/** Version of the columnar ABI implemented by this SDK; a module returns it from `qg_abi_version`. */
export const ABI_VERSION: i32 = 1;

/** Error codes a module returns from `qg_init` / `qg_signals` (negative; 0 is success). */
export const ERR_PARAMS: i32 = -1;
/** `qg_signals` called before a successful `qg_init`. */
export const ERR_NOT_INITIALISED: i32 = -2;
/** Invalid input (e.g. n < 0). */
export const ERR_INPUT: i32 = -3;

/** Bump-allocates `bytes` bytes (8-byte aligned) and returns the offset; never freed (stub runtime). */
export function allocBytes(bytes: i32): usize {
  return heap.alloc(<usize>max(bytes, 0));
}

/**
 * Read-only view of one batch of bars laid out as the columnar ABI passes them: six f64 columns of `n`
 * values each, contiguous, in the order time, open, high, low, close, volume.
 */
export class Bars {
  constructor(
    public ptr: usize,
    public n: i32,
  ) {}

  column(c: i32): usize {
    return this.ptr + ((<usize>c * <usize>this.n) << 3);
  }
  time(i: i32): f64 {
    return load<f64>(this.column(0) + ((<usize>i) << 3));
  }
  open(i: i32): f64 {
    return load<f64>(this.column(1) + ((<usize>i) << 3));
  }
  high(i: i32): f64 {
    return load<f64>(this.column(2) + ((<usize>i) << 3));
  }
  low(i: i32): f64 {
    return load<f64>(this.column(3) + ((<usize>i) << 3));
  }
  close(i: i32): f64 {
    return load<f64>(this.column(4) + ((<usize>i) << 3));
  }
  volume(i: i32): f64 {
    return load<f64>(this.column(5) + ((<usize>i) << 3));
  }
}

/** Writes action `a` for bar `i` of the batch whose output region starts at `outPtr`. */
export function writeAction(outPtr: usize, i: i32, a: u8): void {
  store<u8>(outPtr + <usize>i, a);
}

/**
 * Writes the size (units) for bar `i`: the sizes column starts at `outPtr + align8(n)`. The host fills
 * it with NaN (engine sizing) before every batch, so only bars with an explicit size need a write.
 */
export function writeSize(outPtr: usize, n: i32, i: i32, size: f64): void {
  store<f64>(outPtr + ((<usize>n + 7) & ~(<usize>7)) + ((<usize>i) << 3), size);
}

/**
 * Simple moving average over the last `period` values including the current one, computed exactly
 * like `Sma` in @quantago/strategies (ring buffer + Neumaier-compensated running sum, same operation
 * order), so both produce bit-identical values. NaN until `period` values were seen.
 */
export class Sma {
  period: i32;
  value: f64 = NaN;
  private buf: StaticArray<f64>;
  private idx: i32 = 0;
  private count: i32 = 0;
  private sum: f64 = 0;
  private comp: f64 = 0;

  constructor(period: i32) {
    this.period = period;
    this.buf = new StaticArray<f64>(period);
  }

  get ready(): bool {
    return this.count >= this.period;
  }

  update(x: f64): f64 {
    const period = this.period;
    const idx = this.idx;
    const slot = changetype<usize>(this.buf) + ((<usize>idx) << 3);
    const old = load<f64>(slot);
    store<f64>(slot, x);
    this.idx = idx + 1 === period ? 0 : idx + 1;
    let s = this.sum;
    let c = this.comp;
    let t = s + x;
    c += abs<f64>(s) >= abs<f64>(x) ? s - t + x : x - t + s;
    s = t;
    if (this.count < period) {
      this.count++;
      if (this.count < period) {
        this.sum = s;
        this.comp = c;
        return this.value;
      }
    } else {
      const y = -old;
      t = s + y;
      c += abs<f64>(s) >= abs<f64>(y) ? s - t + y : y - t + s;
      s = t;
    }
    this.sum = s;
    this.comp = c;
    this.value = (s + c) / <f64>period;
    return this.value;
  }

  reset(): void {
    memory.fill(changetype<usize>(this.buf), 0, (<usize>this.period) << 3);
    this.idx = 0;
    this.count = 0;
    this.sum = 0;
    this.comp = 0;
    this.value = NaN;
  }
}

/**
 * Exponential moving average, `alpha = 2 / (period + 1)`, seeded with the simple average of the first
 * `period` values (as `Ema` in @quantago/strategies). NaN until `period` values were seen.
 */
export class Ema {
  period: i32;
  alpha: f64;
  value: f64 = NaN;
  private count: i32 = 0;
  private seedSum: f64 = 0;

  constructor(period: i32) {
    this.period = period;
    this.alpha = 2.0 / (<f64>period + 1.0);
  }

  update(x: f64): f64 {
    if (this.count >= this.period) {
      const prev = this.value;
      this.value = prev + this.alpha * (x - prev);
      return this.value;
    }
    this.count++;
    this.seedSum += x;
    if (this.count === this.period) this.value = this.seedSum / <f64>this.period;
    return this.value;
  }
}

/** BUY when `a` crosses above `b`, SELL when it crosses below, else HOLD (NaN never crosses). */
export function crossAction(a: f64, b: f64, prevA: f64, prevB: f64): u8 {
  if (a > b) return prevA <= prevB ? BUY : HOLD;
  if (a < b) return prevA >= prevB ? SELL : HOLD;
  return HOLD;
}

// ---------------------------------------------------------------------------------------------
// Minimal JSON reading over UTF-8 bytes in linear memory (no String allocation per value).

/** Cursor over UTF-8 JSON bytes `[pos, end)`; `ok` turns false on malformed input. */
export class JsonReader {
  ok: bool = true;
  constructor(
    public pos: usize,
    public end: usize,
  ) {}

  peek(): u32 {
    return this.pos < this.end ? <u32>load<u8>(this.pos) : 0;
  }

  skipWs(): void {
    while (this.pos < this.end) {
      const c = <u32>load<u8>(this.pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.pos++;
    }
  }

  /** Consumes `c` after whitespace; false (and !ok) if it is not there. */
  expect(c: u32): bool {
    this.skipWs();
    if (this.peek() !== c) {
      this.ok = false;
      return false;
    }
    this.pos++;
    return true;
  }

  /** After whitespace, consumes `c` if present. */
  accept(c: u32): bool {
    this.skipWs();
    if (this.peek() === c) {
      this.pos++;
      return true;
    }
    return false;
  }

  /** Reads a string token; returns [start, end) of its raw bytes via `keyStart`/`keyEnd`. */
  keyStart: usize = 0;
  keyEnd: usize = 0;
  readString(): bool {
    if (!this.expect(0x22)) return false;
    this.keyStart = this.pos;
    while (this.pos < this.end) {
      const c = <u32>load<u8>(this.pos);
      if (c === 0x5c) {
        this.pos += 2;
        continue;
      }
      if (c === 0x22) {
        this.keyEnd = this.pos;
        this.pos++;
        return true;
      }
      this.pos++;
    }
    this.ok = false;
    return false;
  }

  /** True if the last string read equals the ASCII `s` (keys are compared raw, without unescaping). */
  keyIs(s: string): bool {
    const n = <usize>s.length;
    if (this.keyEnd - this.keyStart !== n) return false;
    for (let i: usize = 0; i < n; i++) {
      if (<u32>load<u8>(this.keyStart + i) !== <u32>s.charCodeAt(<i32>i)) return false;
    }
    return true;
  }

  /** Skips any JSON value. */
  skipValue(): void {
    this.skipWs();
    const c = this.peek();
    if (c === 0x22) {
      this.readString();
    } else if (c === 0x7b || c === 0x5b) {
      // Objects and arrays: track nesting, skipping strings (which may contain brackets).
      let depth = 0;
      while (this.pos < this.end) {
        const d = <u32>load<u8>(this.pos);
        if (d === 0x22) {
          this.readString();
          continue;
        }
        this.pos++;
        if (d === 0x7b || d === 0x5b) depth++;
        else if (d === 0x7d || d === 0x5d) {
          if (--depth === 0) return;
        }
      }
      this.ok = false;
    } else {
      // Number, true, false, null: up to the next delimiter.
      const start = this.pos;
      while (this.pos < this.end) {
        const d = <u32>load<u8>(this.pos);
        if (d === 0x2c || d === 0x7d || d === 0x5d || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09)
          break;
        this.pos++;
      }
      if (this.pos === start) this.ok = false;
    }
  }

  /** Reads a JSON number (NaN and !ok if there is none); `null` reads as NaN. */
  readNumber(): f64 {
    this.skipWs();
    if (this.peek() === 0x6e) {
      this.skipValue();
      return NaN;
    }
    const r = parseDecimal(this.pos, this.end);
    if (parsedEnd === this.pos) {
      this.ok = false;
      return NaN;
    }
    this.pos = parsedEnd;
    return r;
  }
}

/** End of the last number read by {@link parseDecimal}. */
export let parsedEnd: usize = 0;

const POW10: StaticArray<f64> = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];

// Veltkamp split of a double into two halves whose products are exact (no FMA in Wasm MVP).
function splitHi(a: f64): f64 {
  const t = 134217729.0 * a; // 2^27 + 1
  return t - (t - a);
}

/** Exact error of `a * b` given `p = a * b` rounded (Dekker). */
function twoProductErr(a: f64, b: f64, p: f64): f64 {
  const ah = splitHi(a);
  const al = a - ah;
  const bh = splitHi(b);
  const bl = b - bh;
  return al * bl - (p - ah * bh - al * bh - ah * bl);
}

/**
 * Parses a JSON number at `[ptr, end)` into the nearest double, setting {@link parsedEnd}. Up to 15
 * significant digits with |exponent| <= 22 take the exact fast path (Clinger); longer significands
 * (up to 19 digits, e.g. shortest round-trip prints of prices) use double-double arithmetic, which
 * rounds correctly except for values within ~2^-100 of a halfway point; beyond that the result can be
 * 1 ulp off.
 */
export function parseDecimal(ptr: usize, end: usize): f64 {
  let p = ptr;
  let neg = false;
  if (p < end && load<u8>(p) === 0x2d) {
    neg = true;
    p++;
  }
  let x: u64 = 0;
  let digits = 0;
  let exp = 0;
  let sticky = false;
  const start = p;
  while (p < end) {
    const d = <u32>load<u8>(p) - 0x30;
    if (d >= 10) break;
    if (digits < 19) {
      if (x !== 0 || d !== 0) {
        x = x * 10 + d;
        digits++;
      }
    } else {
      exp++;
      if (d !== 0) sticky = true;
    }
    p++;
  }
  if (p < end && load<u8>(p) === 0x2e) {
    p++;
    while (p < end) {
      const d = <u32>load<u8>(p) - 0x30;
      if (d >= 10) break;
      if (digits < 19) {
        if (x !== 0 || d !== 0) {
          x = x * 10 + d;
          digits++;
        }
        exp--;
      } else if (d !== 0) sticky = true;
      p++;
    }
  }
  if (p === start) {
    parsedEnd = ptr;
    return NaN;
  }
  if (p < end && (load<u8>(p) | 0x20) === 0x65) {
    p++;
    let eneg = false;
    if (p < end && (load<u8>(p) === 0x2d || load<u8>(p) === 0x2b)) {
      eneg = load<u8>(p) === 0x2d;
      p++;
    }
    let e = 0;
    while (p < end) {
      const d = <i32>load<u8>(p) - 0x30;
      if (<u32>d >= 10) break;
      if (e < 100000) e = e * 10 + d;
      p++;
    }
    exp += eneg ? -e : e;
  }
  parsedEnd = p;
  if (sticky) x |= 1; // keeps a dropped non-zero tail from looking like an exact halfway value
  let r: f64;
  if (x === 0) r = 0;
  else if (x <= 9007199254740992 && exp >= -22 && exp <= 22) {
    r = exp < 0 ? <f64>x / unchecked(POW10[-exp]) : <f64>x * unchecked(POW10[exp]);
  } else if (exp >= -22 && exp <= 22) {
    // x as a double-double (hi + lo, exact), then one correction step of the division/product.
    const hi = <f64>x;
    const lo = <f64>(<i64>(x - <u64>hi));
    const pw = unchecked(POW10[exp < 0 ? -exp : exp]);
    if (exp < 0) {
      const q = hi / pw;
      const qp = q * pw;
      const rem = hi - qp - twoProductErr(q, pw, qp) + lo;
      r = q + rem / pw;
    } else {
      const ph = hi * pw;
      r = ph + (twoProductErr(hi, pw, ph) + lo * pw);
    }
  } else {
    r = <f64>x * 10 ** <f64>exp;
  }
  return neg ? -r : r;
}

// ---------------------------------------------------------------------------------------------
// Pointer-passing JSON scanning for hot paths: each function takes the position and returns the new
// one (0 = malformed), so the cursor stays in a Wasm local instead of an object in linear memory.

/** Skips JSON whitespace from `p`; returns the first other position (or `end`). */
export function jsonWs(p: usize, end: usize): usize {
  while (p < end) {
    const c = <u32>load<u8>(p);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return p;
    p++;
  }
  return p;
}

/** Start of the last string scanned by {@link jsonString} (after the opening quote). */
export let jsonStrStart: usize = 0;
/** End of the last string scanned by {@link jsonString} (at the closing quote). */
export let jsonStrEnd: usize = 0;

/** Scans the string whose opening quote is at `p`; returns the position after its closing quote, 0 if malformed. */
export function jsonString(p: usize, end: usize): usize {
  if (p >= end || load<u8>(p) !== 0x22) return 0;
  p++;
  jsonStrStart = p;
  while (p < end) {
    const c = <u32>load<u8>(p);
    if (c === 0x22) {
      jsonStrEnd = p;
      return p + 1;
    }
    p += c === 0x5c ? 2 : 1;
  }
  return 0;
}

/** True when the last scanned string equals the ASCII key `s` (raw bytes, no unescaping). */
export function jsonStrIs(s: string): bool {
  const n = <usize>s.length;
  if (jsonStrEnd - jsonStrStart !== n) return false;
  for (let i: usize = 0; i < n; i++) {
    if (<u32>load<u8>(jsonStrStart + i) !== <u32>s.charCodeAt(<i32>i)) return false;
  }
  return true;
}

/** Skips the value starting at `p` (after whitespace); returns the position after it, 0 if malformed. */
export function jsonSkip(p: usize, end: usize): usize {
  p = jsonWs(p, end);
  if (p >= end) return 0;
  const c = <u32>load<u8>(p);
  if (c === 0x22) return jsonString(p, end);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    while (p < end) {
      const d = <u32>load<u8>(p);
      if (d === 0x22) {
        p = jsonString(p, end);
        if (p === 0) return 0;
        continue;
      }
      p++;
      if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        if (--depth === 0) return p;
      }
    }
    return 0;
  }
  // Numbers (digits first: the common byte costs one comparison) and true/false/null.
  const start = p;
  while (p < end) {
    const d = <u32>load<u8>(p);
    if (d - 0x30 < 10) {
      p++;
      continue;
    }
    if (d === 0x2e || d === 0x2d || d === 0x2b || (d | 0x20) - 0x61 < 26) {
      p++;
      continue;
    }
    break;
  }
  return p === start ? 0 : p;
}
