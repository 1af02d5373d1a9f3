/**
 * Validation of uploaded strategy modules without compiling them: workerd cannot run
 * `new WebAssembly.Module(bytes)` in the API Worker, so the section headers are parsed here. Checks
 * the header, the size, that nothing is imported, and which ABI the exports satisfy (columnar or the
 * published JSON ABI, see ABI.md), and reports exactly what is missing. {@link capWasmMemory}
 * rewrites the memory limits so the engine itself enforces a memory cap.
 *
 * Pure: usable in the API Worker, in Node and in tests.
 *
 * @module
 */

import { ByteReader, uleb, WasmFormatError } from "./binary.ts";
import { checkMeterable } from "./meter.ts";

/** Largest module accepted by default (8 MiB). */
export const MAX_MODULE_BYTES = 8 * 1024 * 1024;
/** Size of a WebAssembly memory page. */
export const WASM_PAGE_BYTES = 65_536;
/**
 * The memory a strategy module may use in the sandbox by default (256 MiB, the sandbox host's cap):
 * a module whose memory starts above it could never be instantiated there, so validation refuses it.
 */
export const DEFAULT_MEMORY_LIMIT_BYTES = 256 * 1024 * 1024;

/** Kind of an import or export. */
export type ExternKind = "function" | "table" | "memory" | "global" | "tag";

/** A function signature as value type names (`i32`, `i64`, `f32`, `f64`, `v128`, ...). */
export interface FuncSignature {
  readonly params: readonly string[];
  readonly results: readonly string[];
}

/** One import of the module. */
export interface WasmImport {
  readonly module: string;
  readonly name: string;
  readonly kind: ExternKind;
}

/** One export of the module; `signature` for functions. */
export interface WasmExport {
  readonly name: string;
  readonly kind: ExternKind;
  readonly signature: FuncSignature | null;
}

/** Limits of the module's own memory, in 64 KiB pages (`max` null when unbounded). */
export interface MemoryLimits {
  readonly min: number;
  readonly max: number | null;
  readonly shared: boolean;
  readonly memory64: boolean;
}

/** What {@link inspectWasm} reads from the section headers. */
export interface WasmInfo {
  readonly size: number;
  readonly imports: readonly WasmImport[];
  readonly exports: readonly WasmExport[];
  /** The module's first defined memory, null if it defines none. */
  readonly memory: MemoryLimits | null;
  /** Byte range of the memory section (id, size and content), null if there is none. */
  readonly memorySection: { readonly start: number; readonly end: number } | null;
}

/** Export names of the published JSON ABI, overridable per strategy (docs/compatibility.md#runtimes). */
export interface JsonAbiNames {
  exportedFunction?: string;
  resultLengthFunction?: string;
  allocFunction?: string;
  deallocFunction?: string;
}

/** The JSON ABI names with defaults applied. */
export interface ResolvedJsonAbiNames {
  readonly exportedFunction: string;
  readonly resultLengthFunction: string;
  readonly allocFunction: string;
  readonly deallocFunction: string;
}

/** Which strategy ABI a module satisfies. */
export type StrategyAbi = "columnar" | "json";

/** Result of {@link validateWasmModule}. */
export interface WasmValidation {
  /** True when the module is well-formed, imports nothing and satisfies `abi`. */
  readonly ok: boolean;
  /** The ABI satisfied (columnar preferred when both are), null if none. */
  readonly abi: StrategyAbi | null;
  /** Human-readable problems that make the module unusable, empty when `ok`. */
  readonly errors: readonly string[];
  /** What is missing or wrong for each ABI (empty array: satisfied). */
  readonly missing: { readonly columnar: readonly string[]; readonly json: readonly string[] };
  readonly jsonNames: ResolvedJsonAbiNames;
  /** Null when the binary could not be parsed. */
  readonly info: WasmInfo | null;
}

/** Thrown by {@link inspectWasm} on a malformed binary. */
export { WasmFormatError };

const KINDS: readonly ExternKind[] = ["function", "table", "memory", "global", "tag"];
const VALTYPES: Readonly<Record<number, string>> = {
  127: "i32",
  126: "i64",
  125: "f32",
  124: "f64",
  123: "v128",
  112: "funcref",
  111: "externref",
};

