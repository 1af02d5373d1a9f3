/**
 * A tiny WebAssembly binary encoder for tests: builds small modules (hostile strategies, broken
 * binaries) byte by byte without a WAT toolchain. Only what the tests need: function types, imports,
 * one memory, functions with raw instruction bytes, exports and custom sections.
 *
 * @module
 */

import { sleb, uleb } from "../binary.ts";

export { sleb, uleb };

/** Value type codes of the binary format. */
export const I32 = 0x7f;
/** `i64`. */
export const I64 = 0x7e;
/** `f32`. */
export const F32 = 0x7d;
/** `f64`. */
export const F64 = 0x7c;

/** A function defined by the module. `body` is the instruction bytes without the final `end`. */
export interface FuncSpec {
  /** Exported under this name when set. */
  readonly export?: string;
  readonly params: readonly number[];
  readonly results: readonly number[];
  /** Extra locals, each one value type. */
  readonly locals?: readonly number[];
  readonly body: readonly number[];
}

/** An imported function. */
export interface ImportSpec {
  readonly module: string;
  readonly name: string;
  readonly params: readonly number[];
  readonly results: readonly number[];
}

/** What {@link buildWasm} encodes. */
export interface ModuleSpec {
  readonly imports?: readonly ImportSpec[];
  /** Linear memory in 64 KiB pages; exported as `memory` unless `exportName` is null. */
  readonly memory?: {
    readonly min: number;
    readonly max?: number;
    readonly exportName?: string | null;
    /** A shared (threads) memory; needs `max`. */
    readonly shared?: boolean;
  };
  readonly funcs?: readonly FuncSpec[];
  readonly custom?: ReadonlyArray<{ readonly name: string; readonly bytes: readonly number[] }>;
}

function name(s: string): number[] {
  const b = Array.from(new TextEncoder().encode(s));
  return [...uleb(b.length), ...b];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

/**
 * Encodes a module. Types are not deduplicated (one per function); fine for tests.
 *
 * @example
 * ```ts
 * const loopForever = buildWasm({ funcs: [{ export: "run", params: [], results: [], body: [0x03, 0x40, 0x0c, 0x00, 0x0b] }] });
 * ```
 */
export function buildWasm(spec: ModuleSpec): Uint8Array<ArrayBuffer> {
  const imports = spec.imports ?? [];
  const funcs = spec.funcs ?? [];
  const types = [...imports, ...funcs].map((f) => [
    0x60,
    ...vec(f.params.map((p) => [p])),
    ...vec(f.results.map((r) => [r])),
  ]);
  const bytes: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (types.length > 0) bytes.push(...section(1, vec(types)));
  if (imports.length > 0) {
    bytes.push(
      ...section(2, vec(imports.map((im, i) => [...name(im.module), ...name(im.name), 0x00, ...uleb(i)]))),
    );
  }
  if (funcs.length > 0) bytes.push(...section(3, vec(funcs.map((_, i) => uleb(imports.length + i)))));
  const mem = spec.memory;
  if (mem !== undefined) {
    const limits =
      mem.max === undefined
        ? [0x00, ...uleb(mem.min)]
        : [mem.shared ? 0x03 : 0x01, ...uleb(mem.min), ...uleb(mem.max)];
    bytes.push(...section(5, vec([limits])));
  }
  const exports: number[][] = [];
  if (mem !== undefined && mem.exportName !== null)
    exports.push([...name(mem.exportName ?? "memory"), 0x02, 0x00]);
  funcs.forEach((f, i) => {
    if (f.export !== undefined) exports.push([...name(f.export), 0x00, ...uleb(imports.length + i)]);
  });
  if (exports.length > 0) bytes.push(...section(7, vec(exports)));
  if (funcs.length > 0) {
    const bodies = funcs.map((f) => {
      const locals = vec((f.locals ?? []).map((t) => [0x01, t]));
      const body = [...locals, ...f.body, 0x0b];
      return [...uleb(body.length), ...body];
    });
    bytes.push(...section(10, vec(bodies)));
  }
  for (const c of spec.custom ?? []) bytes.push(...section(0, [...name(c.name), ...c.bytes]));
  return Uint8Array.from(bytes);
}
