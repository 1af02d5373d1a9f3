import { describe, expect, it } from "vitest";
import { FUEL_EXPORT, meterWasm } from "./meter.ts";
import { builtModule } from "./testing/built.ts";
import {
  buildWasm,
  bulkMemoryModule,
  hostileColumnarModule,
  hostileJsonModule,
  I32,
  importingModule,
} from "./testing/index.ts";
import {
  capWasmMemory,
  DEFAULT_MEMORY_LIMIT_BYTES,
  inspectWasm,
  MAX_MODULE_BYTES,
  validateWasmModule,
} from "./validate.ts";

const built = builtModule;

describe("validateWasmModule on the built example modules", () => {
  it("accepts sma-crossover as a columnar-ABI module with no imports", () => {
    const bytes = built("sma-crossover");
    const v = validateWasmModule(bytes);
    expect(v.errors).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.abi).toBe("columnar");
    expect(v.info?.imports).toEqual([]);
    const names = v.info?.exports.map((e) => e.name).sort();
    expect(names).toEqual(
      expect.arrayContaining(["alloc", "memory", "qg_abi_version", "qg_init", "qg_signals"]),
    );
    // The parser agrees with the engine's own reading of the exports.
    const engine = WebAssembly.Module.exports(new WebAssembly.Module(bytes))
      .map((e) => e.name)
      .sort();
    expect(names).toEqual(engine);
    expect(v.info?.exports.find((e) => e.name === "qg_signals")?.signature).toEqual({
      params: ["i32", "i32", "i32"],
      results: ["i32"],
    });
  });

  it("accepts json-sma-crossover as a JSON-ABI module and lists what the columnar ABI misses", () => {
    const v = validateWasmModule(built("json-sma-crossover"));
    expect(v.ok).toBe(true);
    expect(v.abi).toBe("json");
    expect(v.missing.json).toEqual([]);
    expect(v.missing.columnar).toEqual([
      'function export "qg_abi_version" () -> i32',
      'function export "qg_init" (i32, i32) -> i32',
      'function export "qg_signals" (i32, i32, i32) -> i32',
    ]);
    const strict = validateWasmModule(built("json-sma-crossover"), { abi: "columnar" });
    expect(strict.ok).toBe(false);
    expect(strict.errors.join("\n")).toMatch(
      /not a columnar-ABI module: missing function export "qg_abi_version"/,
    );
  });

  it("honours overridden JSON-ABI export names", () => {
    const v = validateWasmModule(built("json-sma-crossover"), {
      names: { exportedFunction: "decide", resultLengthFunction: "decide_len", allocFunction: "malloc" },
    });
    expect(v.ok).toBe(false);
    expect(v.missing.json).toEqual([
      'function export "malloc" (i32) -> i32',
      'function export "decide" (i32, i32) -> i32',
      'function export "decide_len" () -> i32',
    ]);
  });
});