class Reader extends ByteReader {
  name(): string {
    const len = this.u32();
    if (this.pos + len > this.end)
      throw new WasmFormatError(`name runs past its section at byte ${this.pos}`);
    const s = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true }).decode(
      this.bytes.subarray(this.pos, this.pos + len),
    );
    this.pos += len;
    return s;
  }
  limits(): MemoryLimits {
    const flags = this.byte();
    if (flags > 0x07) throw new WasmFormatError(`unknown memory limits flags 0x${flags.toString(16)}`);
    const memory64 = (flags & 0x04) !== 0;
    const read = () => (memory64 ? this.u64() : this.u32());
    const min = read();
    const max = (flags & 0x01) !== 0 ? read() : null;
    return { min, max, shared: (flags & 0x02) !== 0, memory64 };
  }
  skipTableType(): void {
    this.byte(); // reftype
    const flags = this.byte();
    this.u32();
    if ((flags & 0x01) !== 0) this.u32();
  }
}

/**
 * Reads the module's imports, exports (with function signatures) and memory limits from the section
 * headers. Throws {@link WasmFormatError} on a malformed binary. Function bodies are not decoded.
 */
export function inspectWasm(bytes: Uint8Array): WasmInfo {
  if (bytes.length < 8)
    throw new WasmFormatError(`${bytes.length} bytes is too short for a WebAssembly module`);
  if (bytes[0] !== 0x00 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new WasmFormatError("not a WebAssembly module (the file does not start with \\0asm)");
  }
  const version =
    (bytes[4] as number) |
    ((bytes[5] as number) << 8) |
    ((bytes[6] as number) << 16) |
    ((bytes[7] as number) << 24);
  if (version !== 1)
    throw new WasmFormatError(`unsupported WebAssembly binary version ${version} (expected 1)`);

  const types: FuncSignature[] = [];
  const funcTypes: number[] = []; // type index of every function, imports first
  const imports: WasmImport[] = [];
  const rawExports: Array<{ name: string; kind: ExternKind; index: number }> = [];
  let memory: MemoryLimits | null = null;
  let memorySection: { start: number; end: number } | null = null;

  const top = new Reader(bytes, 8, bytes.length);
  while (top.pos < bytes.length) {
    const start = top.pos;
    const id = top.byte();
    const size = top.u32();
    const end = top.pos + size;
    if (end > bytes.length)
      throw new WasmFormatError(`section ${id} at byte ${start} runs past the end of the file`);
    const r = new Reader(bytes, top.pos, end);
    if (id === 1) {
      const count = r.u32();
      for (let i = 0; i < count; i++) {
        const form = r.byte();
        if (form !== 0x60) {
          // GC proposal types (rec/sub/struct/array) are not used by strategy modules; stop reading types.
          break;
        }
        const params = Array.from({ length: r.u32() }, () => VALTYPES[r.byte()] ?? "?");
        const results = Array.from({ length: r.u32() }, () => VALTYPES[r.byte()] ?? "?");
        types.push({ params, results });
      }
    } else if (id === 2) {
      const count = r.u32();
      for (let i = 0; i < count; i++) {
        const module = r.name();
        const name = r.name();
        const kindByte = r.byte();
        const kind = KINDS[kindByte];
        if (kind === undefined) throw new WasmFormatError(`unknown import kind ${kindByte}`);
        if (kind === "function") funcTypes.push(r.u32());
        else if (kind === "table") r.skipTableType();
        else if (kind === "memory") r.limits();
        else if (kind === "global") {
          r.byte();
          r.byte();
        } else {
          r.byte();
          r.u32();
        }
        imports.push({ module, name, kind });
      }
    } else if (id === 3) {
      const count = r.u32();
      for (let i = 0; i < count; i++) funcTypes.push(r.u32());
    } else if (id === 5) {
      const count = r.u32();
      if (count > 0) memory = r.limits();
      memorySection = { start, end };
    } else if (id === 7) {
      const count = r.u32();
      for (let i = 0; i < count; i++) {
        const name = r.name();
        const kindByte = r.byte();
        const kind = KINDS[kindByte];
        if (kind === undefined) throw new WasmFormatError(`unknown export kind ${kindByte}`);
        rawExports.push({ name, kind, index: r.u32() });
      }
    } else if (id > 13 && id !== 0) {
      throw new WasmFormatError(`unknown section id ${id} at byte ${start}`);
    }
    top.pos = end;
  }
  const exports = rawExports.map(({ name, kind, index }) => {
    const typeIndex = kind === "function" ? funcTypes[index] : undefined;
    return { name, kind, signature: typeIndex === undefined ? null : (types[typeIndex] ?? null) };
  });
  return { size: bytes.length, imports, exports, memory, memorySection };
}

