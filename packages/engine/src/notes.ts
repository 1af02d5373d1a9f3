import type { BacktestResult, TradeNotes } from "./types.ts";

export type { TradeNotes } from "./types.ts";

/**
 * The notes of a run's closed trades, or null when no trade carries any (the usual case for built-in
 * strategies and the columnar ABI, which have none to give): then nothing needs storing or sending.
 * Reads the run's note columns, so it does not build the `Trade` objects.
 */
export function tradeNotes(result: BacktestResult): TradeNotes | null {
  return result.notes;
}
