// The sandbox host's candle printer: the JSON text of a batch of candles, byte for byte what
// `JSON.stringify` gives for the JSON ABI's candle objects (see CandleTextBatches in
// src/json-abi.ts), printed without the JavaScript engine. Printing doubles was most of the JSON
// ABI host's work: V8 spends ~85 ns on each price, ~500 ns on a candle; this module prints a candle,
// time included, in under 200 ns.
//
// Numbers are printed as ECMAScript's Number::toString prints them: the shortest digits that read
// back as the same double, the closest such digits to its exact value when there are several (ties
// to even), and the same choice between fixed and exponent notation. The digits come from Ryu
// (Ulf Adams, "Ryū: fast float-to-string conversion", PLDI 2018), whose result is defined the same
// way. The tests compare the output with JSON.stringify on edge values and hundreds of thousands of
// random doubles (src/candle-text.test.ts).
//
// Biome does not lint this file (biome.json): it cannot parse AssemblyScript's `@inline` on functions,
// and inlining the 128-bit arithmetic and digit helpers makes the printer about 40 % faster.
//
// Memory layout (fixed offsets; the module imports nothing and allocates nothing):
//   INPUT  six f64 columns of `n` bars, column-major: time, open, high, low, close, volume
//   ENDS   i32 per candle + 1: ends[0] = 0 (the "["), ends[k + 1] = the byte after candle k's "}"
//   TEXT   "[" candle "," candle ... "]", ASCII
import { POW5_INV_SPLIT, POW5_SPLIT } from "./tables";

/** Most bars per call (the host's MAX_PRINTED_BARS, checked when it instantiates the module). */
export const MAX_BARS: i32 = 512;
const INPUT: usize = 65536;
const ENDS: usize = INPUT + 8 * 6 * <usize>MAX_BARS;
// A candle's text is at most 203 bytes with its comma (78 fixed, and five numbers of at most 25
// characters such as -0.0000012345678901234567), so a batch's at most 104 KB: inside the 4 pages
// the build gives the module, which never grows its memory.
const TEXT: usize = ENDS + 4 * (<usize>MAX_BARS + 1);

export function inputPtr(): usize {
  return INPUT;
}
export function endsPtr(): usize {
  return ENDS;
}
export function textPtr(): usize {
  return TEXT;
}

const POW5_INV_BITCOUNT: i32 = 125;
const POW5_BITCOUNT: i32 = 125;

function pow5bits(e: i32): i32 {
  return <i32>((<u32>e * 1217359) >> 19) + 1;
}
function log10Pow2(e: i32): i32 {
  return <i32>((<u32>e * 78913) >> 18);
}
function log10Pow5(e: i32): i32 {
  return <i32>((<u32>e * 732923) >> 20);
}

function pow5Factor(value: u64): i32 {
  let count = 0;
  while (true) {
    const q = value / 5;
    if (value - 5 * q !== 0) break;
    value = q;
    count++;
  }
  return count;
}

/** High half of the last {@link umul128}. */
let high: u64 = 0;

/** The low 64 bits of a × b; the high 64 bits go to {@link high}. */
// @ts-ignore: decorator
@inline
function umul128(a: u64, b: u64): u64 {
  const aLo = a & 0xffffffff;
  const aHi = a >> 32;
  const bLo = b & 0xffffffff;
  const bHi = b >> 32;
  const b00 = aLo * bLo;
  const b01 = aLo * bHi;
  const b10 = aHi * bLo;
  const b11 = aHi * bHi;
  const mid1 = b10 + (b00 >> 32);
  const mid2 = b01 + (mid1 & 0xffffffff);
  high = b11 + (mid1 >> 32) + (mid2 >> 32);
  return (mid2 << 32) | (b00 & 0xffffffff);
}

/** (m × table[index]) >> j, the table entry a 128-bit number stored low half first. */
// @ts-ignore: decorator
@inline
function mulShift64(m: u64, table: StaticArray<u64>, index: i32, j: i32): u64 {
  umul128(m, unchecked(table[2 * index])); // only its high half counts
  const b0hi = high;
  const b2lo = umul128(m, unchecked(table[2 * index + 1]));
  const b2hi = high;
  const sum = b0hi + b2lo;
  const high1 = b2hi + <u64>(sum < b0hi);
  const dist = <u64>(j - 64);
  return (high1 << (64 - dist)) | (sum >> dist);
}