describe("validateWasmModule on broken binaries", () => {
  it("rejects a file that is not WebAssembly", () => {
    const v = validateWasmModule(new TextEncoder().encode("#!/bin/sh\necho hi\n"));
    expect(v.ok).toBe(false);
    expect(v.errors[0]).toMatch(/does not start with \\0asm/);
  });

  it("rejects an unsupported binary version", () => {
    const v = validateWasmModule(Uint8Array.of(0, 0x61, 0x73, 0x6d, 2, 0, 0, 0));
    expect(v.errors[0]).toMatch(/unsupported WebAssembly binary version 2/);
  });

  it("rejects a truncated module", () => {
    const bytes = hostileColumnarModule("hold");
    const v = validateWasmModule(bytes.subarray(0, bytes.length - 5));
    expect(v.ok).toBe(false);
    expect(v.errors[0]).toMatch(/runs past the end of the file/);
  });

  it("rejects modules over the size limit", () => {
    const v = validateWasmModule(new Uint8Array(MAX_MODULE_BYTES + 1));
    expect(v.errors[0]).toMatch(/over the limit of 8388608 bytes/);
  });

  it("rejects imports, naming them", () => {
    const v = validateWasmModule(importingModule());
    expect(v.ok).toBe(false);
    expect(v.errors).toContain('imports function "env.abort"; strategy modules must import nothing');
  });

  it("reports missing exports and wrong signatures", () => {
    const bytes = buildWasm({
      memory: { min: 1 },
      funcs: [
        { export: "alloc", params: [I32], results: [I32], body: [0x41, 0x00] },
        { export: "qg_signals", params: [I32, I32], results: [I32], body: [0x41, 0x00] },
      ],
    });
    const v = validateWasmModule(bytes);
    expect(v.ok).toBe(false);
    expect(v.missing.columnar).toEqual([
      'function export "qg_abi_version" () -> i32',
      'function export "qg_init" (i32, i32) -> i32',
      '"qg_signals" must be (i32, i32, i32) -> i32, it is (i32, i32) -> i32',
    ]);
  });

  it("requires an exported memory", () => {
    const bytes = buildWasm({ memory: { min: 1, exportName: null } });
    const v = validateWasmModule(bytes);
    expect(v.missing.columnar[0]).toBe('memory export "memory"');
  });

  it("accepts the hand-made hostile modules (they are well-formed; the sandbox catches them)", () => {
    expect(validateWasmModule(hostileColumnarModule("loop")).abi).toBe("columnar");
    expect(validateWasmModule(hostileJsonModule("invalid-json")).abi).toBe("json");
    expect(validateWasmModule(bulkMemoryModule("fill", 2_000, 15 * 1024 * 1024)).abi).toBe("json");
  });
});

/** A JSON-ABI module, valid but for `memory` and what `signal` runs. */
function jsonModule(
  memory: { min: number; max?: number; shared?: boolean },
  signal: number[] = [0x41, 0x00],
) {
  return buildWasm({
    memory,
    funcs: [
      { export: "alloc", params: [I32], results: [I32], body: [0x41, 0x00] },
      { export: "signal", params: [I32, I32], results: [I32], body: signal },
      { export: "signal_len", params: [], results: [I32], body: [0x41, 0x02] },
    ],
  });
}

describe("validateWasmModule refuses at upload what the sandbox cannot run", () => {
  it("an initial memory above the sandbox's limit (256 MiB)", () => {
    expect(DEFAULT_MEMORY_LIMIT_BYTES).toBe(256 * 1024 * 1024);
    expect(validateWasmModule(jsonModule({ min: 4096 })).ok).toBe(true);
    for (const [min, text] of [
      [4097, "4097 pages (256.1 MiB)"],
      [65_536, "65536 pages (4096 MiB)"],
    ] as const) {
      const v = validateWasmModule(jsonModule({ min }));
      expect(v.ok).toBe(false);
      expect(v.errors).toEqual([
        `memory starts at ${text}, over the sandbox's limit of 4096 pages (256 MiB)`,
      ]);
    }
    // A lower limit, e.g. a deployment's smaller cap.
    expect(validateWasmModule(jsonModule({ min: 17 }), { maxMemoryBytes: 1024 * 1024 }).errors).toEqual([
      "memory starts at 17 pages (1.1 MiB), over the sandbox's limit of 16 pages (1 MiB)",
    ]);
  });

  it("atomic (threads) instructions, on any memory", () => {
    // i32.const 0; i32.atomic.load align=2 offset=0
    const v = validateWasmModule(jsonModule({ min: 1 }, [0x41, 0x00, 0xfe, 0x10, 0x02, 0x00]));
    expect(v.ok).toBe(false);
    expect(v.errors).toEqual([
      "function 1: uses atomic (threads) instructions (prefix 0xfe); strategy modules run single-threaded",
    ]);
    // atomic.fence
    expect(validateWasmModule(jsonModule({ min: 1 }, [0xfe, 0x03, 0x00, 0x41, 0x00])).ok).toBe(false);
  });

  it("a shared memory", () => {
    const v = validateWasmModule(jsonModule({ min: 1, max: 1, shared: true }));
    expect(v.ok).toBe(false);
    expect(v.errors).toEqual(["memory must be a plain (non-shared, 32-bit) memory"]);
  });

  it("any other instruction the fuel meter does not know", () => {
    // try (exceptions): 0x06
    const v = validateWasmModule(jsonModule({ min: 1 }, [0x06, 0x40, 0x0b, 0x41, 0x00]));
    expect(v.errors).toEqual([
      "function 1: unsupported instruction 0x6 (exceptions, atomics and GC are not allowed)",
    ]);
  });
});

