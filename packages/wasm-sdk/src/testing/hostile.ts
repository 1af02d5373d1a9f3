/**
 * Hand-assembled strategy modules for the sandbox tests: valid, import-free modules that satisfy an
 * ABI's exports and then trap, loop, hoard memory or answer garbage (plus two small well-behaved
 * ones, "hold" and "sizes"). Built with the tiny encoder in ./wasm-builder.ts (no WAT toolchain needed).
 *
 * @module
 */

import { buildWasm, type FuncSpec, I32, sleb } from "./wasm-builder.ts";

const END_LOOP = 0x0b;
/** `i32.const v`. */
function i32(v: number): number[] {
  return [0x41, ...sleb(v)];
}

// Every buffer the host asks for lives at 1024: the tests' modules never need two at once.
const ALLOC: FuncSpec = { export: "alloc", params: [I32], results: [I32], body: i32(1024) };

/** Behaviours of {@link hostileColumnarModule}'s `qg_signals` (and `qg_abi_version`). */
export type ColumnarBehaviour =
  | "hold" // well-behaved: every bar HOLD
  | "trap" // `unreachable`
  | "loop" // loops forever
  | "grow" // memory.grow until it fails, then returns 0
  | "bad-action" // writes action code 7 for every bar
  | "error-code" // returns -5
  | "abi-version" // claims columnar ABI version 2
  | "sizes" // well-behaved with sizes: BUY 2.5 units at bar 0 of every batch (qg_uses_sizes = 1)
  | "bad-size"; // BUY with size -1 at bar 0

/** A columnar-ABI module (80 pages of memory: room for one 65,536-bar batch at offset 1024). */
export function hostileColumnarModule(behaviour: ColumnarBehaviour): Uint8Array<ArrayBuffer> {
  let signals: number[];
  switch (behaviour) {
    case "trap":
      signals = [0x00];
      break;
    case "loop":
      signals = [0x03, 0x40, 0x0c, 0x00, END_LOOP, ...i32(0)];
      break;
    case "grow":
      // loop { br_if 0 (memory.grow(16) != -1) } ; return 0
      signals = [0x03, 0x40, ...i32(16), 0x40, 0x00, ...i32(-1), 0x47, 0x0d, 0x00, END_LOOP, ...i32(0)];
      break;
    case "bad-action":
      // memory.fill(outPtr, 7, n)
      signals = [0x20, 0x02, ...i32(7), 0x20, 0x01, 0xfc, 0x0b, 0x00, ...i32(0)];
      break;
    case "error-code":
      signals = i32(-5);
      break;
    case "sizes":
    case "bad-size": {
      const size = behaviour === "sizes" ? 2.5 : -1;
      const f64 = Array.from(new Uint8Array(Float64Array.of(size).buffer));
      signals = [
        // out[0] = BUY (i32.store8 align=0 offset=0)
        0x20,
        0x02,
        ...i32(1),
        0x3a,
        0x00,
        0x00,
        // f64 at outPtr + ((n + 7) & ~7) = size (f64.store align=3 offset=0)
        0x20,
        0x02,
        0x20,
        0x01,
        ...i32(7),
        0x6a,
        ...i32(-8),
        0x71,
        0x6a,
        0x44,
        ...f64,
        0x39,
        0x03,
        0x00,
        ...i32(0),
      ];
      break;
    }
    default:
      signals = i32(0);
  }
  return buildWasm({
    memory: { min: 80 },
    funcs: [
      ALLOC,
      {
        export: "qg_abi_version",
        params: [],
        results: [I32],
        body: i32(behaviour === "abi-version" ? 2 : 1),
      },
      { export: "qg_init", params: [I32, I32], results: [I32], body: i32(0) },
      { export: "qg_signals", params: [I32, I32, I32], results: [I32], body: signals },
      {
        export: "qg_uses_sizes",
        params: [],
        results: [I32],
        body: i32(behaviour === "sizes" || behaviour === "bad-size" ? 1 : 0),
      },
    ],
  });
}

/** Behaviours of {@link hostileJsonModule}'s `signal`. */
export type JsonBehaviour =
  | "invalid-json" // answers `xx`
  | "huge-length" // signal_len() returns 2^31 - 1
  | "bad-pointer"; // returns a pointer past the end of memory

/** A JSON-ABI module (2 pages of memory) answering garbage. */
export function hostileJsonModule(behaviour: JsonBehaviour): Uint8Array<ArrayBuffer> {
  // Writes "xx" at 60000 (i32.store16 align=0 offset=0) and returns that pointer (or a bad one).
  const signal = [
    ...i32(60_000),
    ...i32(0x7878),
    0x3b,
    0x00,
    0x00,
    ...i32(behaviour === "bad-pointer" ? 0x7fff0000 : 60_000),
  ];
  return buildWasm({
    memory: { min: 2 },
    funcs: [
      ALLOC,
      { export: "signal", params: [I32, I32], results: [I32], body: signal },
      {
        export: "signal_len",
        params: [],
        results: [I32],
        body: i32(behaviour === "huge-length" ? 0x7fffffff : 2),
      },
    ],
  });
}

/** A module importing `env.abort` (as AssemblyScript emits without `--use abort=`): must be rejected. */
export function importingModule(): Uint8Array<ArrayBuffer> {
  return buildWasm({
    imports: [{ module: "env", name: "abort", params: [I32, I32, I32, I32], results: [] }],
    memory: { min: 1 },
    funcs: [
      ALLOC,
      { export: "signal", params: [I32, I32], results: [I32], body: i32(0) },
      { export: "signal_len", params: [], results: [I32], body: i32(0) },
    ],
  });
}

/**
 * A JSON-ABI module whose `signal` runs a bulk memory operation `times` times on `bytes` bytes
 * (`memory.fill(0, 0, bytes)` or `memory.copy(0, 16, bytes)`), then answers `{"action":"HOLD"}`.
 * Its memory is just large enough. A loop of `times` iterations costs `times` units of loop fuel;
 * what the operations cost is what bulk metering adds.
 */
export function bulkMemoryModule(op: "fill" | "copy", times: number, bytes: number): Uint8Array<ArrayBuffer> {
  const bulk =
    op === "fill"
      ? [...i32(0), ...i32(0), ...i32(bytes), 0xfc, 0x0b, 0x00]
      : [...i32(0), ...i32(16), ...i32(bytes), 0xfc, 0x0a, 0x00, 0x00];
  const signal = [
    ...i32(times),
    0x21,
    0x02, // local.set 2: iterations left
    0x03,
    0x40, // loop
    ...bulk,
    0x20,
    0x02,
    ...i32(1),
    0x6b,
    0x22,
    0x02, // local.tee 2 (left - 1)
    0x0d,
    0x00, // br_if 0
    END_LOOP,
    // {"action":"HOLD"} at 8 (the host refuses pointer 0), four bytes at a time (i32.store align=2),
    // then "}" (i32.store8)
    ...[0x6361227b, 0x6e6f6974, 0x48223a22, 0x22444c4f].flatMap((word, k) => [
      ...i32(8 + 4 * k),
      ...i32(word),
      0x36,
      0x02,
      0x00,
    ]),
    ...i32(24),
    ...i32(0x7d),
    0x3a,
    0x00,
    0x00,
    ...i32(8),
  ];
  return buildWasm({
    memory: { min: Math.ceil((bytes + 16) / 65_536) + 1 },
    funcs: [
      ALLOC,
      { export: "signal", params: [I32, I32], results: [I32], locals: [I32], body: signal },
      { export: "signal_len", params: [], results: [I32], body: i32(17) },
    ],
  });
}
