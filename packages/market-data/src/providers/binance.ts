/**
 * Binance spot klines (public, no key):
 * `GET /api/v3/klines?symbol=BTCUSDT&interval=1m&startTime={ms}&endTime={ms}&limit={1..1000}` answering
 * `[[openTime, "open", "high", "low", "close", "volume", closeTime, ...], ...]` (prices as strings),
 * ascending, klines whose open time lies in `[startTime, endTime]` (both inclusive), at most `limit`.
 * Errors are `{ code, msg }`: `-1121 Invalid symbol.` with HTTP 400; 429 when over the request-weight
 * limit and 418 once the IP is banned for ignoring 429s, both with `Retry-After` (seconds).
 *
 * Every timeframe maps to a native Binance interval (`1m 5m 15m 30m 1h 4h 1d 1w`; weeks open Monday
 * 00:00 UTC). Limits we enforce: at most `maxBars` candles per call (default 50 000, i.e. 50 pages of
 * 1000), checked before the first request, so a careless range cannot fire hundreds of requests.
 */
import { SymbolMappingError, toBinanceSymbol } from "../symbols.ts";
import { isTimeframe, timeframeMs } from "../timeframes.ts";
import { ProviderError, safeReason } from "./errors.ts";
import { abortable, errorForStatus, getJson, type HttpContext, type JsonAnswer, malformed } from "./http.ts";
import { resolveProviderOptions } from "./options.ts";
import {
  type MarketDataProvider,
  normalizeCandles,
  type ProviderCandle,
  type ProviderCandles,
  type ProviderOptions,
  type ProviderRequest,
  requestRange,
} from "./types.ts";

export const BINANCE_BASE_URL = "https://api.binance.com";

/** Binance's largest page. */
export const BINANCE_MAX_PAGE_SIZE = 1000;

export interface BinanceProviderOptions extends ProviderOptions {
  /** Klines per request, 1..1000; default 1000 (Binance's maximum). */
  pageSize?: number;
  /** Most candles one call may return; default 50 000. */
  maxBars?: number;
}

/**
 * The Binance provider. Symbols are mapped with `toBinanceSymbol`: `BTC-USD` is Binance's `BTCUSDT`
 * (Binance lists no USD pairs; USDT tracks the dollar closely but is not the dollar). Pages through
 * `startTime` until the range is covered. The last candle of a range reaching the present is the
 * forming one, as Binance reports it.
 *
 * @example
 * const binance = createBinanceProvider();
 * const candles = await binance.fetchCandles({ symbol: "BTC-USD", timeframe: "1h",
 *   from: "2024-01-01T00:00:00Z", to: "2024-01-08T00:00:00Z" });
 */
export function createBinanceProvider(options: BinanceProviderOptions = {}): MarketDataProvider {
  const {
    baseUrl,
    cache,
    http: base,
  } = resolveProviderOptions("binance", options, {
    baseUrl: BINANCE_BASE_URL,
  });
  const pageSize = options.pageSize ?? BINANCE_MAX_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > BINANCE_MAX_PAGE_SIZE) {
    throw new RangeError(`pageSize must be an integer from 1 to ${BINANCE_MAX_PAGE_SIZE}`);
  }
  const maxBars = options.maxBars ?? 50_000;

  async function download(ctx: HttpContext, symbol: string, interval: string, fromMs: number, toMs: number) {
    const candles: ProviderCandle[] = [];
    let start = fromMs;
    // Sequential: each page starts after the last open time of the previous one.
    while (start < toMs) {
      const url =
        `${baseUrl}/api/v3/klines?symbol=${encodeURIComponent(symbol)}&interval=${interval}` +
        `&startTime=${start}&endTime=${toMs - 1}&limit=${pageSize}`;
      const page = parseKlines(ctx, await getJson(ctx, url));
      candles.push(...page);
      const last = page[page.length - 1];
      if (page.length < pageSize || last === undefined) break;
      // A server that ignored startTime would otherwise make this loop forever.
      if (last.time < start) throw malformed(ctx, "klines page went backwards");
      start = last.time + 1;
    }
    return candles;
  }

  return {
    name: "binance",
    async fetchCandles(request: ProviderRequest): Promise<ProviderCandles> {
      const { fromMs, toMs } = requestRange("binance", request);
      const interval = request.timeframe;
      if (!isTimeframe(interval)) {
        throw new ProviderError("binance", "bad_request", `unsupported timeframe ${String(interval)}`);
      }
      const expected = Math.ceil((toMs - fromMs) / timeframeMs(interval));
      if (expected > maxBars) {
        throw new ProviderError(
          "binance",
          "bad_request",
          `range too long: about ${expected} ${interval} candles, at most ${maxBars} per request; narrow the range or use a coarser timeframe`,
        );
      }
      let symbol: string;
      try {
        symbol = toBinanceSymbol(request.symbol);
      } catch (error) {
        if (error instanceof SymbolMappingError) {
          throw new ProviderError("binance", "bad_request", error.message);
        }
        throw error;
      }
      const load = async (signal?: AbortSignal) =>
        normalizeCandles(await download({ ...base, signal }, symbol, interval, fromMs, toMs), fromMs, toMs);
      if (cache === null) return load(request.signal);
      // The shared load runs without the caller's signal (see `abortable`).
      return abortable(
        cache.getOrLoad(`binance|${symbol}|${interval}|${fromMs}|${toMs}`, () => load()),
        request.signal,
      );
    },
  };
}

function parseKlines(ctx: HttpContext, answer: JsonAnswer): ProviderCandle[] {
  const { status, body } = answer;
  if (status < 200 || status > 299) {
    const error =
      typeof body === "object" && body !== null ? (body as { code?: unknown; msg?: unknown }) : {};
    // -1121 "Invalid symbol." is the answer for a pair Binance does not list.
    if (status === 400 && error.code === -1121) {
      throw new ProviderError("binance", "not_found", "Binance does not list this symbol", { status });
    }
    throw errorForStatus(ctx, answer, typeof error.msg === "string" ? safeReason(error.msg) : "");
  }
  if (body === undefined) throw malformed(ctx, "not JSON");
  if (!Array.isArray(body)) throw malformed(ctx, "klines are not an array");
  const candles: ProviderCandle[] = [];
  for (const row of body) {
    if (!Array.isArray(row) || row.length < 6) throw malformed(ctx, "kline is not an array of 6+ fields");
    const time = row[0];
    if (typeof time !== "number" || !Number.isSafeInteger(time)) throw malformed(ctx, "kline open time");
    const [open, high, low, close, volume] = [row[1], row[2], row[3], row[4], row[5]].map(toNumber);
    if (
      open === undefined ||
      high === undefined ||
      low === undefined ||
      close === undefined ||
      volume === undefined
    ) {
      throw malformed(ctx, "kline price is not a number");
    }
    candles.push({ time, open, high, low, close, volume });
  }
  return candles;
}

/** Binance sends decimals as strings ("42000.01000000"); numbers are accepted too. */
function toNumber(value: unknown): number | undefined {
  const n =
    typeof value === "string" && value.trim() !== ""
      ? Number(value)
      : typeof value === "number"
        ? value
        : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}