describe("capWasmMemory", () => {
  it("sets a maximum the engine enforces", async () => {
    const capped = capWasmMemory(hostileColumnarModule("grow"), 100);
    expect(inspectWasm(capped).memory).toEqual({ min: 80, max: 100, shared: false, memory64: false });
    const { instance } = await WebAssembly.instantiate(capped, {});
    const memory = instance.exports.memory as WebAssembly.Memory;
    expect(() => memory.grow(21)).toThrow(RangeError);
    memory.grow(20);
    expect(memory.buffer.byteLength).toBe(100 * 65_536);
  });

  it("keeps a smaller declared maximum and leaves the rest of the module intact", async () => {
    const bytes = buildWasm({
      memory: { min: 1, max: 2 },
      funcs: [{ export: "f", params: [], results: [I32], body: [0x41, 0x2a] }],
    });
    const capped = capWasmMemory(bytes, 100);
    expect(inspectWasm(capped).memory?.max).toBe(2);
    const { instance } = await WebAssembly.instantiate(capped, {});
    expect((instance.exports.f as () => number)()).toBe(42);
  });

  it("refuses a module that starts above the cap", () => {
    expect(() => capWasmMemory(hostileColumnarModule("hold"), 10)).toThrow(/80 pages, over the cap of 10/);
  });
});

describe("meterWasm", () => {
  it("keeps the example modules valid and their behaviour unchanged, adding the fuel export", async () => {
    for (const name of ["sma-crossover", "json-sma-crossover"]) {
      const metered = meterWasm(built(name));
      const info = inspectWasm(metered);
      expect(info.exports.map((e) => e.name)).toContain(FUEL_EXPORT);
      expect(validateWasmModule(metered).abi).toBe(null); // only because of the reserved export
      expect(validateWasmModule(metered).errors).toHaveLength(1);
    }
    const { instance } = await WebAssembly.instantiate(meterWasm(built("smoke")), {});
    const e = instance.exports as {
      alloc(n: number): number;
      sum_f64(p: number, n: number): number;
      memory: WebAssembly.Memory;
      __qg_fuel: WebAssembly.Global;
    };
    const ptr = e.alloc(80);
    new Float64Array(e.memory.buffer, ptr, 10).set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    e.__qg_fuel.value = 1_000;
    expect(e.sum_f64(ptr, 10)).toBe(55);
    expect(e.__qg_fuel.value).toBeLessThan(1_000);
    e.__qg_fuel.value = 3;
    expect(() => e.sum_f64(ptr, 10)).toThrow(/unreachable/);
    expect(e.__qg_fuel.value).toBe(0);
  });

  it("stops an infinite loop when the fuel runs out", async () => {
    const { instance } = await WebAssembly.instantiate(meterWasm(hostileColumnarModule("loop")), {});
    const e = instance.exports as {
      qg_signals(a: number, b: number, c: number): number;
      __qg_fuel: WebAssembly.Global;
    };
    e.__qg_fuel.value = 1_000_000;
    expect(() => e.qg_signals(1024, 1, 2048)).toThrow(/unreachable/);
  });

  it("a metered module cannot be uploaded (its fuel export is reserved)", () => {
    const v = validateWasmModule(meterWasm(hostileColumnarModule("hold")));
    expect(v.errors).toContain('exports "__qg_fuel", a name reserved for the sandbox\'s fuel metering');
  });

  it("refuses modules with imports", () => {
    expect(() => meterWasm(importingModule())).toThrow(/imports cannot be metered/);
  });
});
