import { describe, expect, it } from "vitest";
import { meterWasm } from "./meter.ts";
import { bulkMemoryModule } from "./testing/index.ts";

interface BulkExports {
  signal(ptr: number, len: number): number;
  __qg_fuel: WebAssembly.Global;
}

async function metered(op: "fill" | "copy", times: number, bytes: number): Promise<BulkExports> {
  const { instance } = await WebAssembly.instantiate(meterWasm(bulkMemoryModule(op, times, bytes)), {});
  return instance.exports as unknown as BulkExports;
}

const MIB = 1024 * 1024;

describe("meterWasm on bulk memory operations", () => {
  it.each(["fill", "copy"] as const)(
    "charges memory.%s one unit per 16 bytes, plus 16 per operation",
    async (op) => {
      for (const bytes of [0, 15, 16, 1000, 65_536]) {
        const e = await metered(op, 3, bytes);
        e.__qg_fuel.value = 1_000_000;
        e.signal(0, 0);
        // 3 loop iterations, and 3 operations of (bytes >>> 4) + 16 units each.
        expect(1_000_000 - e.__qg_fuel.value, `${op} ${bytes}`).toBe(3 + 3 * (Math.floor(bytes / 16) + 16));
      }
    },
  );

  it.each(["fill", "copy"] as const)(
    "stops memory.%s of 15 MiB 2,000 times per call within a JSON call's budget of 10 M",
    async (op) => {
      const e = await metered(op, 2_000, 15 * MIB);
      e.__qg_fuel.value = 10_000_000;
      expect(() => e.signal(0, 0)).toThrow(/unreachable/);
      // Out of fuel (the host reads 0 as "exceeded its CPU budget"), after at most the budget's worth
      // of work: 10 M units are 10 operations of 15 MiB (983,056 units each), not 2,000.
      expect(e.__qg_fuel.value).toBe(0);
    },
  );

  it("charges an operation it cannot afford before doing it", async () => {
    const e = await metered("fill", 1, 1600);
    e.__qg_fuel.value = 116; // the loop takes 1, the fill needs 100 + 16
    expect(() => e.signal(0, 0)).toThrow(/unreachable/);
    expect(e.__qg_fuel.value).toBe(0);
    e.__qg_fuel.value = 117;
    expect(e.signal(0, 0)).toBe(8);
    expect(e.__qg_fuel.value).toBe(0);
  });
});
