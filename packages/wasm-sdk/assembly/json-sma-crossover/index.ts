// SMA crossover on the PUBLISHED JSON ABI (docs/compatibility.md#runtimes): `alloc`, `signal(ptr, len) -> ptr`,
// `signal_len()`, `dealloc`. Each call gets the per-candle input JSON (`candle`, `history`,
// `portfolio`, `parameters`, `context`) and answers `{"action":"BUY"|"SELL"|"HOLD"}`.
//
// The platform instantiates a module once per backtest, so its globals live for the whole run. This
// module uses that: its two SMAs roll over the closes in order, exactly like the native strategy's
// (the SDK's Sma is the same compensated rolling sum), so its decisions are bit-identical to native.
// - A call whose `context.index` is the previous call's plus one reads only the candle's close
//   (the candle comes first in the input, the index last): it never scans the ~5 KB history. In the
//   platform's layout it finds the close eight bytes at a time; otherwise it walks the candle's JSON.
// - Any other call (the first of a run, a run started again on the same instance, a gap) reads the
//   parameters and rebuilds both SMAs from the closes in `history`.
//   On the platform that history starts at the run's first bar (lookbackCandles = slow + 1), so the
//   rebuilt SMAs are the native ones; a host that skipped bars would get SMAs over the history only.
//
// The stub runtime never frees, so the input and output buffers are allocated once and reused:
// `alloc` hands out the same (grown when needed) buffer on every call.

import {
  JsonReader,
  jsonSkip,
  jsonStrIs,
  jsonString,
  jsonWs,
  parseDecimal,
  parsedEnd,
  Sma,
} from "../sdk/index";
import { answer } from "../sdk/json-io";

export { alloc, dealloc, signal_len } from "../sdk/json-io";

// An action the platform rejects, so a malformed input fails the backtest with the reason shown.
function error(message: string): usize {
  resynced = false;
  return answer(`{"action":"ERROR","reason":"${message}"}`);
}

// One reader for the parameters, reused: the stub runtime would never free a per-call one.
const reader = new JsonReader(0, 0);

let fastSma: Sma | null = null;
let slowSma: Sma | null = null;
// True once the SMAs hold every close up to the bar of `lastIndex`.
let resynced = false;
let lastIndex: i64 = -1;
// The SMAs' values at the previous bar (NaN until ready).
let fastBefore: f64 = NaN;
let slowBefore: f64 = NaN;

// Closes of the history being read, oldest first.
let closes: StaticArray<f64> = new StaticArray<f64>(256);
let count = 0;

function pushClose(close: f64): void {
  if (count === closes.length) {
    const grown = new StaticArray<f64>(count * 2);
    memory.copy(changetype<usize>(grown), changetype<usize>(closes), (<usize>count) << 3);
    closes = grown;
  }
  store<f64>(changetype<usize>(closes) + ((<usize>count) << 3), close);
  count++;
}

// `"index":` as the little-endian u64 of its 8 bytes (`"ind` low, `ex":` high).
const INDEX_KEY: u64 = ((<u64>0x3a227865) << 32) | 0x646e6922;

// Bytes from the end of the index's digits to the end of the input (the rest of the context) at
// the last call: the same in every call of a run, so the expected index is looked for there first.
let indexTail: usize = 0;

// The integer in the digits `[p, end)`, or -1 if any byte is not a digit.
function digitsValue(p: usize, end: usize): i64 {
  let v: i64 = 0;
  for (; p < end; p++) {
    const d = <u32>load<u8>(p) - 0x30;
    if (d > 9) return -1;
    v = v * 10 + <i64>d;
  }
  return v;
}

// The value of the input's last `"index":` key, or -1. In the platform's order the context comes
// last, so this reads `context.index` from the end without scanning the history: first at the
// place where `expected` would be (a run's calls end alike), else by scanning back from the end.
// (A JSON string cannot hold the key's bytes: its quotes would be escaped.)
function readIndex(ptr: usize, end: usize, expected: i64): i64 {
  if (expected >= 0 && indexTail > 0) {
    let digits: usize = 1;
    for (let v = expected; v >= 10; v /= 10) digits++;
    if (end - ptr >= indexTail + digits + 8) {
      const at = end - indexTail - digits;
      const next = <u32>load<u8>(end - indexTail) - 0x30;
      if (next > 9 && load<u64>(at - 8) === INDEX_KEY && digitsValue(at, at + digits) === expected) {
        return expected;
      }
    }
  }
  if (end - ptr < 9) return -1;
  for (let p = end - 9; p >= ptr; p--) {
    if (load<u64>(p) !== INDEX_KEY) continue;
    let q = p + 8;
    while (q < end && q < p + 24 && <u32>load<u8>(q) - 0x30 <= 9) q++;
    if (q === p + 8 || q === p + 24) return -1;
    indexTail = end - q;
    return digitsValue(p + 8, q);
  }
  return -1;
}

