import { assetClasses, assetClassSchema as contractAssetClassSchema } from "@quantago/contracts";
import { z } from "zod";

/** Asset classes of docs/compatibility.md#market-data (defined in @quantago/contracts, the wire schemas). */
export const ASSET_CLASSES = assetClasses;
export type AssetClass = (typeof ASSET_CLASSES)[number];

/**
 * Validates an asset class.
 *
 * @example
 * assetClassSchema.parse("crypto"); // "crypto"
 */
export const assetClassSchema = contractAssetClassSchema;

/** Longest accepted symbol. Real tickers are far shorter; the cap keeps keys and URLs small. */
export const SYMBOL_MAX_LENGTH = 24;

/**
 * Upper-case letters and digits in groups joined by one separator (`.` exchange or share class,
 * `-` crypto pair or share class, `/` forex pair, `=` Yahoo suffix), optionally led by `^` (Yahoo
 * index). Nothing else: symbols end up in URLs and ClickHouse parameters, so no spaces, quotes,
 * slashes at the ends or doubled separators.
 */
const SYMBOL_PATTERN = /^\^?[A-Z0-9]+(?:[.\-/=][A-Z0-9]+)*$/;

/**
 * Validates a market symbol and normalises it to upper case (`btc-usd` → `BTC-USD`). Formats: stocks
 * `AAPL`, `BRK.B`, `BRK-B`; crypto `BTC-USD`; forex `EUR/USD`; Yahoo forms such as `EURUSD=X`, `^GSPC`.
 *
 * @example
 * symbolSchema.parse(" eur/usd "); // "EUR/USD"
 * symbolSchema.safeParse("AAPL; DROP").success; // false
 */
export const symbolSchema = z
  .string()
  .trim()
  .toUpperCase()
  .min(1, "symbol is required")
  .max(SYMBOL_MAX_LENGTH, `symbol is at most ${SYMBOL_MAX_LENGTH} characters`)
  .regex(
    SYMBOL_PATTERN,
    "symbol may only contain A-Z, 0-9 and single . - / = separators (e.g. AAPL, BTC-USD, EUR/USD)",
  )
  .refine((s) => s.split("/").length <= 2, "symbol may contain at most one /");

/** ISO 4217 codes accepted as forex legs (majors, common crosses and emerging markets, gold, silver). */
// biome-ignore format: a dense table of codes reads better than one per line
const ISO_CURRENCIES = new Set([
  "USD", "EUR", "JPY", "GBP", "AUD", "CAD", "CHF", "NZD", "CNY", "CNH", "HKD", "SGD", "SEK", "NOK", "DKK",
  "PLN", "CZK", "HUF", "TRY", "ZAR", "MXN", "BRL", "INR", "KRW", "TWD", "THB", "IDR", "MYR", "PHP", "ILS",
  "SAR", "AED", "RUB", "CLP", "COP", "PEN", "ARS", "XAU", "XAG",
]);

/**
 * Quote currencies that make `BASE-QUOTE` a crypto pair. Three letters or more, so Yahoo share classes
 * (`BRK-B`, `BF-A`: one or two letters) never match.
 */
// biome-ignore format: a dense table of codes reads better than one per line
const CRYPTO_QUOTES = new Set([
  "USD", "USDT", "USDC", "FDUSD", "BUSD", "TUSD", "DAI", "EUR", "GBP", "JPY", "TRY", "BRL", "BTC", "ETH", "BNB",
]);

/** Stablecoin quotes recognised on a separator-less Binance-style symbol (`BTCUSDT`), longest first. */
const STABLE_QUOTES = ["FDUSD", "USDT", "USDC", "BUSD", "TUSD"] as const;

/** Binance quote assets recognised by {@link fromBinanceSymbol}, longest first (the first suffix match wins). */
const BINANCE_QUOTES = [
  "FDUSD",
  "USDT",
  "USDC",
  "BUSD",
  "TUSD",
  "BTC",
  "ETH",
  "BNB",
  "EUR",
  "GBP",
  "TRY",
  "BRL",
  "JPY",
  "DAI",
];

/** Thrown when a symbol has no equivalent on a provider (e.g. a stock on Binance). */
export class SymbolMappingError extends Error {
  override readonly name = "SymbolMappingError";
  readonly symbol: string;
  constructor(symbol: string, message: string) {
    super(message);
    this.symbol = symbol;
  }
}

function isForexPair(base: string, quote: string): boolean {
  return ISO_CURRENCIES.has(base) && ISO_CURRENCIES.has(quote);
}

function stableSuffix(symbol: string): string | undefined {
  return STABLE_QUOTES.find((q) => symbol.length >= q.length + 2 && symbol.endsWith(q));
}

/**
 * Infers the asset class of a symbol (docs/compatibility.md#market-data: `BTC-USD` crypto, `EUR/USD` forex, `AAPL` stock).
 * The rule, first match wins:
 * 1. `XXX/YYY` with both legs ISO 4217 currencies, or a Yahoo forex form (`EURUSD=X`, `JPY=X`): forex.
 * 2. `BASE/QUOTE` or `BASE-QUOTE` whose quote is a known crypto quote (USD, USDT, USDC, EUR, BTC, ETH...,
 *    always 3+ letters so share classes like `BRK-B` are not caught): crypto.
 * 3. A separator-less symbol ending in a stablecoin quote (`BTCUSDT`, Binance style): crypto.
 * 4. Anything else (`AAPL`, `BRK.B`, `SAP.DE`, `^GSPC`): stock.
 * The input is expected upper-case (as {@link symbolSchema} returns it); lower case is upper-cased.
 *
 * @example
 * inferAssetClass("BTC-USD"); // "crypto"
 * inferAssetClass("EUR/USD"); // "forex"
 * inferAssetClass("AAPL"); // "stock"
 */