/** Digits and exponent of the last {@link shortest}: the value is `digits` × 10^`exponent`. */
let digits: u64 = 0;
let exponent: i32 = 0;

/**
 * Ryu's shortcut for integers below 2^53 (volumes, often): the digits without their trailing zeros,
 * which is what {@link shortest} would find. False when the double is not such an integer.
 */
function smallInteger(ieeeMantissa: u64, ieeeExponent: i32): bool {
  const m2 = ((<u64>1) << 52) | ieeeMantissa;
  const e2 = ieeeExponent - 1023 - 52;
  if (ieeeExponent === 0 || e2 > 0 || e2 < -52) return false;
  const shift = <u64>-e2;
  if ((m2 & (((<u64>1) << shift) - 1)) !== 0) return false;
  let value = m2 >> shift;
  let e = 0;
  while (true) {
    const q = value / 10;
    if (value - 10 * q !== 0) break;
    value = q;
    e++;
  }
  digits = value;
  exponent = e;
  return true;
}

/** Ryu's d2d: the shortest, closest decimal of a finite, positive double given by its bits. */
function shortest(ieeeMantissa: u64, ieeeExponent: i32): void {
  let e2: i32;
  let m2: u64;
  if (ieeeExponent === 0) {
    e2 = 1 - 1023 - 52 - 2;
    m2 = ieeeMantissa;
  } else {
    e2 = ieeeExponent - 1023 - 52 - 2;
    m2 = ((<u64>1) << 52) | ieeeMantissa;
  }
  const acceptBounds = (m2 & 1) === 0;
  const mv = 4 * m2;
  const mmShift: u64 = ieeeMantissa !== 0 || ieeeExponent <= 1 ? 1 : 0;

  let vr: u64, vp: u64, vm: u64;
  let e10: i32;
  let vmIsTrailingZeros = false;
  let vrIsTrailingZeros = false;
  if (e2 >= 0) {
    const q = log10Pow2(e2) - <i32>(e2 > 3);
    e10 = q;
    const k = POW5_INV_BITCOUNT + pow5bits(q) - 1;
    const i = -e2 + q + k;
    vr = mulShift64(mv, POW5_INV_SPLIT, q, i);
    vp = mulShift64(mv + 2, POW5_INV_SPLIT, q, i);
    vm = mulShift64(mv - 1 - mmShift, POW5_INV_SPLIT, q, i);
    if (q <= 21) {
      if (mv % 5 === 0) {
        vrIsTrailingZeros = pow5Factor(mv) >= q;
      } else if (acceptBounds) {
        vmIsTrailingZeros = pow5Factor(mv - 1 - mmShift) >= q;
      } else {
        vp -= <u64>(pow5Factor(mv + 2) >= q);
      }
    }
  } else {
    const q = log10Pow5(-e2) - <i32>(-e2 > 1);
    e10 = q + e2;
    const i = -e2 - q;
    const k = pow5bits(i) - POW5_BITCOUNT;
    const j = q - k;
    vr = mulShift64(mv, POW5_SPLIT, i, j);
    vp = mulShift64(mv + 2, POW5_SPLIT, i, j);
    vm = mulShift64(mv - 1 - mmShift, POW5_SPLIT, i, j);
    if (q <= 1) {
      vrIsTrailingZeros = true;
      if (acceptBounds) vmIsTrailingZeros = mmShift === 1;
      else vp--;
    } else if (q < 63) {
      vrIsTrailingZeros = (mv & (((<u64>1) << (<u64>q)) - 1)) === 0;
    }
  }

  let removed = 0;
  let lastRemovedDigit: u64 = 0;
  let output: u64;
  if (vmIsTrailingZeros || vrIsTrailingZeros) {
    while (vp / 10 > vm / 10) {
      vmIsTrailingZeros = vmIsTrailingZeros && vm % 10 === 0;
      vrIsTrailingZeros = vrIsTrailingZeros && lastRemovedDigit === 0;
      const vrDiv10 = vr / 10;
      lastRemovedDigit = vr - 10 * vrDiv10;
      vr = vrDiv10;
      vp /= 10;
      vm /= 10;
      removed++;
    }
    if (vmIsTrailingZeros) {
      while (vm % 10 === 0) {
        vrIsTrailingZeros = vrIsTrailingZeros && lastRemovedDigit === 0;
        const vrDiv10 = vr / 10;
        lastRemovedDigit = vr - 10 * vrDiv10;
        vr = vrDiv10;
        vp /= 10;
        vm /= 10;
        removed++;
      }
    }
    if (vrIsTrailingZeros && lastRemovedDigit === 5 && vr % 2 === 0) lastRemovedDigit = 4;
    output = vr + <u64>((vr === vm && (!acceptBounds || !vmIsTrailingZeros)) || lastRemovedDigit >= 5);
  } else {
    let roundUp = false;
    const vpDiv100 = vp / 100;
    const vmDiv100 = vm / 100;
    if (vpDiv100 > vmDiv100) {
      const vrDiv100 = vr / 100;
      roundUp = vr - 100 * vrDiv100 >= 50;
      vr = vrDiv100;
      vp = vpDiv100;
      vm = vmDiv100;
      removed += 2;
    }
    while (true) {
      const vpDiv10 = vp / 10;
      const vmDiv10 = vm / 10;
      if (vpDiv10 <= vmDiv10) break;
      const vrDiv10 = vr / 10;
      roundUp = vr - 10 * vrDiv10 >= 5;
      vr = vrDiv10;
      vp = vpDiv10;
      vm = vmDiv10;
      removed++;
    }
    output = vr + <u64>(vr === vm || roundUp);
  }
  digits = output;
  exponent = e10 + removed;
}