// The "close" of the last object read by readObjectClose (NaN when it has none).
let objectClose: f64 = NaN;

// Reads the candle object at `p` (at "{"), its "close" into `objectClose`; returns the position
// after the object, 0 if malformed.
function readObjectClose(p: usize, end: usize): usize {
  objectClose = NaN;
  if (p >= end || load<u8>(p) !== 0x7b) return 0;
  p = jsonWs(p + 1, end);
  if (p < end && load<u8>(p) === 0x7d) return p + 1;
  while (p < end) {
    p = jsonString(jsonWs(p, end), end);
    if (p === 0) return 0;
    p = jsonWs(p, end);
    if (p >= end || load<u8>(p) !== 0x3a) return 0;
    p = jsonWs(p + 1, end);
    if (jsonStrIs("close")) {
      objectClose = parseDecimal(p, end);
      if (parsedEnd === p) return 0;
      p = parsedEnd;
    } else {
      p = jsonSkip(p, end);
      if (p === 0) return 0;
    }
    p = jsonWs(p, end);
    if (p >= end) return 0;
    const d = load<u8>(p++);
    if (d === 0x7d) return p;
    if (d !== 0x2c) return 0;
  }
  return 0;
}

// `"close":` and `{"candle` as the little-endian u64s of their 8 bytes, and the byte masks of the
// zero-byte test (written as two 32-bit halves: these values do not fit a double).
const CLOSE_KEY: u64 = ((<u64>0x3a226573) << 32) | 0x6f6c6322;
const CANDLE_START: u64 = ((<u64>0x656c646e) << 32) | 0x6163227b;
const ONES: u64 = ((<u64>0x01010101) << 32) | 0x01010101;
const HIGHS: u64 = ((<u64>0x80808080) << 32) | 0x80808080;

// The close of the `candle` object in the platform's layout (`{"candle":{"time":"…","open":…`,
// keys in the contract's order, no whitespace), else NaN. Finds the `"close":` key eight bytes at a
// time: the quotes and closing braces of a word are found together (the lowest match of the
// zero-byte test is exact), and only a quote can start the key. About a tenth of the loop turns
// of walking the candle's JSON, which {@link readCandleClose} does for any other layout.
function readCandleCloseFast(ptr: usize, end: usize): f64 {
  // `{"candle` then `":{` : the input starts with the candle object.
  if (end - ptr < 64 || load<u64>(ptr) !== CANDLE_START || (load<u32>(ptr + 8) & 0xffffff) !== 0x7b3a22) {
    return NaN;
  }
  let p = ptr + 11;
  while (p + 16 <= end) {
    const w = load<u64>(p);
    const q = w ^ (ONES * 0x22);
    const b = w ^ (ONES * 0x7d);
    const found = (((q - ONES) & ~q) | ((b - ONES) & ~b)) & HIGHS;
    if (found === 0) {
      p += 8;
      continue;
    }
    p += <usize>(ctz(found) >> 3);
    if (load<u8>(p) === 0x7d) return NaN; // the candle ended without a close
    if (load<u64>(p) === CLOSE_KEY) {
      const close = parseDecimal(p + 8, end);
      return parsedEnd === p + 8 ? NaN : close;
    }
    p++;
  }
  return NaN;
}

// The close of the `candle` object when the input starts with it, else NaN.
function readCandleClose(ptr: usize, end: usize): f64 {
  let p = jsonWs(ptr, end);
  if (p >= end || load<u8>(p) !== 0x7b) return NaN;
  p = jsonString(jsonWs(p + 1, end), end);
  if (p === 0 || !jsonStrIs("candle")) return NaN;
  p = jsonWs(p, end);
  if (p >= end || load<u8>(p) !== 0x3a) return NaN;
  return readObjectClose(jsonWs(p + 1, end), end) === 0 ? NaN : objectClose;
}

// Reads the "close" of each candle object of the history array at `p` (at "[") into `closes`;
// returns the position after the array, 0 if malformed.
function readHistory(p: usize, end: usize): usize {
  count = 0;
  p = jsonWs(p, end);
  if (p >= end || load<u8>(p) !== 0x5b) return 0;
  p = jsonWs(p + 1, end);
  if (p < end && load<u8>(p) === 0x5d) return p + 1;
  while (p < end) {
    p = readObjectClose(p, end);
    if (p === 0) return 0;
    pushClose(objectClose);
    p = jsonWs(p, end);
    if (p >= end) return 0;
    const d = load<u8>(p++);
    if (d === 0x5d) return p;
    if (d !== 0x2c) return 0;
    p = jsonWs(p, end);
  }
  return 0; // ran out of input inside the array
}

