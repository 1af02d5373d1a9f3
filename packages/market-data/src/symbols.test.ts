import { describe, expect, it } from "vitest";
import {
  fromBinanceSymbol,
  fromYahooSymbol,
  inferAssetClass,
  SymbolMappingError,
  symbolSchema,
  toBinanceSymbol,
  toYahooSymbol,
} from "./symbols.ts";

describe("symbol validation", () => {
  it("accepts the documented formats, upper-cased and trimmed", () => {
    for (const [input, out] of [
      ["AAPL", "AAPL"],
      ["btc-usd", "BTC-USD"],
      [" eur/usd ", "EUR/USD"],
      ["BRK.B", "BRK.B"],
      ["BRK-B", "BRK-B"],
      ["EURUSD=X", "EURUSD=X"],
      ["^GSPC", "^GSPC"],
      ["SAP.DE", "SAP.DE"],
    ]) {
      expect(symbolSchema.parse(input)).toBe(out);
    }
  });

  it("rejects anything outside the strict charset or shape", () => {
    for (const bad of [
      "",
      "   ",
      "AAPL; DROP",
      "BTC USD",
      "BTC--USD",
      "-BTC",
      "BTC-",
      "/USD",
      "EUR/USD/JPY",
      "A'B",
      'A"B',
      "A\\B",
      "A^B",
      "ÄPPLE",
      "X".repeat(25),
      "AA\nPL",
    ]) {
      expect(symbolSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(symbolSchema.safeParse("X".repeat(24)).success).toBe(true);
  });
});

describe("asset class inference", () => {
  it.each([
    ["BTC-USD", "crypto"],
    ["ETH-BTC", "crypto"],
    ["BTC-USDT", "crypto"],
    ["BTC/USDT", "crypto"],
    ["BTCUSDT", "crypto"],
    ["SOL-EUR", "crypto"],
    ["EUR/USD", "forex"],
    ["USD/JPY", "forex"],
    ["XAU/USD", "forex"],
    ["EURUSD=X", "forex"],
    ["JPY=X", "forex"],
    ["AAPL", "stock"],
    ["BRK-B", "stock"],
    ["BRK.B", "stock"],
    ["SAP.DE", "stock"],
    ["^GSPC", "stock"],
    ["GC=F", "stock"],
    ["ABC/XYZ", "stock"],
    ["eur/usd", "forex"],
  ])("%s is %s", (symbol, assetClass) => {
    expect(inferAssetClass(symbol)).toBe(assetClass);
  });
});

describe("provider symbol mapping", () => {
  it("maps Binance symbols both ways (USD is USDT on Binance)", () => {
    const pairs = [
      ["BTC-USD", "BTCUSDT"],
      ["ETH-USD", "ETHUSDT"],
      ["ETH-BTC", "ETHBTC"],
      ["BTC-EUR", "BTCEUR"],
      ["BNB-FDUSD", "BNBFDUSD"],
      ["SOL-USDC", "SOLUSDC"],
    ];
    for (const [ours, binance] of pairs) {
      expect(toBinanceSymbol(ours ?? "")).toBe(binance);
      expect(fromBinanceSymbol(binance ?? "")).toBe(ours);
    }
    // USDT collapses onto USD: both reach the same Binance market.
    expect(toBinanceSymbol("BTC-USDT")).toBe("BTCUSDT");
    expect(toBinanceSymbol("BTC/USDT")).toBe("BTCUSDT");
    expect(toBinanceSymbol("BTCUSDT")).toBe("BTCUSDT");
  });

  it("refuses non-crypto symbols on Binance", () => {
    for (const symbol of ["AAPL", "EUR/USD", "BRK-B"]) {
      expect(() => toBinanceSymbol(symbol)).toThrow(SymbolMappingError);
    }
    expect(() => fromBinanceSymbol("FOO")).toThrow(SymbolMappingError);
  });

  it("maps Yahoo symbols both ways", () => {
    const pairs = [
      ["EUR/USD", "EURUSD=X"],
      ["GBP/JPY", "GBPJPY=X"],
      ["BTC-USD", "BTC-USD"],
      ["AAPL", "AAPL"],
      ["BRK-B", "BRK-B"],
      ["^GSPC", "^GSPC"],
    ];
    for (const [ours, yahoo] of pairs) {
      expect(toYahooSymbol(ours ?? "")).toBe(yahoo);
      expect(fromYahooSymbol(yahoo ?? "")).toBe(ours);
    }
    expect(fromYahooSymbol("JPY=X")).toBe("USD/JPY");
    expect(toYahooSymbol("EURUSD", "forex")).toBe("EURUSD=X");
    expect(toYahooSymbol("EURUSD=X")).toBe("EURUSD=X");
    expect(toYahooSymbol("BTC/USD")).toBe("BTC-USD");
  });
});
