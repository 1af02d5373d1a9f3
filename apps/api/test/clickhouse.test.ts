import { describe, expect, it } from "vitest";
import { testClickHouse as connect } from "./helpers.ts";

interface Bar {
  symbol: string;
  asset_class: string;
  timeframe: string;
  time: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  source: string;
  ingest_version: number;
}

function bars(symbol: string, count: number, version: number): Bar[] {
  return Array.from({ length: count }, (_, i) => ({
    symbol,
    asset_class: "crypto",
    timeframe: "1m",
    time: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString().replace("T", " ").replace("Z", ""),
    open: 100 + i,
    high: 101 + i,
    low: 99 + i,
    close: 100.5 + i + version / 10,
    volume: 10 * (i + 1),
    source: "test",
    ingest_version: version,
  }));
}

describe("ClickHouse through @clickhouse/client-web inside workerd", () => {
  it("inserts bars and selects them back with bound parameters", async () => {
    const ch = connect();
    const symbol = `T${crypto.randomUUID().slice(0, 8)}`;
    try {
      await ch.insert({ table: "ohlcv", values: bars(symbol, 5, 1), format: "JSONEachRow" });
      const result = await ch.query({
        query: `SELECT toUnixTimestamp64Milli(time) AS t, open, close, volume FROM ohlcv
                WHERE symbol = {symbol:String} AND time >= {from:DateTime64(3, 'UTC')} ORDER BY time`,
        query_params: { symbol, from: "2025-01-01 00:02:00.000" },
        format: "JSONEachRow",
      });
      const rows = await result.json<{ t: string | number; open: number; close: number; volume: number }>();
      expect(rows.map((r) => Number(r.t))).toEqual([2, 3, 4].map((m) => Date.UTC(2025, 0, 1, 0, m)));
      expect(rows.map((r) => r.open)).toEqual([102, 103, 104]);
      expect(rows.map((r) => r.volume)).toEqual([30, 40, 50]);
    } finally {
      await ch.close();
    }
  });

  it("treats a hostile parameter as data, not SQL", async () => {
    const ch = connect();
    try {
      const hostile = "x' OR 1=1 --\\'; DROP TABLE ohlcv";
      const result = await ch.query({
        query: "SELECT count() AS n, {s:String} AS echoed FROM ohlcv WHERE symbol = {s:String}",
        query_params: { s: hostile },
        format: "JSONEachRow",
      });
      const [row] = await result.json<{ n: string | number; echoed: string }>();
      expect(Number(row?.n)).toBe(0);
      expect(row?.echoed).toBe(hostile);
    } finally {
      await ch.close();
    }
  });

  it("keeps one copy of a re-ingested bar (ReplacingMergeTree + FINAL)", async () => {
    const ch = connect();
    const symbol = `R${crypto.randomUUID().slice(0, 8)}`;
    try {
      await ch.insert({ table: "ohlcv", values: bars(symbol, 3, 1), format: "JSONEachRow" });
      await ch.insert({ table: "ohlcv", values: bars(symbol, 3, 2), format: "JSONEachRow" });
      const result = await ch.query({
        query:
          "SELECT count() AS n, max(close) - min(close) AS spread FROM ohlcv FINAL WHERE symbol = {symbol:String}",
        query_params: { symbol },
        format: "JSONEachRow",
      });
      const [row] = await result.json<{ n: string | number; spread: number }>();
      expect(Number(row?.n)).toBe(3);
      // Only the version-2 closes survive: 100.7, 101.7, 102.7.
      expect(row?.spread).toBeCloseTo(2, 10);
    } finally {
      await ch.close();
    }
  });

  it("surfaces server errors with the ClickHouse error code", async () => {
    const ch = connect();
    try {
      await expect(
        ch.query({ query: "SELECT * FROM no_such_table_here", format: "JSONEachRow" }),
      ).rejects.toMatchObject({
        code: "60",
      });
    } finally {
      await ch.close();
    }
  });
});