// Reads the parameters and the history's closes, and rebuilds both SMAs from those closes.
// Returns 0, or the answer of a malformed input.
function resync(ptr: usize, end: usize): usize {
  let fast: f64 = 10;
  let slow: f64 = 30;
  count = 0;
  let haveHistory = false;
  let haveParameters = false;
  let p = jsonWs(ptr, end);
  if (p >= end || load<u8>(p) !== 0x7b) return error("input is not a JSON object");
  p = jsonWs(p + 1, end);
  if (p < end && load<u8>(p) === 0x7d) p++;
  else {
    for (;;) {
      p = jsonString(jsonWs(p, end), end);
      if (p === 0) return error("malformed input");
      p = jsonWs(p, end);
      if (p >= end || load<u8>(p) !== 0x3a) return error("malformed input");
      p++;
      if (jsonStrIs("history")) {
        p = readHistory(p, end);
        if (p === 0) return error("malformed history");
        haveHistory = true;
      } else if (jsonStrIs("parameters")) {
        // Parameters are small: the allocation-light JsonReader is fine here.
        const r = reader;
        r.pos = p;
        r.end = end;
        r.ok = true;
        if (!r.expect(0x7b)) return error("parameters is not an object");
        if (!r.accept(0x7d)) {
          do {
            if (!r.readString() || !r.expect(0x3a)) return error("malformed parameters");
            if (r.keyIs("fast")) fast = r.readNumber();
            else if (r.keyIs("slow")) slow = r.readNumber();
            else r.skipValue();
          } while (r.accept(0x2c));
          if (!r.expect(0x7d)) return error("malformed parameters");
        }
        if (!r.ok) return error("malformed parameters");
        p = r.pos;
        haveParameters = true;
      } else {
        p = jsonSkip(p, end);
        if (p === 0) return error("malformed input");
      }
      p = jsonWs(p, end);
      if (p >= end) return error("malformed input");
      const d = load<u8>(p++);
      if (d === 0x7d) break;
      if (d !== 0x2c) return error("malformed input");
      // Everything needed is read: the context, last in the platform's order, is not scanned.
      if (haveHistory && haveParameters) break;
    }
  }
  if (!(fast >= 1 && slow > fast && slow <= 100000)) return error("invalid fast/slow parameters");
  const f = <i32>fast;
  const s = <i32>slow;
  let fs = fastSma;
  if (fs === null || fs.period !== f) fastSma = fs = new Sma(f);
  else fs.reset();
  let ss = slowSma;
  if (ss === null || ss.period !== s) slowSma = ss = new Sma(s);
  else ss.reset();
  fastBefore = NaN;
  slowBefore = NaN;
  for (let i = 0; i < count; i++) {
    fastBefore = fs.value;
    slowBefore = ss.value;
    const c = unchecked(closes[i]);
    fs.update(c);
    ss.update(c);
  }
  resynced = true;
  return 0;
}

/** Decides one candle from the input JSON at `[ptr, ptr + len)`; returns a pointer to the answer. */
export function signal(ptr: usize, len: i32): usize {
  const end = ptr + <usize>len;
  const index = readIndex(ptr, end, resynced ? lastIndex + 1 : -1);
  const fs = fastSma;
  const ss = slowSma;
  let close: f64 = NaN;
  if (resynced && index >= 0 && index === lastIndex + 1 && fs !== null && ss !== null) {
    close = readCandleCloseFast(ptr, end);
    if (Number.isNaN(close)) close = readCandleClose(ptr, end);
  }
  if (!Number.isNaN(close)) {
    // The next bar of the run: one more close for each SMA.
    fastBefore = (<Sma>fs).value;
    slowBefore = (<Sma>ss).value;
    (<Sma>fs).update(close);
    (<Sma>ss).update(close);
  } else {
    resynced = false;
    const failed = resync(ptr, end);
    if (failed !== 0) return failed;
  }
  lastIndex = index;
  const fastNow = (<Sma>fastSma).value;
  const slowNow = (<Sma>slowSma).value;
  // NaN (an SMA not ready yet) compares false: HOLD.
  if (fastNow > slowNow && fastBefore <= slowBefore) return answer(`{"action":"BUY"}`);
  if (fastNow < slowNow && fastBefore >= slowBefore) return answer(`{"action":"SELL"}`);
  return answer(`{"action":"HOLD"}`);
}
