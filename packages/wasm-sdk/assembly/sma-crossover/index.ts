// SMA crossover (the SMAX-1m strategy) on the columnar ABI (ABI.md): fast = SMA(close, fast), slow =
// SMA(close, slow), both including the current bar; BUY when fast crosses above slow, SELL when it
// crosses below. Decisions are bit-identical to `smaCrossover` in @quantago/strategies because the
// SDK's Sma repeats its arithmetic exactly. Indicator state lives in module globals, so the host can
// feed the bars batch after batch.

import {
  ABI_VERSION,
  allocBytes,
  Bars,
  crossAction,
  ERR_INPUT,
  ERR_NOT_INITIALISED,
  ERR_PARAMS,
  JsonReader,
  Sma,
  writeAction,
} from "../sdk/index";

let fastSma: Sma | null = null;
let slowSma: Sma | null = null;
let prevFast: f64 = NaN;
let prevSlow: f64 = NaN;

/** Reserves `bytes` of linear memory for the host to write into; returns the offset. */
export function alloc(bytes: i32): usize {
  return allocBytes(bytes);
}

/** Columnar ABI version implemented. */
export function qg_abi_version(): i32 {
  return ABI_VERSION;
}

/**
 * Parameters as UTF-8 JSON, e.g. `{"fast":10,"slow":30}` (defaults 10 and 30; other keys ignored).
 * Resets all state, so calling it again starts a new run.
 */
export function qg_init(paramsPtr: usize, paramsLen: i32): i32 {
  let fast: f64 = 10;
  let slow: f64 = 30;
  if (paramsLen > 0) {
    const r = new JsonReader(paramsPtr, paramsPtr + <usize>paramsLen);
    if (!r.expect(0x7b)) return ERR_PARAMS;
    if (!r.accept(0x7d)) {
      do {
        if (!r.readString() || !r.expect(0x3a)) return ERR_PARAMS;
        if (r.keyIs("fast")) fast = r.readNumber();
        else if (r.keyIs("slow")) slow = r.readNumber();
        else r.skipValue();
        if (!r.ok) return ERR_PARAMS;
      } while (r.accept(0x2c));
      if (!r.expect(0x7d)) return ERR_PARAMS;
    }
  }
  if (
    !(fast >= 1 && slow > fast && slow <= 100000) ||
    fast !== Math.floor(fast) ||
    slow !== Math.floor(slow)
  ) {
    return ERR_PARAMS;
  }
  // Reuse the ring buffers when the windows did not change (stub runtime: nothing is ever freed).
  const f = fastSma;
  const s = slowSma;
  if (f !== null && s !== null && f.period === <i32>fast && s.period === <i32>slow) {
    f.reset();
    s.reset();
  } else {
    fastSma = new Sma(<i32>fast);
    slowSma = new Sma(<i32>slow);
  }
  prevFast = NaN;
  prevSlow = NaN;
  return 0;
}

/** Decides `n` bars at `barsPtr` (six f64 columns) and writes `n` action bytes at `outPtr`. */
export function qg_signals(barsPtr: usize, n: i32, outPtr: usize): i32 {
  const f = fastSma;
  const s = slowSma;
  if (f === null || s === null) return ERR_NOT_INITIALISED;
  if (n < 0) return ERR_INPUT;
  const bars = new Bars(barsPtr, n);
  let pf = prevFast;
  let ps = prevSlow;
  for (let i = 0; i < n; i++) {
    const c = bars.close(i);
    const fv = f.update(c);
    const sv = s.update(c);
    writeAction(outPtr, i, crossAction(fv, sv, pf, ps));
    pf = fv;
    ps = sv;
  }
  prevFast = pf;
  prevSlow = ps;
  return 0;
}

/** Reads only the close column (bit 4): the host skips copying the other five. */
export function qg_columns(): i32 {
  return 1 << 4;
}
