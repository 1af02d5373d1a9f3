export { Bollinger } from "./bollinger.ts";
export { Donchian } from "./donchian.ts";
export { Ema } from "./ema.ts";
export { Macd } from "./macd.ts";
export {
  FRESH_INDICATORS,
  IndicatorMemo,
  type IndicatorSource,
  type ScalarIndicator,
} from "./memo.ts";
export { Rsi } from "./rsi.ts";
export { Sma } from "./sma.ts";
export { RollingVwap } from "./vwap.ts";
