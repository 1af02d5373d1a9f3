/**
 * Yahoo Finance chart API (public, no key):
 * `GET /v8/finance/chart/{symbol}?period1={unix s}&period2={unix s}&interval={1m|5m|15m|30m|60m|1d|1wk}`
 * answering `{ chart: { result: [{ meta, timestamp: [s...], indicators: { quote: [{ open, high, low,
 * close, volume }] } }], error: null } }`, or `{ chart: { result: null, error: { code, description } } }`.
 *
 * Limits Yahoo imposes and we enforce before asking (a clear `bad_request` instead of Yahoo's 422):
 * - `1m`: only the last 30 days, and at most 7 days per request: longer ranges are fetched in 7-day
 *   windows one after another (at most five requests).
 * - `5m`, `15m`, `30m`: only the last 60 days.
 * - `1h` (Yahoo `60m`) and `4h`: only the last 730 days. Yahoo has no 4h interval: `4h` candles are
 *   built here from `60m` bars into UTC 4-hour buckets, with the same rules as the ClickHouse path.
 * - `1d`, `1w` (Yahoo `1wk`): no limit.
 * "Last N days" is measured from the injected clock to `from`.
 */

import { toYahooSymbol } from "../symbols.ts";
import { bucketStart, isTimeframe, type Timeframe } from "../timeframes.ts";
import { ProviderError, safeReason } from "./errors.ts";
import { abortable, errorForStatus, getJson, type HttpContext, type JsonAnswer, malformed } from "./http.ts";
import { resolveProviderOptions } from "./options.ts";
import {
  aggregateCandles,
  type MarketDataProvider,
  normalizeCandles,
  type ProviderCandle,
  type ProviderCandles,
  type ProviderOptions,
  type ProviderRequest,
  requestRange,
} from "./types.ts";

export const YAHOO_BASE_URL = "https://query1.finance.yahoo.com";

const DAY_MS = 86_400_000;

interface YahooInterval {
  interval: "1m" | "5m" | "15m" | "30m" | "60m" | "1d" | "1wk";
  /** How far back Yahoo serves this interval, in days; null for no limit. */
  maxAgeDays: number | null;
  /** Longest range per request, in days; null for no limit. */
  windowDays: number | null;
  /** Intraday bars keep their time; daily and weekly ones are labelled by date (see `dateLabeller`). */
  label: "time" | "day" | "week";
}

const INTERVALS: Readonly<Record<Timeframe, YahooInterval>> = {
  "1m": { interval: "1m", maxAgeDays: 30, windowDays: 7, label: "time" },
  "5m": { interval: "5m", maxAgeDays: 60, windowDays: null, label: "time" },
  "15m": { interval: "15m", maxAgeDays: 60, windowDays: null, label: "time" },
  "30m": { interval: "30m", maxAgeDays: 60, windowDays: null, label: "time" },
  "1h": { interval: "60m", maxAgeDays: 730, windowDays: null, label: "time" },
  "4h": { interval: "60m", maxAgeDays: 730, windowDays: null, label: "time" },
  "1d": { interval: "1d", maxAgeDays: null, windowDays: null, label: "day" },
  "1w": { interval: "1wk", maxAgeDays: null, windowDays: null, label: "week" },
};

export interface YahooProviderOptions extends ProviderOptions {
  /** Yahoo answers 429 to some default library user agents; default a browser-like one. */
  userAgent?: string;
}

/**
 * The Yahoo provider. Symbols are mapped with `toYahooSymbol` (`EUR/USD` → `EURUSD=X`).
 *
 * Timestamps: intraday bars keep Yahoo's open time. Daily and weekly bars are relabelled to 00:00 UTC
 * of their trading date in the exchange's time zone (`meta.exchangeTimezoneName`), because Yahoo stamps
 * them with the session open (14:30 UTC for NASDAQ, 23:00 UTC the previous evening for London-hours FX
 * in summer): this keeps them on the same UTC day/Monday grid as every other source. Bars with a null
 * open, high, low or close are skipped; a null volume (indices) counts as 0. `4h` candles are labelled
 * by their UTC bucket start, so the first one may start before `from` and be partial, exactly as in
 * `queryCandles`; every other timeframe returns open times within `[from, to)` only.
 *
 * @example
 * const yahoo = createYahooProvider();
 * const candles = await yahoo.fetchCandles({ symbol: "AAPL", timeframe: "1d",
 *   from: "2024-01-01T00:00:00Z", to: "2024-02-01T00:00:00Z" });
 */
