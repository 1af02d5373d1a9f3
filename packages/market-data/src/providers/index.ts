export {
  BINANCE_BASE_URL,
  BINANCE_MAX_PAGE_SIZE,
  type BinanceProviderOptions,
  createBinanceProvider,
} from "./binance.ts";
export { RequestCache, type RequestCacheOptions } from "./cache.ts";
export {
  ProviderError,
  type ProviderErrorKind,
  type ProviderName,
  parseRetryAfter,
  safeReason,
} from "./errors.ts";
export {
  aggregateCandles,
  DEFAULT_PROVIDER_TIMEOUT_MS,
  type MarketDataProvider,
  type ProviderCandle,
  type ProviderCandles,
  type ProviderOptions,
  type ProviderRequest,
  toWireCandles,
} from "./types.ts";
export { createYahooProvider, YAHOO_BASE_URL, type YahooProviderOptions } from "./yahoo.ts";
