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
  decodedTrades.delete(backtestId);
  await storage.results.delete([tradesKey(backtestId), tradeNotesKey(backtestId)]);
}

/** A backtest's trades as read from R2: the decoded blob, its notes, its sort orders, its version. */
interface DecodedTrades {
  /** The blob's ETag: the entry is used only while the stored blob still has it. */
  etag: string;
  trades: StoredTradeColumns;
  notes: Record<string, StoredNotes> | null;
  /** Trade numbers ordered by a column, by `${key}:${order}`, computed on first use. */
  orders: Map<string, Int32Array>;
  /** What the entry holds: the blob, the notes' text (an estimate of the parsed notes) and the orders. */
  bytes: number;
}

/**
 * The most recently read trade blobs, decoded, per isolate, least recently used first. The web app
 * reads a run's trades a page at a time (twenty-odd pages for 20,000 trades, plus sorts and exports),
 * and every page used to get and decode the whole blob (1.6 MB) and sort it again. Now a page asks R2
 * only whether the blob changed (a conditional get on its ETag, no body when it did not), so an
 * entry can never outlive or misreport what is stored: a deleted blob, or one rewritten by a retried
 * run, is read again. Bounded by bytes; a blob larger than the bound is not kept.
 */
const TRADE_CACHE_BYTES = 24 * 1024 * 1024;
const decodedTrades = new Map<string, DecodedTrades>();

function keepDecoded(backtestId: string, entry: DecodedTrades): void {
  decodedTrades.delete(backtestId);
  if (entry.bytes > TRADE_CACHE_BYTES) return;
  decodedTrades.set(backtestId, entry);
  let total = 0;
  for (const kept of decodedTrades.values()) total += kept.bytes;
  for (const [id, kept] of decodedTrades) {
    if (total <= TRADE_CACHE_BYTES) break;
    total -= kept.bytes;
    decodedTrades.delete(id);
  }
}

/**
 * The decoded trades of a backtest, from the isolate's cache while the stored blob is unchanged, else
 * from R2; null when it has no blob (a backtest completed before the blobs, read from the table).
 */
async function decodedTradesOf(
  storage: Services["storage"],
  backtestId: string,
): Promise<DecodedTrades | null> {
  const cached = decodedTrades.get(backtestId);
  const key = tradesKey(backtestId);
  const object = cached
    ? await storage.results.get(key, { onlyIf: { etagDoesNotMatch: cached.etag } })
    : await storage.results.get(key);
  if (!object) {
    decodedTrades.delete(backtestId);
    return null;
  }
  if (cached && !("body" in object)) {
    keepDecoded(backtestId, cached); // most recently used
    return cached;
  }
  const bytes = new Uint8Array(await (object as R2ObjectBody).arrayBuffer());
  const notesObject = await storage.results.get(tradeNotesKey(backtestId));
  const notesText = notesObject ? await notesObject.text() : null;
  const entry: DecodedTrades = {
    etag: object.etag,
    trades: decodeTradeColumns(bytes),
    notes: notesText === null ? null : (JSON.parse(notesText) as Record<string, StoredNotes>),
    orders: new Map(),
    bytes: bytes.byteLength + 2 * (notesText?.length ?? 0),
  };
  keepDecoded(backtestId, entry);
  return entry;
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
function pageOrder(decoded: DecodedTrades, query: TradesQuery): ArrayLike<number> {
  const t = decoded.trades;
  const end = Math.min(t.count, query.offset + query.limit);
  const key = SORT_COLUMNS[query.sort].blob;
  const descending = query.order === "desc";
  if (key !== null) {
    const name = `${key}:${query.order}`;
    let order = decoded.orders.get(name);
    if (!order) {
      order = tradeOrder(t, key, descending);
      decoded.orders.set(name, order);
      decoded.bytes += order.byteLength;
    }
    return order.slice(query.offset, end);
  }
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
  const decoded = await decodedTradesOf(storage, backtestId);
  if (!decoded) return readLegacyPage(db, backtestId, query);
  const { trades, notes } = decoded;
  return Array.from(pageOrder(decoded, query), (k) => blobTrade(backtestId, trades, k, notes?.[k] ?? null));
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
  const decoded = await decodedTradesOf(storage, backtestId);
  if (decoded) return Array.from(decoded.trades.pnl.subarray(0, decoded.trades.count));
  const rows = await db
    .select({ profit: backtestTrade.profit })
    .from(backtestTrade)
    .where(eq(backtestTrade.backtestId, backtestId))
    .orderBy(asc(backtestTrade.seq));
  return rows.map((r) => r.profit);
}
