/**
 * Test fixture (the first Worker Loader spike, kept as the smallest proof that the platform runs Wasm
 * from R2 in a child isolate; production runs strategies through `domain/strategies/runtimes/wasm.ts`).
 *
 * Runs WebAssembly that came from storage (R2) inside a Worker Loader child isolate. workerd refuses to
 * compile Wasm from bytes in the parent ("Wasm code generation disallowed by embedder"); handing the
 * bytes to a child as a `wasm` module is the supported path, and the child gets no network
 * (`globalOutbound: null`) and no bindings.
 *
 * The child's code is a fixed host module written by us; only the Wasm is untrusted. Calls cross the
 * isolate boundary by RPC (~0.2 ms each), so callers must batch work, never call per bar.
 */

import { SANDBOX_COMPATIBILITY_DATE } from "../src/domain/strategies/runtimes/wasm.ts";

/** The host module every sandbox runs: instantiates the module once, exposes batch entry points. */
const HOST_MODULE = `
import { WorkerEntrypoint } from "cloudflare:workers";
import wasmModule from "./strategy.wasm";

let instance;
function exports() {
  instance ??= new WebAssembly.Instance(wasmModule, {});
  return instance.exports;
}

export default class WasmHost extends WorkerEntrypoint {
  /** Export names and kinds, for validation and diagnostics. */
  describe() {
    return WebAssembly.Module.exports(wasmModule);
  }
  /** Copies the values into linear memory and returns the module's sum_f64 over them. */
  sumF64(values) {
    const e = exports();
    const ptr = e.alloc(values.length * 8);
    new Float64Array(e.memory.buffer, ptr, values.length).set(values);
    return e.sum_f64(ptr, values.length);
  }
}
`;

export interface WasmSandboxOptions {
  /** Cache key for the isolate: use the artifact's content hash, so equal bytes share an isolate. */
  id: string;
  wasm: ArrayBuffer;
  /** CPU budget per request into the sandbox. */
  cpuMs?: number;
}

export interface WasmHostStub {
  describe(): Promise<Array<{ name: string; kind: string }>>;
  sumF64(values: Float64Array): Promise<number>;
}

export function loadWasmSandbox(loader: WorkerLoader, options: WasmSandboxOptions): WasmHostStub {
  const worker = loader.get(options.id, () => ({
    compatibilityDate: SANDBOX_COMPATIBILITY_DATE,
    mainModule: "host.js",
    modules: {
      "host.js": HOST_MODULE,
      "strategy.wasm": { wasm: options.wasm },
    },
    globalOutbound: null,
    limits: { cpuMs: options.cpuMs ?? 5_000, subRequests: 0 },
  }));
  return worker.getEntrypoint() as unknown as WasmHostStub;
}
