/**
 * Fuel metering: rewrites a module so that every iteration of every loop spends one unit of fuel
 * from a mutable global the host sets before each call, and traps (`unreachable`) when it runs out.
 * This bounds a runaway loop deterministically even where the runtime's CPU limit is not enforced
 * (the local workerd runs Worker Loader children on the caller's thread and ignores `cpuMs`), and
 * turns it into a precise reason. Infinite recursion needs no fuel: it overflows the stack and traps.
 *
 * Only function bodies are decoded (to find `loop` instructions); everything else is copied.
 *
 * @module
 */

import { ByteReader, sleb, uleb, WasmFormatError } from "./binary.ts";

/** Name under which a metered module exports its fuel global (mutable i32). */
export const FUEL_EXPORT = "__qg_fuel";

/**
 * The fuel global's initial value: what the module's start function (and the data it initialises
 * with bulk instructions) may spend while it is instantiated, before the host can set a budget.
 */
export const START_FUEL = 100_000_000;

class Cursor extends ByteReader {
  memarg(): void {
    const align = this.u32();
    if ((align & 0x40) !== 0) this.u32(); // multi-memory index
    this.leb();
  }
  blockType(): void {
    const b = this.bytes[this.pos] as number;
    if (b === 0x40 || (b >= 0x6f && b <= 0x7f) || b === 0x7b) this.pos++;
    else this.leb(); // type index (s33)
  }
}

// The fuel check inserted at the top of every loop body:
//   global.get F; i32.eqz; if; unreachable; end; global.get F; i32.const 1; i32.sub; global.set F
function fuelCheck(global: number): number[] {
  const g = uleb(global);
  return [0x23, ...g, 0x45, 0x04, 0x40, 0x00, 0x0b, 0x23, ...g, 0x41, 0x01, 0x6b, 0x24, ...g];
}

/**
 * Fuel of a bulk operation beyond its length: what a call of it costs when it moves almost nothing.
 * Measured in Node (V8, the engine of workerd): a metered loop iteration takes about 0.35 ns, a
 * `memory.fill` or `memory.copy` moves 25–60 bytes per ns, and a loop doing a 64-byte operation per
 * iteration takes about 8 ns. One unit per 16 bytes plus 16 per operation keeps a unit of bulk work
 * near the time of a unit of loop work, so the per-call budgets bound both alike.
 */
export const BULK_FUEL_BASE = 16;
/** Bytes of a memory operation (`memory.fill`, `memory.copy`, `memory.init`) per unit of fuel. */
export const BULK_BYTES_PER_FUEL = 16;

/**
 * The 0xfc instructions whose cost grows with their operand on top of the stack (the length, or the
 * number of table elements), with the right shift that turns that operand into fuel units: memory
 * operations pay per 16 bytes, table operations per element.
 */
const BULK_SHIFT: Readonly<Record<number, number>> = {
  8: Math.log2(BULK_BYTES_PER_FUEL), // memory.init
  10: Math.log2(BULK_BYTES_PER_FUEL), // memory.copy
  11: Math.log2(BULK_BYTES_PER_FUEL), // memory.fill
  12: 0, // table.init
  14: 0, // table.copy
  15: 0, // table.grow
  17: 0, // table.fill
};

/**
 * The charge inserted before a bulk instruction, whose length operand `n` is on top of the stack
 * (and stays there): `cost = (n >>> shift) + BULK_FUEL_BASE`, kept in the scratch local; when the fuel
 * is below the cost, the fuel is zeroed (so the host reports an exhausted budget) and the module traps
 * before the operation runs; otherwise the cost is spent. The addition wraps only for a table
 * operand within 16 of 2^32, which traps out of bounds anyway (no table is that large).
 */
