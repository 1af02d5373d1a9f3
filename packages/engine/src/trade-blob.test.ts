import { smaCrossover } from "@quantago/strategies";
import { describe, expect, it } from "vitest";
import { runBacktest } from "./backtest.ts";
import { generateSmaxBars } from "./fixtures/smax.ts";
import {
  decodeTradeColumns,
  encodeTradeColumns,
  TRADE_BLOB_BYTES_PER_TRADE,
  tradeOrder,
} from "./trade-blob.ts";
import { tradeAt } from "./trade-log.ts";

describe("trade blobs", () => {
  const bars = generateSmaxBars(20_000, 4);
  const result = runBacktest(bars, smaCrossover.create({ fast: 5, slow: 20 }), {
    direction: "long_short",
    takeProfitPct: 0.2,
    stopLossPct: 0.1,
  });
  const columns = result.tradeColumns;

  it("round-trips every column bit for bit, with the fill times", () => {
    expect(columns.count).toBeGreaterThan(100);
    const blob = encodeTradeColumns(columns, bars.time);
    expect(blob.length).toBe(16 + columns.count * TRADE_BLOB_BYTES_PER_TRADE);
    expect(String.fromCharCode(...blob.subarray(0, 4))).toBe("QTRD");
    const back = decodeTradeColumns(blob);
    expect(back.count).toBe(columns.count);
    for (const key of [
      "size",
      "entryPrice",
      "entryFee",
      "exitPrice",
      "exitFee",
      "pnl",
      "entryIndex",
      "entrySignalIndex",
      "exitIndex",
      "exitSignalIndex",
      "reason",
    ] as const) {
      expect(Buffer.from(back[key].buffer, back[key].byteOffset, back[key].byteLength)).toEqual(
        Buffer.from(columns[key].buffer, columns[key].byteOffset, columns[key].byteLength),
      );
    }
    const rows = Array.from({ length: back.count }, (_, k) =>
      tradeAt(back, k, back.entryTime[k] as number, back.exitTime[k] as number, null, null),
    );
    expect(rows).toEqual(result.trades);
  });

  it("reads a blob that does not start on an 8-byte boundary, and refuses foreign bytes", () => {
    const blob = encodeTradeColumns(columns, bars.time);
    const shifted = new Uint8Array(blob.length + 3);
    shifted.set(blob, 3);
    const back = decodeTradeColumns(shifted.subarray(3));
    expect(Array.from(back.pnl)).toEqual(Array.from(columns.pnl));
    expect(() => decodeTradeColumns(blob.subarray(0, blob.length - 1))).toThrow(/does not hold/);
    expect(() => decodeTradeColumns(new Uint8Array(16))).toThrow(/magic/);
    const empty = decodeTradeColumns(encodeTradeColumns({ ...columns, count: 0 }, bars.time));
    expect(empty.count).toBe(0);
  });

  it("orders trades by a column, ties by trade number", () => {
    const back = decodeTradeColumns(encodeTradeColumns(columns, bars.time));
    const order = Array.from(tradeOrder(back, "pnl", true));
    const expected = Array.from({ length: back.count }, (_, k) => k).sort(
      (a, b) => (back.pnl[b] as number) - (back.pnl[a] as number) || a - b,
    );
    expect(order).toEqual(expected);
    const byReason = Array.from(tradeOrder(back, "reason"));
    expect(byReason).toEqual(
      Array.from({ length: back.count }, (_, k) => k).sort(
        (a, b) => (back.reason[a] as number) - (back.reason[b] as number) || a - b,
      ),
    );
  });
});
