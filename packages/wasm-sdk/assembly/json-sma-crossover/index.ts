// SMA crossover on the PUBLISHED JSON ABI (docs/compatibility.md#runtimes): `alloc`, `signal(ptr, len) -> ptr`,
// `signal_len()`, `dealloc`. Each call gets the per-candle input JSON (`candle`, `history`,
// `portfolio`, `parameters`, `context`) and answers `{"action":"BUY"|"SELL"|"HOLD"}`. The SMAs are
// computed from the closes in `history` (lookbackCandles = slow + 1: the current and the previous
// bar's windows), with the same Neumaier summation as the SDK's Sma over a fresh window, so
// decisions match the native strategy except where fast and slow differ by a few ulps.
//
// The stub runtime never frees, so the input and output buffers are allocated once and reused:
// `alloc` hands out the same (grown when needed) buffer on every call.

import {
  allocBytes,
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

let closes: StaticArray<f64> = new StaticArray<f64>(256);
let fastWin: Sma | null = null;
let slowWin: Sma | null = null;

// An action the platform rejects, so a malformed input fails the backtest with the reason shown.
function error(message: string): usize {
  return answer(`{"action":"ERROR","reason":"${message}"}`);
}

// One reader for the parameters, reused: the stub runtime would never free a per-call one.
const reader = new JsonReader(0, 0);

// SMA of the `period` closes ending at index `last`, computed like a fresh Sma (same rounding).
function windowSma(sma: Sma, last: i32): f64 {
  sma.reset();
  const first = last - sma.period + 1;
  let v: f64 = NaN;
  for (let i = first; i <= last; i++) v = sma.update(unchecked(closes[i]));
  return v;
}

// The history of consecutive calls overlaps: the window slides by one candle. The previous call's
// history array is kept (its bytes from "[" to "]", and per candle the offset of its "{" and its
// close), and a new history that repeats those bytes reuses the closes instead of parsing them again.
// Only byte-identical text is reused, so the result is exactly that of parsing everything; anything
// else (another layout, whitespace, a restarted run) simply takes the full parse.
let count = 0; // candles in the history being read
let starts: StaticArray<i32> = new StaticArray<i32>(256);
let prevHist: usize = 0;
let prevHistCap: i32 = 0;
let prevHistLen: i32 = 0;
let prevCount: i32 = 0;
let prevStarts: StaticArray<i32> = new StaticArray<i32>(256);
let prevCloses: StaticArray<f64> = new StaticArray<f64>(256);
// Which previous candle the history reuse started from (1: the window slid by one), -1 for none.
let reusedFrom: i32 = -1;

// The SMAs the previous call computed for its last bar, and over which history length and periods.
// When the window slid by exactly one candle (same length), this call's "previous bar" windows are
// exactly that call's "current bar" windows over the same closes, so their values are reused
// instead of summed again: the same numbers, bit for bit.
let lastValid = false;
let lastCount: i32 = 0;
let lastFastPeriod: i32 = 0;
let lastSlowPeriod: i32 = 0;
let lastFast: f64 = NaN;
let lastSlow: f64 = NaN;

function bytesEqual(a: usize, b: usize, n: usize): bool {
  let i: usize = 0;
  // 32 bytes a turn: the sandbox meters every loop iteration, so fewer turns cost less fuel and time.
  for (; i + 32 <= n; i += 32) {
    const d =
      (load<u64>(a + i) ^ load<u64>(b + i)) |
      (load<u64>(a + i + 8) ^ load<u64>(b + i + 8)) |
      (load<u64>(a + i + 16) ^ load<u64>(b + i + 16)) |
      (load<u64>(a + i + 24) ^ load<u64>(b + i + 24));
    if (d !== 0) return false;
  }
  for (; i + 8 <= n; i += 8) if (load<u64>(a + i) !== load<u64>(b + i)) return false;
  for (; i < n; i++) if (load<u8>(a + i) !== load<u8>(b + i)) return false;
  return true;
}

function pushCandle(close: f64, start: i32): void {
  if (count === closes.length) {
    const grown = new StaticArray<f64>(count * 2);
    memory.copy(changetype<usize>(grown), changetype<usize>(closes), (<usize>count) << 3);
    closes = grown;
    const grownStarts = new StaticArray<i32>(count * 2);
    memory.copy(changetype<usize>(grownStarts), changetype<usize>(starts), (<usize>count) << 2);
    starts = grownStarts;
  }
  store<f64>(changetype<usize>(closes) + ((<usize>count) << 3), close);
  store<i32>(changetype<usize>(starts) + ((<usize>count) << 2), start);
  count++;
}

// Reuses the previous history's candles `k..` when the array at `h` (its "[") starts with their
// bytes; returns the position after them (at "," or "]"), or 0 when the bytes differ.
function reusePrevious(h: usize, end: usize): usize {
  for (let k = 1; k >= 0; k--) {
    if (k >= prevCount) continue;
    const from = unchecked(prevStarts[k]);
    const len = <usize>(prevHistLen - 1 - from); // through the byte before the previous "]"
    const q = h + 1;
    if (q + len >= end || !bytesEqual(q, prevHist + <usize>from, len)) continue;
    const next = load<u8>(q + len);
    if (next !== 0x2c && next !== 0x5d) continue;
    for (let j = k; j < prevCount; j++) {
      pushCandle(unchecked(prevCloses[j]), unchecked(prevStarts[j]) - from + 1);
    }
    reusedFrom = k;
    return q + len;
  }
  return 0;
}

// Keeps the history array `[h, after)` and its parsed candles for the next call.
function remember(h: usize, after: usize): void {
  const len = <i32>(after - h);
  if (len > prevHistCap) {
    prevHistCap = max(len, prevHistCap * 2);
    prevHist = allocBytes(prevHistCap);
  }
  memory.copy(prevHist, h, <usize>len);
  prevHistLen = len;
  if (prevCloses.length < count) {
    prevCloses = new StaticArray<f64>(closes.length);
    prevStarts = new StaticArray<i32>(starts.length);
  }
  memory.copy(changetype<usize>(prevCloses), changetype<usize>(closes), (<usize>count) << 3);
  memory.copy(changetype<usize>(prevStarts), changetype<usize>(starts), (<usize>count) << 2);
  prevCount = count;
}

// Reads the "close" of each candle object of the history array starting at `p` (at "[").
// Returns the position after the array, 0 if malformed; the closes land in `closes[0..count)`.
function readHistory(p: usize, end: usize): usize {
  count = 0;
  reusedFrom = -1;
  p = jsonWs(p, end);
  if (p >= end || load<u8>(p) !== 0x5b) return 0;
  const h = p;
  const reused = reusePrevious(h, end);
  if (reused !== 0) {
    p = reused;
    if (load<u8>(p) === 0x5d) {
      remember(h, p + 1);
      return p + 1;
    }
    p++; // the "," before the first new candle
  } else {
    p = jsonWs(p + 1, end);
    if (p < end && load<u8>(p) === 0x5d) {
      remember(h, p + 1);
      return p + 1;
    }
  }
  while (p < end) {
    p = jsonWs(p, end);
    if (p >= end || load<u8>(p) !== 0x7b) return 0;
    const start = <i32>(p - h);
    p = jsonWs(p + 1, end);
    let close: f64 = NaN;
    if (p < end && load<u8>(p) === 0x7d) p++;
    else {
      for (;;) {
        p = jsonString(jsonWs(p, end), end);
        if (p === 0) return 0;
        p = jsonWs(p, end);
        if (p >= end || load<u8>(p) !== 0x3a) return 0;
        p = jsonWs(p + 1, end);
        if (jsonStrIs("close")) {
          close = parseDecimal(p, end);
          if (parsedEnd === p) return 0;
          p = parsedEnd;
        } else {
          p = jsonSkip(p, end);
          if (p === 0) return 0;
        }
        p = jsonWs(p, end);
        if (p >= end) return 0;
        const d = load<u8>(p++);
        if (d === 0x7d) break;
        if (d !== 0x2c) return 0;
      }
    }
    pushCandle(close, start);
    p = jsonWs(p, end);
    if (p >= end) return 0;
    const d = load<u8>(p++);
    if (d === 0x5d) {
      remember(h, p);
      return p;
    }
    if (d !== 0x2c) return 0;
  }
  return 0; // ran out of input inside the array
}

/** Decides one candle from the input JSON at `[ptr, ptr + len)`; returns a pointer to the answer. */
export function signal(ptr: usize, len: i32): usize {
  const end = ptr + <usize>len;
  let fast: f64 = 10;
  let slow: f64 = 30;
  count = 0;
  let haveHistory = false;
  let haveParameters = false;
  // The previous call's SMAs count only if this call finds a history slid by one (see lastValid).
  const hadLast = lastValid;
  lastValid = false;
  reusedFrom = -1;
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
      // Everything needed is read: the rest (the context, last in the platform's order) is not
      // scanned, which saves about a third of the bytes skipped per call.
      if (haveHistory && haveParameters) break;
    }
  }
  if (!(fast >= 1 && slow > fast && slow <= 100000)) return error("invalid fast/slow parameters");
  const f = <i32>fast;
  const s = <i32>slow;
  // Needs the current and the previous slow window: slow + 1 candles of history.
  if (count < s + 1) return answer(`{"action":"HOLD"}`);
  let fw = fastWin;
  if (fw === null || fw.period !== f) fastWin = fw = new Sma(f);
  let sw = slowWin;
  if (sw === null || sw.period !== s) slowWin = sw = new Sma(s);
  const last = count - 1;
  const fNow = windowSma(fw, last);
  const sNow = windowSma(sw, last);
  const slid =
    hadLast && reusedFrom === 1 && count === lastCount && f === lastFastPeriod && s === lastSlowPeriod;
  const fPrev = slid ? lastFast : windowSma(fw, last - 1);
  const sPrev = slid ? lastSlow : windowSma(sw, last - 1);
  lastValid = true;
  lastCount = count;
  lastFastPeriod = f;
  lastSlowPeriod = s;
  lastFast = fNow;
  lastSlow = sNow;
  if (fNow > sNow && fPrev <= sPrev) return answer(`{"action":"BUY"}`);
  if (fNow < sNow && fPrev >= sPrev) return answer(`{"action":"SELL"}`);
  return answer(`{"action":"HOLD"}`);
}
