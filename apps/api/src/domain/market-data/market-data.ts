import type { ClickHouseClient } from "@clickhouse/client-web";
import {
  type ColumnsQuery,
  columnsBinaryLayout,
  MAX_TICKS_PER_RESPONSE,
  type TicksQuery,
  type TicksResponse,
} from "@quantago/contracts";
import {
  type AssetClass,
  BAR_COLUMNS,
  columnChunks,
  createBinanceProvider,
  createYahooProvider,
  fetchBarsColumnar,
  inferAssetClass,
  listSymbols,
  MAX_COLUMNAR_BARS,
  type MarketDataProvider,
  ProviderError,
  queryTicksJson,
  refreshStaleRollups,
  SymbolMappingError,
  symbolSchema,
  type TicksJson,
  TimeframeTooFineError,
  toWireCandles,
  withBaseTimeframe,
} from "@quantago/market-data";
import { AppError } from "../../lib/errors.ts";
import type { Services } from "../../services.ts";

export interface MarketDataDeps {
  clickhouse: ClickHouseClient;
  database: string;
  /** Live providers; created once per isolate so their short-lived caches can hit. */
  providers: { yahoo: MarketDataProvider; binance: MarketDataProvider };
  now: number;
}

const providerCache = new Map<string, { yahoo: MarketDataProvider; binance: MarketDataProvider }>();

/**
 * Providers per isolate and base URL (`YAHOO_BASE_URL` / `BINANCE_BASE_URL` override the public origins,
 * for tests against recorded responses or a corporate proxy). They hold no sockets, only a small cache.
 */
export function liveProviders(yahooBaseUrl?: string, binanceBaseUrl?: string) {
  const key = `${yahooBaseUrl ?? ""}|${binanceBaseUrl ?? ""}`;
  let providers = providerCache.get(key);
  if (!providers) {
    providers = {
      yahoo: createYahooProvider(yahooBaseUrl ? { baseUrl: yahooBaseUrl } : {}),
      binance: createBinanceProvider(binanceBaseUrl ? { baseUrl: binanceBaseUrl } : {}),
    };
    providerCache.set(key, providers);
  }
  return providers;
}

function tooMany(): never {
  throw new AppError(
    "VALIDATION_FAILED",
    `The range holds more than ${MAX_TICKS_PER_RESPONSE} candles. Narrow startDate/endDate or request a coarser timeframe.`,
  );
}

function mapProviderError(err: unknown): never {
  if (err instanceof ProviderError) {
    switch (err.kind) {
      case "rate_limited":
        throw new AppError("RATE_LIMITED", `${err.provider} is rate limiting requests; retry later.`, {
          cause: err,
          headers: { "Retry-After": String(err.retryAfterSeconds ?? 60) },
        });
      case "not_found":
        throw new AppError("NOT_FOUND", `${err.provider} does not know this symbol.`, { cause: err });
      case "bad_request":
        throw new AppError("VALIDATION_FAILED", err.message, { cause: err });
      default:
        throw new AppError("UPSTREAM_FAILED", `${err.provider} failed to answer; try again later.`, {
          cause: err,
        });
    }
  }
  if (err instanceof SymbolMappingError) throw new AppError("VALIDATION_FAILED", err.message, { cause: err });
  throw err;
}

/**
 * A ticks response: an object built here (live providers), or ClickHouse's JSON array of stored
 * candles with the envelope written around it ({@link ticksStream}).
 */
export type TicksBody =
  | { kind: "object"; body: TicksResponse }
  | { kind: "json"; envelope: Omit<TicksResponse, "ticks">; ticks: TicksJson };

/**
 * What `/ticks` and `/columns` both refuse with a 400 before reading anything: a symbol outside the
 * AAPL / BTC-USD / EUR/USD forms and a range starting in the future. Returns the normalised symbol.
 */
function checkBarQuery(query: { symbol: string; startDate: number }, now: number): string {
  const parsedSymbol = symbolSchema.safeParse(query.symbol);
  if (!parsedSymbol.success) {
    throw new AppError("VALIDATION_FAILED", "Invalid symbol: use AAPL, BTC-USD or EUR/USD forms.", {
      issues: [{ path: ["symbol"], message: parsedSymbol.error.issues[0]?.message ?? "invalid symbol" }],
    });
  }
  if (query.startDate > now) {
    throw new AppError("VALIDATION_FAILED", "startDate is in the future: there are no candles there yet.", {
      issues: [{ path: ["startDate"], message: "must not be in the future" }],
    });
  }
  return parsedSymbol.data;
}

/**
 * `GET /api/market-data/ticks`: stored candles from ClickHouse (the default whenever the symbol has
 * stored data) or a live provider. Without stored data and without `provider`, Yahoo answers (the
 * published default); the response always names the provider that produced the candles.
 */
export async function getTicks(deps: MarketDataDeps, query: TicksQuery): Promise<TicksBody> {
  const symbol = checkBarQuery(query, deps.now);
  const assetClass: AssetClass = query.assetClass ?? inferAssetClass(symbol);
  if (query.provider === "yahoo" || query.provider === "binance") {
    return { kind: "object", body: await fetchLive(deps, query.provider, symbol, assetClass, query) };
  }
  // ClickHouse, asked for or by default: read with the symbol's base timeframe, looked up alongside.
  const stored = await withBaseTimeframe(deps.clickhouse, symbol, { database: deps.database }, (base) =>
    queryTicksJson(deps.clickhouse, {
      database: deps.database,
      symbol,
      base,
      timeframe: query.timeframe,
      fromMs: query.startDate,
      toMs: query.endDate,
      limit: MAX_TICKS_PER_RESPONSE + 1,
    }),
  ).catch(mapTooFine);
  if (stored.base === null) {
    if (query.provider === "clickhouse")
      throw new AppError("NOT_FOUND", `No stored market data for ${symbol}.`);
    return { kind: "object", body: await fetchLive(deps, "yahoo", symbol, assetClass, query) };
  }
  if (stored.result.count > MAX_TICKS_PER_RESPONSE) tooMany();
  return {
    kind: "json",
    envelope: { symbol, timeframe: query.timeframe, assetClass, provider: "clickhouse" },
    ticks: stored.result,
  };
}

