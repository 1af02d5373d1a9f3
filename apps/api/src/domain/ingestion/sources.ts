import {
  type AssetClass,
  type BarSeriesMeta,
  type ClickHouseConfig,
  createClickHouse,
  insertBars,
  type MarketDataProvider,
  ProviderError,
  SymbolMappingError,
  TIMEFRAME_MS,
  type Timeframe,
  writeSyntheticBars,
} from "@quantago/market-data";

/** Bars per step by source, unless the run says otherwise. */
export function defaultChunkBars(source: string, timeframe: Timeframe): number {
  if (source === "synthetic") return 500_000;
  if (source === "yahoo") {
    // Yahoo refuses long intraday ranges: 1m only within 7 days per request, 60m within 730 days.
    const spanMs: Record<Timeframe, number> = {
      "1m": 5 * 86_400_000,
      "5m": 30 * 86_400_000,
      "15m": 30 * 86_400_000,
      "30m": 30 * 86_400_000,
      "1h": 180 * 86_400_000,
      "4h": 180 * 86_400_000,
      "1d": 3650 * 86_400_000,
      "1w": 3650 * 86_400_000,
    };
    return Math.max(1, Math.floor(spanMs[timeframe] / TIMEFRAME_MS[timeframe]));
  }
  return 10_000; // Binance: ten pages of 1000
}

/** A chunk failure that retrying cannot fix (unknown symbol, a pair the source does not list). */
export class PermanentChunkError extends Error {
  override readonly name = "PermanentChunkError";
}

/** A short, safe reason for an error (logged details stay out of the run record). */
export function describeError(err: unknown): string {
  if (err instanceof ProviderError) {
    const what =
      err.kind === "rate_limited"
        ? "rate limited"
        : err.kind === "not_found"
          ? "does not know the symbol"
          : err.kind === "bad_request"
            ? `refused the request (${err.message})`
            : "failed to answer";
    return `${err.provider} ${what}`;
  }
  if (err instanceof Error) return err.message.slice(0, 300);
  return String(err).slice(0, 300);
}

export interface ChunkRequest {
  symbol: string;
  assetClass: string;
  source: string;
  timeframe: Timeframe;
  fromMs: number;
  toMs: number;
  ingestVersion: number;
  originMs?: number | undefined;
  seed?: number | undefined;
  delayMs: number;
}

export interface ChunkResult {
  rows: number;
  lastBarTime: number | null;
}

/**
 * Fetches one chunk from its source and writes it to ClickHouse. Idempotent: the same request writes
 * the same rows with the same version, which fold into one copy. Provider rate limits: waits
 * `delayMs` before the request, and on a 429 waits out Retry-After (at most 30 s) before throwing, so
 * the step's retry comes after the window. Permanent errors throw {@link PermanentChunkError}.
 */
export async function ingestChunk(
  connection: ClickHouseConfig,
  providers: { yahoo: MarketDataProvider; binance: MarketDataProvider },
  req: ChunkRequest,
): Promise<ChunkResult> {
  const tfMs = TIMEFRAME_MS[req.timeframe];
  if (req.source === "synthetic") {
    const origin = req.originMs ?? req.fromMs;
    const from = Math.max(req.fromMs, origin);
    const count = Math.floor((req.toMs - from) / tfMs);
    if (count <= 0) return { rows: 0, lastBarTime: null };
    const client = createClickHouse(connection);
    try {
      await writeSyntheticBars(client, {
        symbol: req.symbol,
        assetClass: req.assetClass as AssetClass,
        fromMs: origin,
        startIndex: Math.round((from - origin) / tfMs),
        count,
        seed: req.seed ?? 1,
        timeframe: req.timeframe,
        database: connection.database ?? undefined,
      });
    } finally {
      await client.close();
    }
    return { rows: count, lastBarTime: from + (count - 1) * tfMs };
  }
  const provider =
    req.source === "yahoo" ? providers.yahoo : req.source === "binance" ? providers.binance : null;
  if (!provider) throw new PermanentChunkError(`source ${req.source} cannot be fetched`);
  if (req.delayMs > 0) await new Promise((r) => setTimeout(r, req.delayMs));
  let candles: Awaited<ReturnType<MarketDataProvider["fetchCandles"]>>;
  try {
    candles = await provider.fetchCandles({
      symbol: req.symbol,
      timeframe: req.timeframe,
      from: req.fromMs,
      to: req.toMs,
      assetClass: req.assetClass as AssetClass,
    });
  } catch (err) {
    if (err instanceof SymbolMappingError) throw new PermanentChunkError(err.message);
    if (err instanceof ProviderError) {
      if (err.kind === "not_found" || err.kind === "bad_request")
        throw new PermanentChunkError(describeError(err));
      if (err.kind === "rate_limited") {
        const waitS = Math.min(30, err.retryAfterSeconds ?? 5);
        await new Promise((r) => setTimeout(r, waitS * 1000));
      }
      throw new Error(describeError(err));
    }
    throw err;
  }
  if (candles.length === 0) return { rows: 0, lastBarTime: null };
  const n = candles.length;
  const cols = {
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  candles.forEach((c, i) => {
    cols.time[i] = c.time;
    cols.open[i] = c.open;
    cols.high[i] = c.high;
    cols.low[i] = c.low;
    cols.close[i] = c.close;
    cols.volume[i] = c.volume;
  });
  const meta: BarSeriesMeta = {
    symbol: req.symbol,
    assetClass: req.assetClass,
    timeframe: req.timeframe,
    source: req.source,
    ingestVersion: req.ingestVersion,
  };
  const rows = await insertBars(connection, meta, cols);
  return { rows, lastBarTime: cols.time[n - 1] ?? null };
}

/** A stable 32-bit seed from a symbol (FNV-1a), for synthetic series without an explicit seed. */
export function seedOf(symbol: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < symbol.length; i++) {
    h ^= symbol.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
