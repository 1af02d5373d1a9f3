/**
 * Entry of the sandbox child's host module (bundled by scripts/build.mjs into build/host.js). The
 * Worker Loader child gets this module, `strategy.wasm` (the user's bytes) and `candle-text.wasm`
 * (the JSON ABI's candle printer, ours) and nothing else: no network, no bindings. RPC methods take bars in bulk; nothing here is called per candle.
 *
 * @module
 */

import { WorkerEntrypoint } from "cloudflare:workers";
import type { BarColumns } from "@quantago/strategies";
import candleText from "./candle-text.wasm";
import { runSandboxJob, type SandboxRunRequest, type SandboxRunResult, stageBars } from "./host.ts";
import wasmModule from "./strategy.wasm";

/** The child's entrypoint: the parent calls these over RPC. */
export default class SandboxHost extends WorkerEntrypoint {
  /** Export names and kinds of the strategy module, for diagnostics. */
  describe(): Array<{ name: string; kind: string }> {
    return WebAssembly.Module.exports(wasmModule);
  }
  /** Stores one chunk of bars for a later `run` with the same job id (bars over the RPC size cap). */
  stage(jobId: string, total: number, offset: number, chunk: BarColumns): { received: number } {
    return stageBars(jobId, total, offset, chunk);
  }
  /** Runs a whole backtest inside the child. */
  run(request: SandboxRunRequest): SandboxRunResult {
    return runSandboxJob(wasmModule, request, candleText);
  }
}
