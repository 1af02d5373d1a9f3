import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestClickHouse, type TestClickHouse } from "../test-fixtures/clickhouse.ts";
import { readBarsColumnar } from "./columnar/read.ts";
import { countStoredBars, writeSyntheticBars } from "./synthetic.ts";

/** Element i, NaN when out of range (keeps assertions honest without non-null assertions). */
const at = (column: Float64Array, i: number) => column[i] ?? Number.NaN;

describe("synthetic bars", () => {
  let ch: TestClickHouse;
  beforeAll(async () => {
    ch = await openTestClickHouse();
  }, 120_000);
  afterAll(async () => {
    await ch?.close();
  });

  it("writes a deterministic, idempotent, well-formed 1m series", async () => {
    const series = {
      symbol: "SYNTH-T",
      assetClass: "crypto" as const,
      fromMs: Date.UTC(2025, 0, 1),
      count: 5_000,
      seed: 7,
      database: ch.database,
    };
    await writeSyntheticBars(ch.client, series);
    const first = await readBarsColumnar(ch.client, {
      symbol: "SYNTH-T",
      timeframe: "1m",
      from: series.fromMs,
      to: series.fromMs + 5_000 * 60_000,
      database: ch.database,
    });
    await writeSyntheticBars(ch.client, series); // again: same rows, folded away
    expect(await countStoredBars(ch.client, "SYNTH-T", ch.database)).toBe(5_000);
    const again = await readBarsColumnar(ch.client, {
      symbol: "SYNTH-T",
      timeframe: "1m",
      from: series.fromMs,
      to: series.fromMs + 5_000 * 60_000,
      database: ch.database,
    });
    expect(again.close).toEqual(first.close);
    expect(first.count).toBe(5_000);
    expect(at(first.time, 1) - at(first.time, 0)).toBe(60_000);
    expect(first.open[0]).toBe(100);
    for (let i = 0; i < first.count; i++) {
      if (i > 0) expect(first.open[i]).toBe(first.close[i - 1]);
      expect(at(first.high, i)).toBeGreaterThanOrEqual(Math.max(at(first.open, i), at(first.close, i)));
      expect(at(first.low, i)).toBeLessThanOrEqual(Math.min(at(first.open, i), at(first.close, i)));
      expect(at(first.volume, i)).toBeGreaterThanOrEqual(1);
    }
    // Another seed is another path.
    await writeSyntheticBars(ch.client, { ...series, symbol: "SYNTH-U", seed: 8 });
    const other = await readBarsColumnar(ch.client, {
      symbol: "SYNTH-U",
      timeframe: "1m",
      from: series.fromMs,
      to: series.fromMs + 5_000 * 60_000,
      database: ch.database,
    });
    expect(other.close).not.toEqual(first.close);
  });
});