/** Number of decimal digits of `v` (1 for 0). */
function decimalLength(v: u64): i32 {
  if (v < 100000000) {
    if (v < 10000) return v < 100 ? (v < 10 ? 1 : 2) : v < 1000 ? 3 : 4;
    return v < 1000000 ? (v < 100000 ? 5 : 6) : v < 10000000 ? 7 : 8;
  }
  if (v < 10000000000000000) {
    if (v < 1000000000000) return v < 10000000000 ? (v < 1000000000 ? 9 : 10) : v < 100000000000 ? 11 : 12;
    return v < 100000000000000 ? (v < 10000000000000 ? 13 : 14) : v < 1000000000000000 ? 15 : 16;
  }
  return v < 100000000000000000 ? 17 : v < 1000000000000000000 ? 18 : v < 10000000000000000000 ? 19 : 20;
}

/** "00", "01", ..., "99" as ASCII pairs (written by {@link setup}). */
const PAIRS = memory.data(200);

/** Writes the `length` (<= 8) digits of `v` ending just before `end`, two at a time. */
// @ts-ignore: decorator
@inline
function writeDigits32(v: u32, end: usize, length: i32): void {
  let at = end;
  while (length >= 2) {
    const q = v / 100;
    at -= 2;
    store<u16>(at, load<u16>(PAIRS + 2 * <usize>(v - 100 * q)));
    v = q;
    length -= 2;
  }
  if (length > 0) store<u8>(at - 1, <u8>(0x30 + v));
}

/** Writes the `length` digits of `v` ending just before `end`: 8 at a time in 32-bit arithmetic. */
function writeDigits(v: u64, end: usize, length: i32): void {
  let at = end;
  while (length > 8) {
    const q = v / 100000000;
    writeDigits32(<u32>(v - 100000000 * q), at, 8);
    v = q;
    at -= 8;
    length -= 8;
  }
  writeDigits32(<u32>v, at, length);
}

/** The fixed parts of a candle's text, as ASCII in static memory (written once, by {@link setup}). */
const CANDLE_HEAD = '{"time":"0000-00-00T00:00:00.000Z","open":';
const HIGH_KEY = ',"high":';
const LOW_KEY = ',"low":';
const CLOSE_KEY = ',"close":';
const VOLUME_KEY = ',"volume":';
const NULL = "null";
const LITERALS = memory.data(128);
let headAt: usize = 0;
let highAt: usize = 0;
let lowAt: usize = 0;
let closeAt: usize = 0;
let volumeAt: usize = 0;
let nullAt: usize = 0;

function put(at: usize, text: string): usize {
  for (let k = 0; k < text.length; k++) store<u8>(at + k, <u8>text.charCodeAt(k));
  return at + text.length;
}

