import type { BacktestResult, SignalNote } from "./types.ts";

/** The strategy's reason and metadata of each closed trade's entry and exit signal, in trade order. */
export type TradeNotes = Array<{ entry: SignalNote | null; exit: SignalNote | null }>;

/**
 * The notes of a run's closed trades, or null when no trade carries any (the usual case for built-in
 * strategies and the columnar ABI, which have none to give): then nothing needs storing or sending.
 */
export function tradeNotes(result: BacktestResult): TradeNotes | null {
  const trades = result.trades;
  if (!trades.some((t) => t.entrySignal !== null || t.exitSignal !== null)) return null;
  return trades.map((t) => ({ entry: t.entrySignal, exit: t.exitSignal }));
}
