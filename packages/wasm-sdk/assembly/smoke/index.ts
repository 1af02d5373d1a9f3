// Smallest useful module: the platform tests load it from R2 into a Worker Loader sandbox to prove
// that the pipeline "source in repo → .wasm at build time → R2 → sandbox" works end to end.
// It imports nothing (no abort/trace), as the strategy ABIs require.

/** Reserves `bytes` of linear memory for the caller to write into; returns the offset. */
export function alloc(bytes: i32): usize {
  return heap.alloc(<usize>bytes);
}

/** Sum of `n` little-endian f64 values starting at `ptr`. */
export function sum_f64(ptr: usize, n: i32): f64 {
  let total: f64 = 0;
  for (let i = 0; i < n; i++) total += load<f64>(ptr + ((<usize>i) << 3));
  return total;
}
