/**
 * The little binary toolkit shared by module validation (validate.ts), loop metering (meter.ts) and
 * the test module builder: LEB128 encoding and a bounds-checked reader of WebAssembly bytes.
 */

/** The bytes are not a well-formed WebAssembly module (or not one this reader understands). */
export class WasmFormatError extends Error {
  override readonly name = "WasmFormatError";
}

/**
 * Unsigned LEB128 encoding of a 32-bit value.
 *
 * @example
 * uleb(624485); // [0xe5, 0x8e, 0x26]
 */
export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/**
 * Signed LEB128 encoding of a 32-bit value (the immediate of `i32.const`).
 *
 * @example
 * sleb(-1); // [0x7f]
 * sleb(64); // [0xc0, 0x00]
 */
export function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** Reads `bytes[pos, end)` front to back; every read past `end` throws WasmFormatError. */
export class ByteReader {
  pos: number;
  readonly bytes: Uint8Array;
  readonly end: number;

  constructor(bytes: Uint8Array, pos: number, end: number) {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
  }

  byte(): number {
    if (this.pos >= this.end) throw new WasmFormatError(`unexpected end of data at byte ${this.pos}`);
    return this.bytes[this.pos++] as number;
  }

  /** Unsigned LEB128 that must fit 32 bits. */
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 28) throw new WasmFormatError(`LEB128 integer too long at byte ${this.pos}`);
    }
    if (result > 0xffffffff) throw new WasmFormatError(`LEB128 integer out of range at byte ${this.pos}`);
    return result;
  }

  /** Unsigned LEB128 up to 64 bits, as a number (memory64 limits). */
  u64(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 63) throw new WasmFormatError(`LEB128 integer too long at byte ${this.pos}`);
    }
  }

  /** Skips a LEB128 integer of any width (signed or not). */
  leb(): void {
    while ((this.byte() & 0x80) !== 0) {
      /* continuation bytes */
    }
  }

  skip(n: number): void {
    if (this.pos + n > this.end) throw new WasmFormatError(`unexpected end of data at byte ${this.pos}`);
    this.pos += n;
  }
}
