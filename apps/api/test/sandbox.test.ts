import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { defined } from "./helpers.ts";
import { loadWasmSandbox } from "./smoke-sandbox.ts";

function smokeWasm(): Uint8Array {
  return Uint8Array.from(atob(inject("smokeWasmBase64")), (c) => c.charCodeAt(0));
}

describe("Worker Loader sandbox", () => {
  it("runs a WASM module built in the repo, read back from R2, in a child isolate", async () => {
    const key = "artifacts/test/smoke.wasm";
    await env.STRATEGY_ARTIFACTS.put(key, smokeWasm());
    const object = await env.STRATEGY_ARTIFACTS.get(key);
    const wasm = await defined(object, "the stored module").arrayBuffer();

    const sandbox = loadWasmSandbox(env.LOADER, { id: `smoke-${crypto.randomUUID()}`, wasm });
    const exported = (await sandbox.describe()).map((e) => e.name).sort();
    expect(exported).toEqual(["alloc", "memory", "sum_f64"]);

    const values = Float64Array.from({ length: 10_000 }, (_, i) => (i % 7) * 0.25 - 0.5);
    const expected = values.reduce((sum, v) => sum + v, 0);
    expect(await sandbox.sumF64(values)).toBe(expected);
  });

  it("cannot compile the same bytes in the parent isolate (why the sandbox exists)", async () => {
    // Workers' types omit compile() from bytes for exactly this reason; call it anyway to prove it.
    const compile = (WebAssembly as unknown as { compile(bytes: BufferSource): Promise<unknown> }).compile;
    await expect(compile(smokeWasm())).rejects.toThrow(/disallowed/i);
  });
});