/** Pages as MiB with at most one decimal: `4097` → `256.1 MiB`. */
function mib(pages: number): string {
  return `${Math.round((pages * WASM_PAGE_BYTES * 10) / (1024 * 1024)) / 10} MiB`;
}

function sig(s: FuncSignature | null): string {
  return s === null
    ? "?"
    : `(${s.params.join(", ")}) -> ${s.results.length === 0 ? "()" : s.results.join(", ")}`;
}

function requireFunction(
  info: WasmInfo,
  name: string,
  params: readonly string[],
  results: readonly string[],
  missing: string[],
): void {
  const e = info.exports.find((x) => x.name === name);
  const want = sig({ params, results });
  if (e === undefined) missing.push(`function export "${name}" ${want}`);
  else if (e.kind !== "function") missing.push(`"${name}" must be a function ${want}, it is a ${e.kind}`);
  else if (sig(e.signature) !== want) missing.push(`"${name}" must be ${want}, it is ${sig(e.signature)}`);
}

function requireMemory(info: WasmInfo, missing: string[]): void {
  const e = info.exports.find((x) => x.name === "memory");
  if (e === undefined) missing.push('memory export "memory"');
  else if (e.kind !== "memory") missing.push(`"memory" must be a memory, it is a ${e.kind}`);
}

/** Applies the JSON ABI's default export names. */
export function resolveJsonAbiNames(names: JsonAbiNames = {}): ResolvedJsonAbiNames {
  return {
    exportedFunction: names.exportedFunction ?? "signal",
    resultLengthFunction: names.resultLengthFunction ?? "signal_len",
    allocFunction: names.allocFunction ?? "alloc",
    deallocFunction: names.deallocFunction ?? "dealloc",
  };
}

/** Options of {@link validateWasmModule}. */
export interface ValidateOptions {
  /** Size limit in bytes; default {@link MAX_MODULE_BYTES}. */
  maxBytes?: number;
  /** Overridden JSON ABI export names. */
  names?: JsonAbiNames;
  /** Require this ABI (default: either). */
  abi?: StrategyAbi;
  /** Most memory the module may start with; default {@link DEFAULT_MEMORY_LIMIT_BYTES}. */
  maxMemoryBytes?: number;
}

/**
 * Validates an uploaded strategy module: WebAssembly header, size limit, no imports, an own
 * (non-shared, 32-bit) memory starting within the sandbox's memory limit, only instructions the fuel
 * meter handles (no atomics, exceptions or GC), and the exports of the columnar ABI and/or the
 * published JSON ABI.
 *
 * @example
 * ```ts
 * const v = validateWasmModule(bytes, { names: { exportedFunction: "decide" } });
 * if (!v.ok) throw new Error(v.errors.join("; "));
 * v.abi; // "columnar" | "json"
 * ```
 */
