// A published-JSON-ABI module (docs/compatibility.md#runtimes) that answers with the contract's optional `reason` and
// `metadata`: it buys on every 20th candle it is asked about and sells 10 candles later, ignoring
// the input. Tests use it to follow a strategy's notes from the sandbox to the stored trades; the
// decision schedule rests on module state persisting between candles (one instance per backtest).

import { answer } from "../sdk/json-io";

export { alloc, dealloc, signal_len } from "../sdk/json-io";

let calls: i32 = 0;

export function signal(_ptr: usize, _len: i32): usize {
  const n = calls++;
  if (n % 20 === 0) return answer(`{"action":"BUY","reason":"scheduled entry","metadata":{"call":${n}}}`);
  if (n % 20 === 10) return answer(`{"action":"SELL","reason":"scheduled exit"}`);
  return answer(`{"action":"HOLD"}`);
}