function bulkCharge(global: number, scratch: number, shift: number): number[] {
  const g = uleb(global);
  const l = uleb(scratch);
  return [
    ...[0x22, ...l], // local.tee L: n
    ...[0x23, ...g], // global.get F
    ...[0x20, ...l], // local.get L
    ...(shift > 0 ? [0x41, ...uleb(shift), 0x76] : []), // i32.const shift; i32.shr_u
    ...[0x41, ...uleb(BULK_FUEL_BASE), 0x6a], // i32.const base; i32.add
    ...[0x22, ...l], // local.tee L: cost
    0x49, // i32.lt_u: F < cost
    ...[0x04, 0x40, 0x41, 0x00, 0x24, ...g, 0x00, 0x0b], // if; F = 0; unreachable; end
    ...[0x23, ...g, 0x20, ...l, 0x6b, 0x24, ...g], // F = F - cost
  ];
}

/**
 * Decodes the instructions of one function body `[c.pos, end)` (after its locals), calling `onLoop`
 * after every `loop` header and `onBulk` before every bulk instruction of {@link BULK_SHIFT}.
 * Throws {@link WasmFormatError} for an instruction it does not know: atomics, exceptions, GC, and
 * anything newer, none of which the sandbox runs.
 */
function walkBody(
  c: Cursor,
  end: number,
  onLoop: (after: number) => void,
  onBulk: (at: number, shift: number) => void,
): void {
  while (c.pos < end) {
    const at = c.pos;
    const op = c.byte();
    switch (op) {
      case 0x02:
      case 0x04:
        c.blockType();
        break;
      case 0x03:
        c.blockType();
        onLoop(c.pos);
        break;
      case 0x0c:
      case 0x0d:
      case 0x10:
      case 0x12:
      case 0x20:
      case 0x21:
      case 0x22:
      case 0x23:
      case 0x24:
      case 0x25:
      case 0x26:
      case 0x3f:
      case 0x40:
      case 0xd2:
        c.u32();
        break;
      case 0x0e: {
        const n = c.u32();
        for (let i = 0; i <= n; i++) c.u32();
        break;
      }
      case 0x11:
      case 0x13:
        c.u32();
        c.u32();
        break;
      case 0x1c: {
        const n = c.u32();
        c.skip(n);
        break;
      }
      case 0x41:
      case 0x42:
        c.leb();
        break;
      case 0x43:
        c.skip(4);
        break;
      case 0x44:
        c.skip(8);
        break;
      case 0xd0:
        c.leb();
        break;
      case 0xfc: {
        const sub = c.u32();
        if (sub <= 7) break;
        const shift = BULK_SHIFT[sub];
        if (shift !== undefined) onBulk(at, shift);
        if (sub === 8 || sub === 10 || sub === 12 || sub === 14) {
          c.u32();
          c.u32();
        } else if (sub <= 17) c.u32();
        else throw new WasmFormatError(`unsupported instruction 0xfc ${sub}`);
        break;
      }
      case 0xfd: {
        const sub = c.u32();
        if (sub <= 11 || sub === 92 || sub === 93) c.memarg();
        else if (sub === 12 || sub === 13) c.skip(16);
        else if (sub >= 21 && sub <= 34) c.skip(1);
        else if (sub >= 84 && sub <= 91) {
          c.memarg();
          c.skip(1);
        }
        break;
      }
      case 0xfe:
        throw new WasmFormatError(
          "uses atomic (threads) instructions (prefix 0xfe); strategy modules run single-threaded",
        );
      default:
        if (op >= 0x28 && op <= 0x3e) c.memarg();
        else if (
          op === 0x00 ||
          op === 0x01 ||
          op === 0x05 ||
          op === 0x0b ||
          op === 0x0f ||
          op === 0x1a ||
          op === 0x1b ||
          op === 0xd1 ||
          (op >= 0x45 && op <= 0xc4)
        ) {
          // no immediates
        } else {
          throw new WasmFormatError(
            `unsupported instruction 0x${op.toString(16)} (exceptions, atomics and GC are not allowed)`,
          );
        }
    }
  }
}

/**
 * Reads a body's local declarations: how many groups and locals they declare, and where the groups
 * start (after their count).
 */
function readLocals(c: Cursor): { groups: number; count: number; declStart: number } {
  const groups = c.u32();
  const declStart = c.pos;
  let count = 0;
  for (let i = 0; i < groups; i++) {
    count += c.u32();
    c.byte();
  }
  return { groups, count, declStart };
}

