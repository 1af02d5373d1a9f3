/**
 * The closed trades of a backtest (ADR 0013): stored in R2 beside the equity curve as one trade blob
 * (`QTRD`, packages/engine/src/trade-blob.ts: fixed-width columns, 81 bytes a trade), plus, only when
 * the strategy reported any, the signal notes as a JSON object keyed by trade number. A page of
 * `GET /:id/trades` is read from the blob's columns directly: trade `k` sits at a known offset in
 * every column, so paging needs no other index, and sorting orders one column.
 *
 * Backtests completed before the blob existed keep their trades in the `backtest_trade` table and are
 * read from there: a completed backtest without a blob is such a backtest.
 */
import type { BacktestTrade, backtestTradesQuerySchema, TradeSignals } from "@quantago/contracts";
import { backtestTrade, type Database } from "@quantago/db";
import {
  decodeTradeColumns,
  EXIT_REASONS,
  encodeTradeColumns,
  type StoredTradeColumns,
  type TradeColumns,
  type TradeNotes,
  type TradeSortKey,
  tradeOrder,
} from "@quantago/engine";
import { asc, desc, eq } from "drizzle-orm";
import type { z } from "zod";
import type { Services } from "../../services.ts";

type TradesQuery = z.infer<typeof backtestTradesQuerySchema>;
type TradeRow = typeof backtestTrade.$inferSelect;

export function tradesKey(backtestId: string): string {
  return `backtests/${backtestId}/trades.bin`;
}

export function tradeNotesKey(backtestId: string): string {
  return `backtests/${backtestId}/trade-notes.json`;
}

/** The strategy's notes of one trade, as stored (and as the legacy table's `metadata` holds them). */
interface StoredNotes {
  entryReason?: string | null;
  entryMetadata?: Record<string, unknown> | null;
  exitReason?: string | null;
  exitMetadata?: Record<string, unknown> | null;
}

/** The notes of the trades that have any, by trade number; null when none has. */
function notesByTrade(notes: TradeNotes | null, count: number): Record<number, StoredNotes> | null {
  if (!notes) return null;
  let out: Record<number, StoredNotes> | null = null;
  for (let k = 0; k < count; k++) {
    const note = notes[k];
    if (!note || !(note.entry || note.exit)) continue;
    out ??= {};
    out[k] = {
      entryReason: note.entry?.reason ?? null,
      entryMetadata: note.entry?.metadata ?? null,
      exitReason: note.exit?.reason ?? null,
      exitMetadata: note.exit?.metadata ?? null,
    };
  }
  return out;
}

/**
 * Writes a run's trades to R2 (the blob, and the notes when there are any). Overwrites what an earlier
 * attempt of the same run wrote, so a retried step stores them once.
 */
export async function storeTrades(
  { storage }: Services,
  backtestId: string,
  columns: TradeColumns,
  time: Float64Array,
  notes: TradeNotes | null,
): Promise<void> {
  const byTrade = notesByTrade(notes, columns.count);
  await Promise.all([
    storage.results.put(tradesKey(backtestId), encodeTradeColumns(columns, time)),
    byTrade
      ? storage.results.put(tradeNotesKey(backtestId), JSON.stringify(byTrade))
      : storage.results.delete(tradeNotesKey(backtestId)),
  ]);
}

/** Removes a backtest's stored trades (no-op when there are none). */
export async function deleteTrades({ storage }: Services, backtestId: string): Promise<void> {
  await storage.results.delete([tradesKey(backtestId), tradeNotesKey(backtestId)]);
}

/** `signals` of a trade: the decisions that opened and closed it, with what the strategy said. */
function tradeSignals(type: "BUY" | "SELL", reason: string, notes: StoredNotes | null): TradeSignals {
  return {
    entry: { action: type, reason: notes?.entryReason ?? null, metadata: notes?.entryMetadata ?? null },
    exit: {
      action: reason === "signal" ? (type === "BUY" ? "SELL" : "BUY") : null,
      trigger: reason,
      reason: notes?.exitReason ?? null,
      metadata: notes?.exitMetadata ?? null,
    },
  };
}

/** Trade `k` of a blob on the wire; the derived fields are computed as the legacy rows stored them. */
function blobTrade(
  backtestId: string,
  t: StoredTradeColumns,
  k: number,
  notes: StoredNotes | null,
): BacktestTrade {
  const signedSize = t.size[k] as number;
  const size = Math.abs(signedSize);
  const entryPrice = t.entryPrice[k] as number;
  const profit = t.pnl[k] as number;
  const type = signedSize > 0 ? "BUY" : "SELL";
  const reason = EXIT_REASONS[t.reason[k] as number] ?? "signal";
  return {
    id: `${backtestId}-${k}`,
    backtest_id: backtestId,
    seq: k,
    type,
    size,
    entry_price: entryPrice,
    entry_time: new Date(t.entryTime[k] as number).toISOString(),
    exit_price: t.exitPrice[k] as number,
    exit_time: new Date(t.exitTime[k] as number).toISOString(),
    fees: (t.entryFee[k] as number) + (t.exitFee[k] as number),
    profit,
    return_pct: profit / (entryPrice * size),
    reason,
    metadata: notes as Record<string, unknown> | null,
    signals: tradeSignals(type, reason, notes),
  };
}