export function validateWasmModule(bytes: Uint8Array, options: ValidateOptions = {}): WasmValidation {
  const maxBytes = options.maxBytes ?? MAX_MODULE_BYTES;
  const jsonNames = resolveJsonAbiNames(options.names);
  const errors: string[] = [];
  const fail = (info: WasmInfo | null): WasmValidation => ({
    ok: false,
    abi: null,
    errors,
    missing: { columnar: [], json: [] },
    jsonNames,
    info,
  });
  if (bytes.length > maxBytes) {
    errors.push(`module is ${bytes.length} bytes, over the limit of ${maxBytes} bytes`);
    return fail(null);
  }
  let info: WasmInfo;
  try {
    info = inspectWasm(bytes);
  } catch (e) {
    errors.push(`invalid WebAssembly binary: ${(e as Error).message}`);
    return fail(null);
  }
  for (const im of info.imports) {
    errors.push(`imports ${im.kind} "${im.module}.${im.name}"; strategy modules must import nothing`);
  }
  if (info.exports.some((e) => e.name === "__qg_fuel")) {
    errors.push('exports "__qg_fuel", a name reserved for the sandbox\'s fuel metering');
  }
  if (info.memory === null) errors.push("defines no memory of its own");
  else if (info.memory.shared || info.memory.memory64)
    errors.push("memory must be a plain (non-shared, 32-bit) memory");
  else {
    const limit = Math.floor((options.maxMemoryBytes ?? DEFAULT_MEMORY_LIMIT_BYTES) / WASM_PAGE_BYTES);
    if (info.memory.min > limit)
      errors.push(
        `memory starts at ${info.memory.min} pages (${mib(info.memory.min)}), over the sandbox's limit of ${limit} pages (${mib(limit)})`,
      );
  }
  // The sandbox meters every module before loading it; what the meter cannot read, it cannot run.
  try {
    checkMeterable(bytes);
  } catch (e) {
    if (!(e instanceof WasmFormatError)) throw e;
    errors.push(e.message);
  }

  const columnar: string[] = [];
  requireMemory(info, columnar);
  requireFunction(info, "alloc", ["i32"], ["i32"], columnar);
  requireFunction(info, "qg_abi_version", [], ["i32"], columnar);
  requireFunction(info, "qg_init", ["i32", "i32"], ["i32"], columnar);
  requireFunction(info, "qg_signals", ["i32", "i32", "i32"], ["i32"], columnar);

  const json: string[] = [];
  requireMemory(info, json);
  requireFunction(info, jsonNames.allocFunction, ["i32"], ["i32"], json);
  requireFunction(info, jsonNames.exportedFunction, ["i32", "i32"], ["i32"], json);
  requireFunction(info, jsonNames.resultLengthFunction, [], ["i32"], json);
  const dealloc = info.exports.find((x) => x.name === jsonNames.deallocFunction);
  if (dealloc !== undefined) {
    // Optional, but when present it must have the documented shape.
    const want = sig({ params: ["i32", "i32"], results: [] });
    if (dealloc.kind !== "function" || sig(dealloc.signature) !== want) {
      json.push(
        `"${jsonNames.deallocFunction}" must be ${want}, it is ${dealloc.kind === "function" ? sig(dealloc.signature) : `a ${dealloc.kind}`}`,
      );
    }
  }

  let abi: StrategyAbi | null = null;
  if (options.abi === "columnar") abi = columnar.length === 0 ? "columnar" : null;
  else if (options.abi === "json") abi = json.length === 0 ? "json" : null;
  else abi = columnar.length === 0 ? "columnar" : json.length === 0 ? "json" : null;
  if (abi === null) {
    if (options.abi !== "json") errors.push(`not a columnar-ABI module: missing ${columnar.join(", ")}`);
    if (options.abi !== "columnar") errors.push(`not a JSON-ABI module: missing ${json.join(", ")}`);
  }
  return {
    ok: errors.length === 0,
    abi: errors.length === 0 ? abi : null,
    errors,
    missing: { columnar, json },
    jsonNames,
    info,
  };
}

/**
 * Returns a copy of the module whose memory may grow to at most `maxPages` pages (64 KiB each): the
 * maximum in the memory section is set to `min(declared max, maxPages)`, so `memory.grow` fails
 * past the cap inside the engine itself, with no host check needed mid-call. Throws
 * {@link WasmFormatError} if the module has no own memory or already needs more than `maxPages`.
 */
export function capWasmMemory(bytes: Uint8Array, maxPages: number): Uint8Array<ArrayBuffer> {
  const info = inspectWasm(bytes);
  const mem = info.memory;
  const range = info.memorySection;
  if (mem === null || range === null) throw new WasmFormatError("module defines no memory");
  if (mem.shared || mem.memory64)
    throw new WasmFormatError("memory must be a plain (non-shared, 32-bit) memory");
  if (mem.min > maxPages) {
    throw new WasmFormatError(`memory starts at ${mem.min} pages, over the cap of ${maxPages} pages`);
  }
  const max = mem.max === null ? maxPages : Math.min(mem.max, maxPages);
  const r = new Reader(bytes, range.start + 1, range.end);
  r.u32(); // section size
  const count = r.u32();
  r.limits(); // the first memory, replaced below
  const rest = Array.from(bytes.subarray(r.pos, range.end));
  const content = [...uleb(count), 0x01, ...uleb(mem.min), ...uleb(max), ...rest];
  const section = [0x05, ...uleb(content.length), ...content];
  const out = new Uint8Array(bytes.length - (range.end - range.start) + section.length);
  out.set(bytes.subarray(0, range.start), 0);
  out.set(section, range.start);
  out.set(bytes.subarray(range.end), range.start + section.length);
  return out;
}