/**
 * Copies one function body, inserting the fuel check after every `loop` header and a charge before
 * every bulk instruction. A body with bulk instructions gets one more i32 local (index
 * `params + declared locals`), where the charge keeps the operand and the cost.
 */
function meterBody(bytes: Uint8Array, start: number, end: number, fuel: number, params: number): number[] {
  const c = new Cursor(bytes, start, end);
  const locals = readLocals(c);
  const codeStart = c.pos;
  const check = fuelCheck(fuel);
  const scratch = params + locals.count;
  const code: number[] = [];
  let copied = codeStart;
  let bulk = false;
  const copyTo = (pos: number) => {
    for (let i = copied; i < pos; i++) code.push(bytes[i] as number);
    copied = pos;
  };
  walkBody(
    c,
    end,
    (after) => {
      copyTo(after);
      code.push(...check);
    },
    (at, shift) => {
      copyTo(at);
      code.push(...bulkCharge(fuel, scratch, shift));
      bulk = true;
    },
  );
  copyTo(end);
  const header = bulk
    ? [...uleb(locals.groups + 1), ...bytes.subarray(locals.declStart, codeStart), 0x01, 0x7f]
    : Array.from(bytes.subarray(start, codeStart));
  return [...header, ...code];
}

/**
 * Decodes every function body of the module as {@link meterWasm} does, without rewriting anything:
 * throws {@link WasmFormatError} (naming the function) when a body holds an instruction the meter
 * cannot handle, so such a module can be refused at upload rather than when it runs.
 */
export function checkMeterable(bytes: Uint8Array): void {
  for (const s of readSections(bytes)) {
    if (s.id !== 10) continue;
    const c = new Cursor(s.content, 0, s.content.length);
    const count = c.u32();
    for (let i = 0; i < count; i++) {
      const size = c.u32();
      const end = c.pos + size;
      if (end > s.content.length) throw new WasmFormatError(`function body ${i} runs past its section`);
      const body = new Cursor(s.content, c.pos, end);
      readLocals(body);
      try {
        walkBody(body, end, noop, noop);
      } catch (e) {
        if (e instanceof WasmFormatError) throw new WasmFormatError(`function ${i}: ${e.message}`);
        throw e;
      }
      c.pos = end;
    }
  }
}

function noop(): void {}

// Section order of the binary format (custom sections aside); tag (13) sits between memory and global.
const ORDER: Readonly<Record<number, number>> = {
  1: 1,
  2: 2,
  3: 3,
  4: 4,
  5: 5,
  13: 6,
  6: 7,
  7: 8,
  8: 9,
  9: 10,
  12: 11,
  10: 12,
  11: 13,
};

/**
 * Returns a copy of the module with fuel metering: a new mutable i32 global exported as
 * {@link FUEL_EXPORT} (initially {@link START_FUEL}, the budget of the module's start function;
 * the host sets it before every call) and a check at every
 * loop header that traps with `unreachable` when the fuel is 0 and otherwise decrements it.
 * Throws {@link WasmFormatError} for instructions it does not know (exceptions, atomics, GC).
 */