export function inferAssetClass(symbol: string): AssetClass {
  const s = symbol.trim().toUpperCase();
  const slash = s.split("/");
  if (slash.length === 2) {
    const [base = "", quote = ""] = slash;
    if (isForexPair(base, quote)) return "forex";
    if (CRYPTO_QUOTES.has(quote)) return "crypto";
    return "stock";
  }
  if (/^([A-Z]{6}|[A-Z]{3})=X$/.test(s)) return "forex";
  const dash = s.lastIndexOf("-");
  if (dash > 0 && CRYPTO_QUOTES.has(s.slice(dash + 1))) return "crypto";
  if (/^[A-Z0-9]+$/.test(s) && stableSuffix(s) !== undefined) return "crypto";
  return "stock";
}

/** Base and quote of a pair symbol (`BTC-USD`, `EUR/USD`, `BTCUSDT`), or null for a single ticker. */
function splitPair(symbol: string): { base: string; quote: string } | null {
  const s = symbol.toUpperCase();
  const slash = s.indexOf("/");
  if (slash > 0) return { base: s.slice(0, slash), quote: s.slice(slash + 1) };
  const dash = s.lastIndexOf("-");
  if (dash > 0) return { base: s.slice(0, dash), quote: s.slice(dash + 1) };
  const stable = stableSuffix(s);
  if (stable !== undefined) return { base: s.slice(0, -stable.length), quote: stable };
  return null;
}

/**
 * The Binance spot symbol of a crypto pair: legs concatenated, and `USD` mapped to `USDT` because
 * Binance's global exchange lists no USD pairs; USDT tracks the dollar closely but not exactly, so
 * `BTC-USD` from Binance is really BTC/USDT (documented on the provider). `BTC-USDT` maps to the same
 * market. Throws {@link SymbolMappingError} for anything that is not a crypto pair.
 *
 * @example
 * toBinanceSymbol("BTC-USD"); // "BTCUSDT"
 * toBinanceSymbol("ETH-BTC"); // "ETHBTC"
 * toBinanceSymbol("AAPL"); // throws SymbolMappingError
 */
export function toBinanceSymbol(symbol: string): string {
  const pair = inferAssetClass(symbol) === "crypto" ? splitPair(symbol) : null;
  if (pair === null)
    throw new SymbolMappingError(symbol, `Binance only lists crypto pairs such as BTC-USD, not ${symbol}`);
  return `${pair.base}${pair.quote === "USD" ? "USDT" : pair.quote}`;
}

/**
 * Inverse of {@link toBinanceSymbol}: splits on the longest known quote asset and maps `USDT` back
 * to `USD`, so `BTC-USD` → `BTCUSDT` → `BTC-USD` round-trips (while `BTC-USDT` comes back as `BTC-USD`).
 *
 * @example
 * fromBinanceSymbol("BTCUSDT"); // "BTC-USD"
 * fromBinanceSymbol("ETHBTC"); // "ETH-BTC"
 */
export function fromBinanceSymbol(binanceSymbol: string): string {
  const s = binanceSymbol.toUpperCase();
  const quote = BINANCE_QUOTES.find((q) => s.length > q.length && s.endsWith(q));
  if (quote === undefined) {
    throw new SymbolMappingError(
      binanceSymbol,
      `cannot tell the quote asset of Binance symbol ${binanceSymbol}`,
    );
  }
  return `${s.slice(0, -quote.length)}-${quote === "USDT" ? "USD" : quote}`;
}

/**
 * The Yahoo Finance symbol: forex pairs become `BASEQUOTE=X` (`EUR/USD` → `EURUSD=X`), crypto pairs keep
 * Yahoo's own dash form (`BTC-USD`), stocks and anything else are unchanged. Pass `assetClass` when the
 * caller gave one explicitly (a separator-less `EURUSD` declared forex also maps to `EURUSD=X`).
 *
 * @example
 * toYahooSymbol("EUR/USD"); // "EURUSD=X"
 * toYahooSymbol("BTC-USD"); // "BTC-USD"
 * toYahooSymbol("AAPL"); // "AAPL"
 */
export function toYahooSymbol(symbol: string, assetClass: AssetClass = inferAssetClass(symbol)): string {
  const s = symbol.toUpperCase();
  if (assetClass === "forex") {
    if (s.endsWith("=X")) return s;
    const compact = s.replace("/", "");
    if (/^[A-Z]{6}$/.test(compact)) return `${compact}=X`;
  }
  if (assetClass === "crypto" && s.includes("/")) return s.replace("/", "-");
  return s;
}

/**
 * Inverse of {@link toYahooSymbol}: `EURUSD=X` → `EUR/USD`, and Yahoo's short dollar form `JPY=X`
 * (USD/JPY) → `USD/JPY`; everything else is unchanged.
 *
 * @example
 * fromYahooSymbol("EURUSD=X"); // "EUR/USD"
 * fromYahooSymbol("JPY=X"); // "USD/JPY"
 * fromYahooSymbol("BTC-USD"); // "BTC-USD"
 */
export function fromYahooSymbol(yahooSymbol: string): string {
  const s = yahooSymbol.toUpperCase();
  const pair = /^([A-Z]{3})([A-Z]{3})=X$/.exec(s);
  if (pair) return `${pair[1]}/${pair[2]}`;
  const short = /^([A-Z]{3})=X$/.exec(s);
  if (short) return `USD/${short[1]}`;
  return s;
}