function setup(): void {
  headAt = LITERALS;
  highAt = put(headAt, CANDLE_HEAD);
  lowAt = put(highAt, HIGH_KEY);
  closeAt = put(lowAt, LOW_KEY);
  volumeAt = put(closeAt, CLOSE_KEY);
  nullAt = put(volumeAt, VOLUME_KEY);
  put(nullAt, NULL);
  for (let k = 0; k < 100; k++) {
    store<u8>(PAIRS + 2 * <usize>k, <u8>(0x30 + k / 10));
    store<u8>(PAIRS + 2 * <usize>k + 1, <u8>(0x30 + (k % 10)));
  }
}
setup();

/**
 * Copies `length` (4..64) bytes of a literal to `at`; returns the position after them. Eight bytes at
 * a time, the last eight overlapping: for a few dozen bytes this is faster than `memory.copy`.
 */
// @ts-ignore: decorator
@inline
function copy(at: usize, literal: usize, length: i32): usize {
  const n = <usize>length;
  if (n < 8) {
    store<u32>(at, load<u32>(literal));
    store<u32>(at + n - 4, load<u32>(literal + n - 4));
    return at + n;
  }
  for (let k: usize = 0; k + 8 < n; k += 8) store<u64>(at + k, load<u64>(literal + k));
  store<u64>(at + n - 8, load<u64>(literal + n - 8));
  return at + n;
}

/** Writes a non-negative integer below 2^53 (an exponent, say) at `at`; returns the position after it. */
function writeInt(at: usize, v: u64): usize {
  const length = decimalLength(v);
  writeDigits(v, at + length, length);
  return at + length;
}

/** Writes `JSON.stringify(x)` at `at`; returns the position after it. */
function writeNumber(at: usize, x: f64): usize {
  const bits = reinterpret<u64>(x);
  const ieeeExponent = <i32>((bits >> 52) & 0x7ff);
  const ieeeMantissa = bits & 0xfffffffffffff;
  if (ieeeExponent === 0x7ff) return copy(at, nullAt, 4); // NaN, ±Infinity
  if (ieeeExponent === 0 && ieeeMantissa === 0) {
    store<u8>(at, 0x30); // 0 and -0
    return at + 1;
  }
  if (bits >> 63) {
    store<u8>(at, 0x2d);
    at++;
  }
  if (!smallInteger(ieeeMantissa, ieeeExponent)) shortest(ieeeMantissa, ieeeExponent);
  const k = decimalLength(digits);
  const n = exponent + k; // the decimal point sits after the n-th digit
  if (k <= n && n <= 21) {
    writeDigits(digits, at + k, k);
    at += k;
    for (let z = 0; z < n - k; z++) store<u8>(at++, 0x30);
    return at;
  }
  if (0 < n && n <= 21) {
    // All k digits one byte to the right, then the first n moved back over the gap and the point put
    // in it: no 64-bit division to split the digits.
    writeDigits(digits, at + k + 1, k);
    memory.copy(at, at + 1, n);
    store<u8>(at + n, 0x2e);
    return at + k + 1;
  }
  if (-6 < n && n <= 0) {
    store<u8>(at, 0x30);
    store<u8>(at + 1, 0x2e);
    at += 2;
    for (let z = 0; z < -n; z++) store<u8>(at++, 0x30);
    writeDigits(digits, at + k, k);
    return at + k;
  }
  // Exponent notation: d[.ddd]e±x
  const rest = k - 1;
  writeDigits(digits, at + k + (rest > 0 ? 1 : 0), k);
  if (rest > 0) {
    store<u8>(at, load<u8>(at + 1));
    store<u8>(at + 1, 0x2e);
    at += 2 + rest;
  } else {
    at += 1;
  }
  store<u8>(at, 0x65);
  store<u8>(at + 1, n - 1 < 0 ? 0x2d : 0x2b);
  return writeInt(at + 2, <u64>(n - 1 < 0 ? 1 - n : n - 1));
}

// Times whose ISO text is 24 characters (years 0–9999).
const FIXED_MS_FROM: f64 = -62_167_219_200_000;
const FIXED_MS_TO: f64 = 253_402_300_800_000;
const DAY_MS: i64 = 86_400_000;

