// The buffer side of the published JSON ABI (docs/compatibility.md#runtimes), for modules to re-export: `alloc` hands out
// one input buffer (grown when needed, reused on every call: the stub runtime never frees),
// `dealloc` has nothing to free, `answer` writes an output JSON and `signal_len` reports its length.
//
//   export { alloc, dealloc, signal_len } from "../sdk/json-io";
//   export function signal(ptr: usize, len: i32): usize { return answer(`{"action":"HOLD"}`); }

import { allocBytes } from "./index";

let inBuf: usize = 0;
let inCap: i32 = 0;
let outBuf: usize = 0;
let outLen: i32 = 0;

/** Returns a buffer of at least `len` bytes for the next input (reused across calls). */
export function alloc(len: i32): usize {
  if (len > inCap) {
    inCap = max(len, inCap * 2);
    inBuf = allocBytes(inCap);
  }
  return inBuf;
}

/** Nothing to free: `alloc` reuses one buffer. */
export function dealloc(_ptr: usize, _len: i32): void {}

/** Length of the last output written by {@link answer}. */
export function signal_len(): i32 {
  return outLen;
}

/** The string the output buffer holds (its address): a repeated answer is not written again. */
let lastAnswer: usize = 0;

/** Writes `s` (ASCII JSON) as the output and returns its pointer, for `signal` to return. */
export function answer(s: string): usize {
  if (outBuf === 0) outBuf = allocBytes(256);
  // Literals are static, so the same answer as last time is the same string: the buffer holds it.
  if (changetype<usize>(s) === lastAnswer) return outBuf;
  const n = s.length;
  for (let i = 0; i < n; i++) store<u8>(outBuf + <usize>i, <u8>s.charCodeAt(i));
  outLen = n;
  lastAnswer = changetype<usize>(s);
  return outBuf;
}