export function meterWasm(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const sections = readSections(bytes);
  if (sections.some((s) => s.id === 2)) throw new WasmFormatError("modules with imports cannot be metered");
  const params = paramCounts(sections);
  const globalSection = sections.find((s) => s.id === 6);
  let globalCount = 0;
  let globalRest: number[] = [];
  if (globalSection !== undefined) {
    const c = new Cursor(globalSection.content, 0, globalSection.content.length);
    globalCount = c.u32();
    globalRest = Array.from(globalSection.content.subarray(c.pos));
  }
  const fuel = globalCount; // no imported globals, so the new global's index is the count
  const newGlobals = [...uleb(globalCount + 1), ...globalRest, 0x7f, 0x01, 0x41, ...sleb(START_FUEL), 0x0b];

  const out: number[] = Array.from(bytes.subarray(0, 8));
  const emit = (id: number, content: ArrayLike<number>) =>
    out.push(id, ...uleb(content.length), ...Array.from(content));
  let globalsDone = false;
  let exportsDone = false;
  const emitGlobals = () => {
    if (!globalsDone) emit(6, newGlobals);
    globalsDone = true;
  };
  const name = Array.from(new TextEncoder().encode(FUEL_EXPORT));
  const fuelExport = [...uleb(name.length), ...name, 0x03, ...uleb(fuel)];
  const emitExports = (content: Uint8Array | null) => {
    if (exportsDone) return;
    if (content === null) emit(7, [0x01, ...fuelExport]);
    else {
      const c = new Cursor(content, 0, content.length);
      const count = c.u32();
      emit(7, [...uleb(count + 1), ...Array.from(content.subarray(c.pos)), ...fuelExport]);
    }
    exportsDone = true;
  };
  for (const s of sections) {
    const rank = ORDER[s.id];
    if (rank !== undefined && rank > (ORDER[6] as number)) emitGlobals();
    if (rank !== undefined && rank > (ORDER[7] as number) && s.id !== 7) emitExports(null);
    if (s.id === 6) emitGlobals();
    else if (s.id === 7) emitExports(s.content);
    else if (s.id === 10) {
      const c = new Cursor(s.content, 0, s.content.length);
      const count = c.u32();
      const bodies: number[] = [...uleb(count)];
      for (let i = 0; i < count; i++) {
        const size = c.u32();
        const body = meterBody(s.content, c.pos, c.pos + size, fuel, params[i] ?? 0);
        bodies.push(...uleb(body.length), ...body);
        c.pos += size;
      }
      emit(10, bodies);
    } else emit(s.id, s.content);
  }
  emitGlobals();
  emitExports(null);
  return Uint8Array.from(out);
}

/** The module's sections after the 8-byte header, in file order. */
function readSections(bytes: Uint8Array): Array<{ id: number; content: Uint8Array }> {
  const sections: Array<{ id: number; content: Uint8Array }> = [];
  const top = new Cursor(bytes, 8, bytes.length);
  while (top.pos < bytes.length) {
    const id = top.byte();
    const size = top.u32();
    if (top.pos + size > bytes.length)
      throw new WasmFormatError(`section ${id} runs past the end of the file`);
    sections.push({ id, content: bytes.subarray(top.pos, top.pos + size) });
    top.pos += size;
  }
  return sections;
}

/**
 * The parameter count of every defined function, in code-section order (the module imports nothing,
 * so function i of the code section is function i of the function section): the index of a body's
 * first declared local.
 */
function paramCounts(sections: ReadonlyArray<{ id: number; content: Uint8Array }>): number[] {
  const types: number[] = [];
  const typeSection = sections.find((s) => s.id === 1);
  if (typeSection !== undefined) {
    const c = new Cursor(typeSection.content, 0, typeSection.content.length);
    const count = c.u32();
    for (let i = 0; i < count; i++) {
      const form = c.byte();
      if (form !== 0x60) throw new WasmFormatError(`unsupported type form 0x${form.toString(16)}`);
      const n = c.u32();
      for (let k = 0; k < n; k++) valueType(c);
      const results = c.u32();
      for (let k = 0; k < results; k++) valueType(c);
      types.push(n);
    }
  }
  const functionSection = sections.find((s) => s.id === 3);
  if (functionSection === undefined) return [];
  const c = new Cursor(functionSection.content, 0, functionSection.content.length);
  return Array.from({ length: c.u32() }, () => {
    const index = c.u32();
    const n = types[index];
    if (n === undefined) throw new WasmFormatError(`function uses type ${index}, which is not defined`);
    return n;
  });
}

/** Skips a one-byte value type (numbers, v128, funcref, externref); others are GC types we refuse. */
function valueType(c: Cursor): void {
  const t = c.byte();
  if (!((t >= 0x7b && t <= 0x7f) || t === 0x70 || t === 0x6f))
    throw new WasmFormatError(`unsupported value type 0x${t.toString(16)}`);
}
