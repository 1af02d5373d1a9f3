import type { Candle } from "../query/candles.ts";
import { type TimeInput, toUnixMs } from "../query/sql.ts";
import type { AssetClass } from "../symbols.ts";
import { bucketStart, type Timeframe } from "../timeframes.ts";
import type { RequestCache } from "./cache.ts";
import { ProviderError, type ProviderName } from "./errors.ts";

/** A provider candle: open time in Unix ms (UTC) and OHLCV as numbers. */
export interface ProviderCandle {
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** Ascending, unique times, frozen (it may be shared through the cache). */
export type ProviderCandles = readonly ProviderCandle[];

export interface ProviderRequest {
  /** Our symbol form (`BTC-USD`, `EUR/USD`, `AAPL`); mapped to the provider's form inside. */
  symbol: string;
  timeframe: Timeframe;
  /** Inclusive start. */
  from: TimeInput;
  /** Exclusive end. */
  to: TimeInput;
  /** Explicit asset class; inferred from the symbol when absent. */
  assetClass?: AssetClass | undefined;
  signal?: AbortSignal | undefined;
}

export interface MarketDataProvider {
  readonly name: ProviderName;
  /**
   * Candles with open time in `[from, to)`, ascending, deduplicated.
   * @throws ProviderError
   */
  fetchCandles(request: ProviderRequest): Promise<ProviderCandles>;
}

export interface ProviderOptions {
  /** Replaces the global fetch (tests, instrumentation). */
  fetch?: typeof fetch;
  /** Replaces the provider's origin, e.g. `http://127.0.0.1:8080` in tests. */
  baseUrl?: string;
  /** Per HTTP request, headers and body; default 10 000 ms. */
  timeoutMs?: number;
  /** Response cache; default a private `RequestCache` (30 s TTL); `false` disables caching. */
  cache?: RequestCache | false;
  /** Clock (Unix ms) for range limits and Retry-After dates; default `Date.now`. */
  now?: () => number;
}

export const DEFAULT_PROVIDER_TIMEOUT_MS = 10_000;

/**
 * Ascending order, one candle per time (the last one seen wins: a provider repeating a bar sends the
 * fresher copy later), only times in `[fromMs, toMs)`, frozen.
 *
 * @example
 * normalizeCandles([b2, b1, b2updated], from, to); // [b1, b2updated]
 */
export function normalizeCandles(candles: ProviderCandle[], fromMs: number, toMs: number): ProviderCandles {
  const byTime = new Map<number, ProviderCandle>();
  for (const candle of candles) {
    if (candle.time >= fromMs && candle.time < toMs) byTime.set(candle.time, candle);
  }
  const out = [...byTime.values()].sort((a, b) => a.time - b.time);
  for (const candle of out) Object.freeze(candle);
  return Object.freeze(out);
}

/**
 * Aggregates ascending candles into `timeframe` buckets (UTC; weeks from Monday), the same rules as the
 * ClickHouse path: first open, max high, min low, last close, summed volume (in time order), buckets
 * labelled by their start, edges partial, gaps empty.
 *
 * @example
 * aggregateCandles(hourly, "4h"); // one candle per UTC 4-hour bucket that holds at least one bar
 */
export function aggregateCandles(candles: ProviderCandles, timeframe: Timeframe): ProviderCandle[] {
  const out: ProviderCandle[] = [];
  let current: { -readonly [K in keyof ProviderCandle]: number } | undefined;
  for (const candle of candles) {
    const time = bucketStart(candle.time, timeframe);
    if (current === undefined || current.time !== time) {
      if (current !== undefined) out.push(current);
      current = { ...candle, time };
    } else {
      current.high = Math.max(current.high, candle.high);
      current.low = Math.min(current.low, candle.low);
      current.close = candle.close;
      current.volume += candle.volume;
    }
  }
  if (current !== undefined) out.push(current);
  return out;
}

/**
 * Provider candles in the wire shape of `GET /api/market-data/ticks` (ISO timestamps).
 *
 * @example
 * toWireCandles(await binance.fetchCandles(req)); // [{ timestamp: "2024-01-05T00:00:00.000Z", open: ... }]
 */
export function toWireCandles(candles: ProviderCandles): Candle[] {
  return candles.map((c) => ({
    timestamp: new Date(c.time).toISOString(),
    open: c.open,
    high: c.high,
    low: c.low,
    close: c.close,
    volume: c.volume,
  }));
}

/**
 * `[from, to)` as Unix ms, or a `bad_request` ProviderError.
 *
 * @example
 * requestRange("yahoo", { symbol: "AAPL", timeframe: "1d", from: "2024-01-01", to: "2024-02-01" });
 * // { fromMs: 1704067200000, toMs: 1706745600000 }
 */
export function requestRange(
  provider: ProviderName,
  request: ProviderRequest,
): { fromMs: number; toMs: number } {
  let fromMs: number;
  let toMs: number;
  try {
    fromMs = toUnixMs(request.from, "from");
    toMs = toUnixMs(request.to, "to");
  } catch (error) {
    throw new ProviderError(provider, "bad_request", (error as Error).message);
  }
  if (fromMs >= toMs) throw new ProviderError(provider, "bad_request", "from must be before to");
  return { fromMs, toMs };
}
