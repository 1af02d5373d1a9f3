/**
 * The symbol registry (`market_symbol`): what the ingestion knows how to fetch, from where, and since
 * when. Uploads and workflows look symbols up here.
 */
import type { SymbolUpsert } from "@quantago/contracts";
import { type Database, ingestionRun, ingestionRunSymbol, marketSymbol } from "@quantago/db";
import { type AssetClass, baseTimeframe, inferAssetClass, symbolSchema } from "@quantago/market-data";
import { and, asc, eq, inArray } from "drizzle-orm";
import { AppError } from "../../lib/errors.ts";
import type { Services } from "../../services.ts";
import { ACTIVE_RUN_STATUSES } from "./events.ts";

export type SymbolRow = typeof marketSymbol.$inferSelect;

/** Normalises a symbol (`btc-usd` → `BTC-USD`) or answers 400 naming it. */
export function normalizeSymbol(raw: string, path: (string | number)[] = ["symbol"]): string {
  const parsed = symbolSchema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError("VALIDATION_FAILED", `Invalid symbol ${JSON.stringify(raw)}.`, {
      issues: [{ path, message: parsed.error.issues[0]?.message ?? "invalid symbol" }],
    });
  }
  return parsed.data;
}

export function serializeSymbol(s: SymbolRow) {
  return {
    symbol: s.symbol,
    assetClass: s.assetClass,
    source: s.source,
    sourceSymbol: s.sourceSymbol,
    enabled: s.enabled,
    synthetic: s.synthetic,
    availableFrom: s.availableFrom?.toISOString() ?? null,
    metadata: s.metadata,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

export async function listRegistry(db: Database, filter: { enabled?: boolean; source?: string }) {
  const rows = await db
    .select()
    .from(marketSymbol)
    .where(
      and(
        filter.enabled === undefined ? undefined : eq(marketSymbol.enabled, filter.enabled),
        filter.source === undefined ? undefined : eq(marketSymbol.source, filter.source),
      ),
    )
    .orderBy(asc(marketSymbol.symbol));
  return rows;
}

/**
 * Upserts registry entries. A new symbol needs a `source`; on an existing one only the given fields
 * change (so `{ symbol, enabled: false }` disables it). `assetClass` defaults to the inferred one;
 * `synthetic` follows the source.
 */
export async function upsertSymbols(db: Database, entries: SymbolUpsert[]): Promise<SymbolRow[]> {
  const symbols = entries.map((e, i) => normalizeSymbol(e.symbol, ["symbols", i, "symbol"]));
  const existing = new Map(
    (await db.select().from(marketSymbol).where(inArray(marketSymbol.symbol, symbols))).map((r) => [
      r.symbol,
      r,
    ]),
  );
  const out: SymbolRow[] = [];
  for (const [i, entry] of entries.entries()) {
    const symbol = symbols[i] as string;
    const current = existing.get(symbol);
    const source = entry.source ?? current?.source;
    if (!source) {
      throw new AppError("VALIDATION_FAILED", `${symbol} is not registered yet: give its source.`, {
        issues: [{ path: ["symbols", i, "source"], message: "required for a new symbol" }],
      });
    }
    const values = {
      symbol,
      assetClass: entry.assetClass ?? current?.assetClass ?? inferAssetClass(symbol),
      source,
      sourceSymbol: entry.sourceSymbol !== undefined ? entry.sourceSymbol : (current?.sourceSymbol ?? null),
      enabled: entry.enabled ?? current?.enabled ?? true,
      synthetic: source === "synthetic",
      availableFrom:
        entry.availableFrom !== undefined
          ? entry.availableFrom === null
            ? null
            : new Date(entry.availableFrom)
          : (current?.availableFrom ?? null),
      metadata: entry.metadata ?? current?.metadata ?? {},
      updatedAt: new Date(),
    };
    const [row] = await db
      .insert(marketSymbol)
      .values(values)
      .onConflictDoUpdate({ target: marketSymbol.symbol, set: values })
      .returning();
    if (row) {
      out.push(row);
      existing.set(symbol, row);
    }
  }
  return out;
}

/** Asset class of a registry entry, or the inferred one. */
export function assetClassOf(symbol: string, entry?: { assetClass: string } | null): AssetClass {
  return (entry?.assetClass as AssetClass | undefined) ?? inferAssetClass(symbol);
}

/** The asset class of a symbol as registered, else the inferred one (a CSV upload without `assetClass`). */
export async function registeredAssetClass(db: Database, symbol: string): Promise<AssetClass> {
  const [entry] = await db.select().from(marketSymbol).where(eq(marketSymbol.symbol, symbol));
  return assetClassOf(symbol, entry);
}

/**
 * Removes `symbol` from the registry, so scheduled syncs and bulk runs no longer fetch it; its past
 * runs stay in the log. Refused while it still has stored bars (the market-data catalog would list a
 * symbol nobody maintains: the operator removes its bars first, a separate and deliberate step) or
 * while a run that includes it is pending or running (it would write bars for a symbol that is gone).
 *
 * @throws AppError NOT_FOUND when the symbol is not registered, CONFLICT in the two cases above
 */
export async function unregisterSymbol(
  { db, clickhouse, config }: Pick<Services, "db" | "clickhouse" | "config">,
  symbol: string,
): Promise<void> {
  const [entry] = await db.select().from(marketSymbol).where(eq(marketSymbol.symbol, symbol));
  if (!entry) throw new AppError("NOT_FOUND", `${symbol} is not registered.`);
  const stored = await baseTimeframe(clickhouse, symbol, { database: config.CLICKHOUSE_DB });
  if (stored !== null) {
    throw new AppError(
      "CONFLICT",
      `${symbol} still has stored ${stored} bars; remove them first (on its coverage page in the admin console, or DELETE /api/admin/ingestion/symbols/${symbol}/bars).`,
    );
  }
  const [active] = await db
    .select({ id: ingestionRun.id, status: ingestionRun.status })
    .from(ingestionRunSymbol)
    .innerJoin(ingestionRun, eq(ingestionRun.id, ingestionRunSymbol.runId))
    .where(and(eq(ingestionRunSymbol.symbol, symbol), inArray(ingestionRun.status, ACTIVE_RUN_STATUSES)))
    .limit(1);
  if (active) {
    throw new AppError(
      "CONFLICT",
      `Ingestion run ${active.id} for ${symbol} is ${active.status}; wait for it or cancel it.`,
    );
  }
  await db.delete(marketSymbol).where(eq(marketSymbol.symbol, symbol));
}