function rowTrade(row: TradeRow): BacktestTrade {
  const type = row.type as BacktestTrade["type"];
  const notes = row.metadata as StoredNotes | null;
  return {
    id: `${row.backtestId}-${row.seq}`,
    backtest_id: row.backtestId,
    seq: row.seq,
    type,
    size: row.size,
    entry_price: row.entryPrice,
    entry_time: new Date(row.entryTime).toISOString(),
    exit_price: row.exitPrice,
    exit_time: new Date(row.exitTime).toISOString(),
    fees: row.fees,
    profit: row.profit,
    return_pct: row.returnPct,
    reason: row.reason,
    metadata: row.metadata,
    signals: tradeSignals(type, row.reason, notes),
  };
}

/** The blob column and the legacy table column behind each `sort` value of the trades query. */
const SORT_COLUMNS = {
  seq: { blob: null, table: backtestTrade.seq },
  entry_time: { blob: "entryTime", table: backtestTrade.entryTime },
  exit_time: { blob: "exitTime", table: backtestTrade.exitTime },
  entry_price: { blob: "entryPrice", table: backtestTrade.entryPrice },
  exit_price: { blob: "exitPrice", table: backtestTrade.exitPrice },
  profit: { blob: "pnl", table: backtestTrade.profit },
} as const satisfies Record<TradesQuery["sort"], { blob: TradeSortKey | null; table: unknown }>;

/** Trade numbers of one page: in entry order, or ordered by a column (ties in entry order). */
function pageOrder(t: StoredTradeColumns, query: TradesQuery): ArrayLike<number> {
  const end = Math.min(t.count, query.offset + query.limit);
  const key = SORT_COLUMNS[query.sort].blob;
  const descending = query.order === "desc";
  if (key !== null) return tradeOrder(t, key, descending).subarray(query.offset, end);
  const page: number[] = [];
  for (let i = query.offset; i < end; i++) page.push(descending ? t.count - 1 - i : i);
  return page;
}

/** A page of a backtest's trades, from its blob, or from the legacy table when it has no blob. */
export async function readTradesPage(
  { db, storage }: Pick<Services, "db" | "storage">,
  backtestId: string,
  query: TradesQuery,
): Promise<BacktestTrade[]> {
  const [blob, notesObject] = await Promise.all([
    storage.results.get(tradesKey(backtestId)),
    storage.results.get(tradeNotesKey(backtestId)),
  ]);
  if (!blob) return readLegacyPage(db, backtestId, query);
  const trades = decodeTradeColumns(new Uint8Array(await blob.arrayBuffer()));
  const notes = notesObject ? ((await notesObject.json()) as Record<string, StoredNotes>) : null;
  return Array.from(pageOrder(trades, query), (k) => blobTrade(backtestId, trades, k, notes?.[k] ?? null));
}

async function readLegacyPage(
  db: Database,
  backtestId: string,
  query: TradesQuery,
): Promise<BacktestTrade[]> {
  const direction = query.order === "desc" ? desc : asc;
  const rows = await db
    .select()
    .from(backtestTrade)
    .where(eq(backtestTrade.backtestId, backtestId))
    .orderBy(direction(SORT_COLUMNS[query.sort].table), asc(backtestTrade.seq))
    .limit(query.limit)
    .offset(query.offset);
  return rows.map(rowTrade);
}

/**
 * The closed trades' net profits in entry order (Monte Carlo resamples them): the blob's profit column
 * as it is, or the legacy table's.
 */
export async function readTradeProfits(
  { db, storage }: Pick<Services, "db" | "storage">,
  backtestId: string,
): Promise<number[]> {
  const blob = await storage.results.get(tradesKey(backtestId));
  if (blob) {
    const trades = decodeTradeColumns(new Uint8Array(await blob.arrayBuffer()));
    return Array.from(trades.pnl.subarray(0, trades.count));
  }
  const rows = await db
    .select({ profit: backtestTrade.profit })
    .from(backtestTrade)
    .where(eq(backtestTrade.backtestId, backtestId))
    .orderBy(asc(backtestTrade.seq));
  return rows.map((r) => r.profit);
}
