/**
 * Bars for market-data tests and the reference they are checked against: a deterministic generator,
 * deduplication as ReplacingMergeTree does it, and candles aggregated in plain TypeScript from calendar
 * fields (independently of timeframes.ts and the SQL).
 */
import type { ClickHouseClient } from "@clickhouse/client-web";
import { rng } from "@quantago/strategies/testing";
import type { Candle } from "../src/query/candles.ts";
import type { Timeframe } from "../src/timeframes.ts";

export interface RawBar {
  symbol: string;
  asset_class: string;
  timeframe: string;
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  source: string;
  ingest_version: number;
}

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
export const utc = (y: number, m: number, d: number, h = 0, min = 0, s = 0) =>
  Date.UTC(y, m - 1, d, h, min, s);

export function makeBars(
  base: Omit<RawBar, "time" | "open" | "high" | "low" | "close" | "volume">,
  times: number[],
  seed: number,
  startPrice: number,
): RawBar[] {
  const rand = rng(seed);
  let price = startPrice;
  return times.map((time) => {
    const open = price;
    const close = price + (rand() - 0.5) * 5;
    price = close + (rand() - 0.5) * 2;
    return {
      ...base,
      time,
      open,
      close,
      high: Math.max(open, close) + rand() * 3,
      low: Math.min(open, close) - rand() * 3,
      // Full-precision doubles: volume sums are order-sensitive, which the reference must reproduce.
      volume: rand() * 10,
    };
  });
}

export function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let t = from; t < to; t += step) out.push(t);
  return out;
}

// BTC-USD: one-minute bars from Wednesday 2024-01-24 21:37 to Wednesday 2024-02-07 02:11 UTC, across
// a month (partition) boundary, with gaps of every size and four kinds of re-ingestion.

/** Latest version per (symbol, timeframe, time); for equal versions the later insert wins. */
export function dedupe(rows: RawBar[]): RawBar[] {
  const best = new Map<string, RawBar>();
  for (const row of rows) {
    const key = `${row.symbol}|${row.timeframe}|${row.time}`;
    const seen = best.get(key);
    if (seen === undefined || row.ingest_version >= seen.ingest_version) best.set(key, row);
  }
  return [...best.values()];
}

/** Bucket start written independently of timeframes.ts, from calendar fields. */
function refBucket(time: number, timeframe: Timeframe): number {
  const d = new Date(time);
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth();
  const day = d.getUTCDate();
  const h = d.getUTCHours();
  const mi = d.getUTCMinutes();
  switch (timeframe) {
    case "1m":
    case "5m":
    case "15m":
    case "30m": {
      const n = Number.parseInt(timeframe, 10);
      return Date.UTC(y, mo, day, h, mi - (mi % n));
    }
    case "1h":
      return Date.UTC(y, mo, day, h);
    case "4h":
      return Date.UTC(y, mo, day, h - (h % 4));
    case "1d":
      return Date.UTC(y, mo, day);
    case "1w":
      return Date.UTC(y, mo, day - ((d.getUTCDay() + 6) % 7));
  }
}

export function referenceCandles(
  rows: RawBar[],
  symbol: string,
  base: string,
  timeframe: Timeframe,
  from: number,
  to: number,
): Candle[] {
  const bars = rows
    .filter((b) => b.symbol === symbol && b.timeframe === base && b.time >= from && b.time < to)
    .sort((a, b) => a.time - b.time);
  const out: Candle[] = [];
  let current: (Candle & { t: number }) | undefined;
  for (const bar of bars) {
    const t = refBucket(bar.time, timeframe);
    if (current === undefined || current.t !== t) {
      if (current !== undefined) out.push(strip(current));
      current = { t, timestamp: new Date(t).toISOString(), ...ohlcv(bar) };
    } else {
      current.high = Math.max(current.high, bar.high);
      current.low = Math.min(current.low, bar.low);
      current.close = bar.close;
      current.volume += bar.volume; // in time order, as the SQL does
    }
  }
  if (current !== undefined) out.push(strip(current));
  return out;
}

/** Rows of the bar query (`t o h l c v`, JSONCompactEachRow) as candles, to compare with the reference. */
export function candlesOfRows(rows: number[][]): Candle[] {
  return rows.map(([t, open, high, low, close, volume]) => ({
    timestamp: new Date(t as number).toISOString(),
    open: open as number,
    high: high as number,
    low: low as number,
    close: close as number,
    volume: volume as number,
  }));
}

function ohlcv(b: RawBar) {
  return { open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume };
}

function strip({ t: _t, ...candle }: Candle & { t: number }): Candle {
  return candle;
}

/** A bar as a JSONEachRow row for `client.insert`. */
function toClickHouseRow(bar: RawBar) {
  return { ...bar, time: new Date(bar.time).toISOString().replace("T", " ").replace("Z", "") };
}

/**
 * Writes bars straight into `<database>.ohlcv`, as a foreign writer would: no rollup refresh follows.
 * The default (fast) float parser may be one ulp off; the reference needs the exact doubles.
 */
export async function insertRawBars(client: ClickHouseClient, database: string, bars: RawBar[]) {
  await client.insert({
    table: `${database}.ohlcv`,
    values: bars.map(toClickHouseRow),
    format: "JSONEachRow",
    clickhouse_settings: { precise_float_parsing: 1 },
  });
}