export function createYahooProvider(options: YahooProviderOptions = {}): MarketDataProvider {
  const {
    baseUrl,
    cache,
    now,
    http: base,
  } = resolveProviderOptions("yahoo", options, {
    baseUrl: YAHOO_BASE_URL,
    headers: { "User-Agent": options.userAgent ?? "Mozilla/5.0 (compatible; quantago-market-data)" },
  });

  async function download(
    ctx: HttpContext,
    symbol: string,
    spec: YahooInterval,
    fromMs: number,
    toMs: number,
  ): Promise<ProviderCandle[]> {
    const windowMs = spec.windowDays === null ? Number.POSITIVE_INFINITY : spec.windowDays * DAY_MS;
    const candles: ProviderCandle[] = [];
    // Sequential on purpose: parallel bursts are what trips Yahoo's rate limiting.
    for (let start = fromMs; start < toMs; start += windowMs) {
      const end = Math.min(toMs, start + windowMs);
      const url =
        `${baseUrl}/v8/finance/chart/${encodeURIComponent(symbol)}` +
        `?period1=${Math.floor(start / 1000)}&period2=${Math.ceil(end / 1000)}` +
        `&interval=${spec.interval}&includePrePost=false`;
      const answer = await getJson(ctx, url);
      // A loop, not push(...spread): a long daily history would exceed the argument limit.
      for (const candle of parseChart(ctx, answer, spec.label)) candles.push(candle);
    }
    return candles;
  }

  return {
    name: "yahoo",
    async fetchCandles(request: ProviderRequest): Promise<ProviderCandles> {
      const { fromMs, toMs } = requestRange("yahoo", request);
      const spec = isTimeframe(request.timeframe) ? INTERVALS[request.timeframe] : undefined;
      if (spec === undefined) {
        throw new ProviderError("yahoo", "bad_request", `unsupported timeframe ${String(request.timeframe)}`);
      }
      if (spec.maxAgeDays !== null && fromMs < now() - spec.maxAgeDays * DAY_MS) {
        throw new ProviderError(
          "yahoo",
          "bad_request",
          `Yahoo serves ${request.timeframe} candles only for the last ${spec.maxAgeDays} days; use a later start or a coarser timeframe`,
        );
      }
      const symbol = toYahooSymbol(request.symbol, request.assetClass);
      const load = async (signal?: AbortSignal) => {
        const ctx: HttpContext = { ...base, signal };
        // Daily and weekly bars are stamped with the session open, which can lie on the previous UTC day
        // (Asia, London summer) or after a mid-day `to`: ask for one period more on both sides and
        // filter on the relabelled dates.
        const pad = spec.label === "day" ? DAY_MS : spec.label === "week" ? 7 * DAY_MS : 0;
        const raw = await download(ctx, symbol, spec, fromMs - pad, toMs + pad);
        const candles = normalizeCandles(raw, fromMs, toMs);
        if (request.timeframe !== "4h") return candles;
        return normalizeCandles(aggregateCandles(candles, "4h"), Number.NEGATIVE_INFINITY, toMs);
      };
      if (cache === null) return load(request.signal);
      // The shared load runs without the caller's signal (see `abortable`).
      return abortable(
        cache.getOrLoad(`yahoo|${symbol}|${request.timeframe}|${fromMs}|${toMs}`, () => load()),
        request.signal,
      );
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Maps Yahoo's `chart.error` (`{ code: "Not Found", description }` and friends) to a ProviderError. */
function yahooError(ctx: HttpContext, answer: JsonAnswer, error: Record<string, unknown>): ProviderError {
  const code = typeof error.code === "string" ? error.code : "";
  const reason = safeReason(typeof error.description === "string" ? error.description : code);
  const status = answer.status;
  if (status === 429) return errorForStatus(ctx, answer, reason);
  if (code === "Too Many Requests") {
    return new ProviderError("yahoo", "rate_limited", `yahoo rate limit reached: ${reason}`, { status });
  }
  if (code === "Not Found" || status === 404) {
    return new ProviderError("yahoo", "not_found", `Yahoo has no data for this symbol: ${reason}`, {
      status,
    });
  }
  if (code === "Bad Request" || code === "Unprocessable Entity" || status === 400 || status === 422) {
    return new ProviderError("yahoo", "bad_request", `Yahoo rejected the request: ${reason}`, { status });
  }
  return new ProviderError("yahoo", "upstream", `Yahoo failed: ${reason}`, { status });
}

/** Candles of one chart answer (not yet sorted, deduplicated or range-filtered). */
function parseChart(
  ctx: HttpContext,
  answer: JsonAnswer,
  labelKind: YahooInterval["label"],
): ProviderCandle[] {
  if (answer.status === 429) throw errorForStatus(ctx, answer, "Too Many Requests");
  const chart = isObject(answer.body) ? answer.body.chart : undefined;
  if (isObject(chart) && isObject(chart.error)) throw yahooError(ctx, answer, chart.error);
  if (answer.status < 200 || answer.status > 299) throw errorForStatus(ctx, answer, "");
  if (!isObject(chart)) throw malformed(ctx, answer.body === undefined ? "not JSON" : "no chart object");
  if (!Array.isArray(chart.result)) throw malformed(ctx, "no chart result");
  const result: unknown = chart.result[0];
  if (result === undefined) return [];
  if (!isObject(result)) throw malformed(ctx, "chart result is not an object");
  const timestamps = result.timestamp;
  // Yahoo omits `timestamp` (and sends empty quote objects) when the range holds no bars.
  if (timestamps === undefined || timestamps === null) return [];
  if (!Array.isArray(timestamps)) throw malformed(ctx, "timestamp is not an array");
  const indicators = isObject(result.indicators) ? result.indicators : undefined;
  const quote = Array.isArray(indicators?.quote) ? indicators.quote[0] : undefined;
  if (!isObject(quote)) throw malformed(ctx, "no quote indicators");
  const column = (name: string): unknown[] => {
    const values = quote[name];
    if (values === undefined || values === null) return [];
    if (!Array.isArray(values)) throw malformed(ctx, `${name} is not an array`);
    return values;
  };
  const [open, high, low, close, volume] = ["open", "high", "low", "close", "volume"].map(column) as [
    unknown[],
    unknown[],
    unknown[],
    unknown[],
    unknown[],
  ];
  const meta = isObject(result.meta) ? result.meta : {};
  const label = labelKind === "time" ? (seconds: number) => seconds * 1000 : dateLabeller(meta, labelKind);
  const candles: ProviderCandle[] = [];
  for (let i = 0; i < timestamps.length; i++) {
    const t = timestamps[i];
    if (typeof t !== "number" || !Number.isFinite(t)) throw malformed(ctx, "timestamp is not a number");
    const o = open[i];
    const h = high[i];
    const l = low[i];
    const c = close[i];
    if (!isPrice(o) || !isPrice(h) || !isPrice(l) || !isPrice(c)) continue;
    const v = volume[i];
    candles.push({ time: label(t), open: o, high: h, low: l, close: c, volume: isPrice(v) ? v : 0 });
  }
  return candles;
}

function isPrice(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/**
 * Maps a daily/weekly bar's Unix seconds to 00:00 UTC of its date in the exchange's time zone (weekly:
 * that date's Monday). Uses the IANA zone when Yahoo names one (daylight saving handled per date),
 * else the fixed `gmtoffset`, else UTC.
 */
function dateLabeller(meta: Record<string, unknown>, kind: "day" | "week"): (seconds: number) => number {
  const zone = typeof meta.exchangeTimezoneName === "string" ? meta.exchangeTimezoneName : undefined;
  const offsetSeconds = typeof meta.gmtoffset === "number" ? meta.gmtoffset : 0;
  let format: Intl.DateTimeFormat | undefined;
  if (zone !== undefined) {
    try {
      format = new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        year: "numeric",
        month: "numeric",
        day: "numeric",
      });
    } catch {
      format = undefined; // unknown zone name: fall back to the fixed offset
    }
  }
  return (seconds) => {
    let day: number;
    if (format !== undefined) {
      const parts = Object.fromEntries(format.formatToParts(seconds * 1000).map((p) => [p.type, p.value]));
      day = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day));
    } else {
      day = bucketStart((seconds + offsetSeconds) * 1000, "1d");
    }
    return kind === "week" ? bucketStart(day, "1w") : day;
  };
}
