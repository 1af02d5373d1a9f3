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

import { ByteReader, uleb, WasmFormatError } from "./binary.ts";

/** Name under which a metered module exports its fuel global (mutable i32). */
export const FUEL_EXPORT = "__qg_fuel";

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

/** Copies one function body, inserting the fuel check after every `loop` header. */
function meterBody(bytes: Uint8Array, start: number, end: number, check: number[]): number[] {
  const c = new Cursor(bytes, start, end);
  const groups = c.u32();
  for (let i = 0; i < groups; i++) {
    c.u32();
    c.byte();
  }
  const out: number[] = Array.from(bytes.subarray(start, c.pos));
  let copied = c.pos;
  while (c.pos < end) {
    const op = c.byte();
    switch (op) {
      case 0x02:
      case 0x04:
        c.blockType();
        break;
      case 0x03:
        c.blockType();
        out.push(...bytes.subarray(copied, c.pos), ...check);
        copied = c.pos;
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
  out.push(...bytes.subarray(copied, end));
  return out;
}

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
 * {@link FUEL_EXPORT} (initially 0: the host must set it before calling in) and a check at every
 * loop header that traps with `unreachable` when the fuel is 0 and otherwise decrements it.
 * Throws {@link WasmFormatError} for instructions it does not know (exceptions, atomics, GC).
 */
export function meterWasm(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
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
  if (sections.some((s) => s.id === 2)) throw new WasmFormatError("modules with imports cannot be metered");
  const globalSection = sections.find((s) => s.id === 6);
  let globalCount = 0;
  let globalRest: number[] = [];
  if (globalSection !== undefined) {
    const c = new Cursor(globalSection.content, 0, globalSection.content.length);
    globalCount = c.u32();
    globalRest = Array.from(globalSection.content.subarray(c.pos));
  }
  const fuel = globalCount; // no imported globals, so the new global's index is the count
  const newGlobals = [...uleb(globalCount + 1), ...globalRest, 0x7f, 0x01, 0x41, 0x00, 0x0b];
  const check = fuelCheck(fuel);

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
        const body = meterBody(s.content, c.pos, c.pos + size, check);
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