/** Floor division (rounds toward minus infinity, as Math.floor of the quotient does). */
// @ts-ignore: decorator
@inline
function floorDiv(a: i64, b: i64): i64 {
  const q = a / b;
  return a % b !== 0 && a < 0 !== b < 0 ? q - 1 : q;
}

/** `YYYY-MM-DDT` of the day last written, and that day. */
const DATE = memory.data(16);
let dateDay: i64 = i64.MIN_VALUE;

/** Writes the date part of day `days` (since 1970-01-01) into DATE: formatIsoUtc's own arithmetic. */
function civilDate(days: i64): void {
  const z = days + 719468;
  const era = floorDiv(z, 146097);
  const doe = z - era * 146097;
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const mp = (5 * doy + 2) / 153;
  const day = doy - (153 * mp + 2) / 5 + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  writeDigits32(<u32>year, DATE + 4, 4);
  store<u8>(DATE + 4, 0x2d);
  writeDigits32(<u32>month, DATE + 7, 2);
  store<u8>(DATE + 7, 0x2d);
  writeDigits32(<u32>day, DATE + 10, 2);
  store<u8>(DATE + 10, 0x54);
  dateDay = days;
}

/** Writes formatIsoUtc(ms) (24 bytes) at `at`, for a whole `ms` in years 0–9999. */
function writeTime(at: usize, ms: i64): void {
  const days = floorDiv(ms, DAY_MS);
  if (days !== dateDay) civilDate(days);
  memory.copy(at, DATE, 11);
  const rem = <u32>(ms - days * DAY_MS);
  writeDigits32(rem / 3_600_000, at + 13, 2);
  store<u8>(at + 13, 0x3a);
  writeDigits32((rem % 3_600_000) / 60_000, at + 16, 2);
  store<u8>(at + 16, 0x3a);
  writeDigits32((rem % 60_000) / 1000, at + 19, 2);
  store<u8>(at + 19, 0x2e);
  writeDigits32(rem % 1000, at + 23, 3);
  store<u8>(at + 23, 0x5a);
}

/** Where the time's digits start inside a candle's text: after `{"time":"`. */
const TIME_OFFSET: usize = 9;

/**
 * Prints `n` (1..MAX_BARS) bars from INPUT as the candle batch text at TEXT with their ENDS. Returns
 * the text's length in bytes, or -1 when a time is not a whole millisecond in years 0–9999 (the host
 * prints such a batch itself).
 */
export function printCandles(n: i32): i32 {
  if (n < 1 || n > MAX_BARS) return -1;
  const column: usize = 8 * <usize>n;
  for (let i = 0; i < n; i++) {
    const t = load<f64>(INPUT + 8 * <usize>i);
    if (!(t >= FIXED_MS_FROM && t < FIXED_MS_TO) || Math.floor(t) !== t) return -1;
  }
  let at = TEXT;
  store<u8>(at++, 0x5b); // [
  store<i32>(ENDS, 0);
  for (let i = 0; i < n; i++) {
    const row = INPUT + 8 * <usize>i;
    if (i > 0) store<u8>(at++, 0x2c); // ,
    const start = at;
    at = copy(at, headAt, CANDLE_HEAD.length);
    writeTime(start + TIME_OFFSET, <i64>load<f64>(row));
    at = writeNumber(at, load<f64>(row + column));
    at = copy(at, highAt, HIGH_KEY.length);
    at = writeNumber(at, load<f64>(row + 2 * column));
    at = copy(at, lowAt, LOW_KEY.length);
    at = writeNumber(at, load<f64>(row + 3 * column));
    at = copy(at, closeAt, CLOSE_KEY.length);
    at = writeNumber(at, load<f64>(row + 4 * column));
    at = copy(at, volumeAt, VOLUME_KEY.length);
    at = writeNumber(at, load<f64>(row + 5 * column));
    store<u8>(at++, 0x7d); // }
    store<i32>(ENDS + 4 * (<usize>i + 1), <i32>(at - TEXT));
  }
  store<u8>(at++, 0x5d); // ]
  return <i32>(at - TEXT);
}

/** `JSON.stringify(x)` of one number at TEXT; returns its length (for the tests). */
export function printNumber(x: f64): i32 {
  return <i32>(writeNumber(TEXT, x) - TEXT);
}