/** The response body of stored ticks: the envelope's fields around ClickHouse's array. */
export function ticksBody(envelope: Omit<TicksResponse, "ticks">, ticks: TicksJson): Uint8Array<ArrayBuffer> {
  const encoder = new TextEncoder();
  const head = encoder.encode(`${JSON.stringify(envelope).slice(0, -1)},"ticks":`);
  const body = new Uint8Array(head.length + ticks.json.length + 1);
  body.set(head, 0);
  body.set(ticks.json, head.length);
  body[body.length - 1] = 0x7d; // "}"
  return body;
}

async function fetchLive(
  deps: MarketDataDeps,
  provider: "yahoo" | "binance",
  symbol: string,
  assetClass: AssetClass,
  query: TicksQuery,
): Promise<TicksResponse> {
  try {
    const candles = await deps.providers[provider].fetchCandles({
      symbol,
      timeframe: query.timeframe,
      from: query.startDate,
      to: query.endDate,
      assetClass,
    });
    if (candles.length > MAX_TICKS_PER_RESPONSE) tooMany();
    return { symbol, timeframe: query.timeframe, assetClass, provider, ticks: toWireCandles(candles) };
  } catch (err) {
    if (err instanceof AppError) throw err;
    mapProviderError(err);
  }
}

function mapTooFine(err: unknown): never {
  if (err instanceof TimeframeTooFineError)
    throw new AppError("VALIDATION_FAILED", err.message, { cause: err });
  throw err;
}

/** `GET /api/market-data/symbols`: every stored series (symbol × base timeframe). */
export async function getSymbols(deps: Pick<MarketDataDeps, "clickhouse" | "database">) {
  return { symbols: await listSymbols(deps.clickhouse, { database: deps.database }) };
}

/** Concurrent slices of a long `/columns` read (see `SliceOptions` in @quantago/market-data). */
const COLUMNS_SLICES = 4;

/**
 * `GET /api/market-data/columns`: the engine's columnar read path over HTTP, for SDKs and benchmarks
 * (layout: `columnsBinaryLayout` in @quantago/contracts). Stored data only; bounded by
 * MAX_COLUMNAR_BARS. ClickHouse sends the columns already columnar
 * (`buildBarColumnsSql` in Native), one response per slice of the range, so the body is the header
 * followed by byte ranges of those responses: the Worker neither decodes nor copies a bar (a year of 1m bars is
 * 25 MB). The body has a fixed length (Content-Length), so a transfer cut short cannot pass as complete.
 *
 * @returns the body and the promise of its transfer (for waitUntil and error logging)
 */
export async function getColumns(
  deps: Pick<MarketDataDeps, "clickhouse" | "database" | "now">,
  query: ColumnsQuery,
): Promise<{ body: ReadableStream<Uint8Array>; transfer: Promise<void> }> {
  const symbol = checkBarQuery(query, deps.now);
  const stored = await withBaseTimeframe(deps.clickhouse, symbol, { database: deps.database }, (base) =>
    fetchBarsColumnar(
      deps.clickhouse,
      {
        symbol,
        timeframe: query.timeframe,
        from: query.startDate,
        to: query.endDate,
        limit: MAX_COLUMNAR_BARS,
        database: deps.database,
        base,
      },
      { slices: COLUMNS_SLICES },
    ),
  ).catch(mapTooFine);
  if (stored.base === null || stored.result === null) {
    throw new AppError("NOT_FOUND", `No stored market data for ${symbol}.`);
  }
  const { parts, count, truncated } = stored.result;
  if (truncated) {
    throw new AppError(
      "VALIDATION_FAILED",
      `The range holds more than ${MAX_COLUMNAR_BARS} bars. Narrow startDate/endDate or request a coarser timeframe.`,
    );
  }
  const { headerBytes, magic } = columnsBinaryLayout;
  const header = new Uint8Array(headerBytes);
  header.set(new TextEncoder().encode(magic), 0);
  new DataView(header.buffer).setUint32(4, count, true);
  const stream = new FixedLengthStream(headerBytes + BAR_COLUMNS.length * 8 * count);
  const transfer = (async () => {
    const writer = stream.writable.getWriter();
    try {
      await writer.write(header);
      for (let k = 0; k < BAR_COLUMNS.length; k++) {
        for (const part of parts) for (const run of columnChunks(part, k)) await writer.write(run);
      }
      await writer.close();
    } catch (error) {
      await writer.abort(error).catch(() => {});
      throw error;
    }
  })();
  return { body: stream.readable, transfer };
}

/** Refreshes every series with tombstoned rollup buckets (the cron's repair, see `refreshStaleRollups`). */
export async function repairStaleRollups({ clickhouse, config }: Services): Promise<void> {
  const repaired = await refreshStaleRollups(clickhouse, config.CLICKHOUSE_DB);
  if (repaired.length > 0) {
    console.log(JSON.stringify({ msg: "stale rollups refreshed", series: repaired.length, repaired }));
  }
}
