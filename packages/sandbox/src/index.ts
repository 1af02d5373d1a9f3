/**
 * `@quantago/sandbox`: the code that runs inside a Worker Loader child next to a user's WebAssembly
 * strategy (both ABIs, then the engine), and the build that turns it into one JS module string
 * (`@quantago/sandbox/host-module`). Exported here for Node tests and benchmarks.
 *
 * @module
 */

export type { ExecutionConfig, Metrics, SignalColumns, TradeColumns } from "@quantago/engine";
export type { BarColumns } from "@quantago/strategies";
export type { ColumnarExports, ColumnarOptions } from "./columnar.ts";
export {
  asColumnarExports,
  DEFAULT_BATCH_SIZE,
  DEFAULT_MEMORY_CAP_BYTES,
  runColumnarSignals,
} from "./columnar.ts";
export type { SandboxFailureCode } from "./errors.ts";
export { mib, SandboxError } from "./errors.ts";
export type {
  SandboxJsonOptions,
  SandboxRunFailure,
  SandboxRunRequest,
  SandboxRunResult,
  SandboxRunSuccess,
} from "./host.ts";
export { DEFAULT_RUN_WALL_TIME_MS, runSandboxJob, stageBars } from "./host.ts";
export type { JsonAbiExportNames, JsonAbiOptions } from "./json-abi.ts";
export { createJsonAbiStrategy } from "./json-abi.ts";
