import { deleteBarsResponseSchema, type TicksResponse } from "@quantago/contracts";
import { ingestionRun, ingestionRunSymbol } from "@quantago/db";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { as, newUser } from "./auth-helpers.ts";
import { api, expectError } from "./helpers.ts";
import { admin, registerSymbols, uniqueSymbol, withDb } from "./ingestion-helpers.ts";
import { seedSyntheticBars } from "./synthetic-bars.ts";

const FROM = Date.UTC(2025, 0, 6);
const HOUR = 60 * 60_000;

async function ticks(symbol: string, timeframe: "1m" | "1h"): Promise<TicksResponse["ticks"]> {
  const params = new URLSearchParams({ symbol, startDate: "2025-01-06", endDate: "2025-01-08", timeframe });
  const res = await api(`/api/market-data/ticks?${params}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as TicksResponse).ticks;
}

/** 1m ticks aggregated into 1h buckets: first open, max high, min low, last close, summed volume. */
function hourly(minutes: TicksResponse["ticks"]): TicksResponse["ticks"] {
  const out = new Map<number, TicksResponse["ticks"][number]>();
  for (const m of minutes) {
    const key = Math.floor(Date.parse(m.timestamp) / HOUR) * HOUR;
    const cur = out.get(key);
    if (!cur) out.set(key, { ...m, timestamp: new Date(key).toISOString() });
    else {
      cur.high = Math.max(cur.high, m.high);
      cur.low = Math.min(cur.low, m.low);
      cur.close = m.close;
      cur.volume += m.volume;
    }
  }
  return [...out.values()];
}

function bars(symbol: string, query: string, init: RequestInit = { method: "DELETE" }) {
  return admin(`/symbols/${symbol}/bars?${query}`, init);
}

describe("DELETE /api/admin/ingestion/symbols/:symbol/bars", () => {
  it("removes a range of bars; the 1h ticks afterwards equal the remaining 1m bars aggregated", async () => {
    const symbol = uniqueSymbol("DEL");
    await seedSyntheticBars(symbol, FROM, 2 * 1440, 11);
    // Not hour-aligned at either end: the rollups of the two partial hours must be recomputed.
    const from = new Date(FROM + 6 * HOUR + 17 * 60_000).toISOString();
    const to = new Date(FROM + 9 * HOUR + 42 * 60_000).toISOString();
    const res = await bars(symbol, new URLSearchParams({ timeframe: "1m", from, to }).toString());
    expect(res.status, await res.clone().text()).toBe(200);
    expect(deleteBarsResponseSchema.parse(await res.json())).toEqual({
      symbol,
      from,
      to,
      series: [{ timeframe: "1m", deletedBars: 3 * 60 + 25, seriesRemoved: false }],
    });

    const minutes = await ticks(symbol, "1m");
    expect(minutes).toHaveLength(2 * 1440 - (3 * 60 + 25));
    expect(minutes.some((m) => m.timestamp >= from && m.timestamp < to)).toBe(false);
    const expected = hourly(minutes);
    const actual = await ticks(symbol, "1h");
    expect(actual.map((t) => t.timestamp)).toEqual(expected.map((t) => t.timestamp));
    actual.forEach((t, i) => {
      const { volume, ...rest } = expected[i] as TicksResponse["ticks"][number];
      expect({ ...t, volume: 0 }).toEqual({ ...rest, volume: 0 });
      expect(t.volume).toBeCloseTo(volume, 6);
    });

    // Everything else of the symbol: the series is gone.
    const all = await bars(symbol, `from=2025-01-01&to=2025-02-01`);
    expect(deleteBarsResponseSchema.parse(await all.json()).series).toEqual([
      { timeframe: "1m", deletedBars: 2 * 1440 - (3 * 60 + 25), seriesRemoved: true },
    ]);
    const stored = (await (await api("/api/market-data/symbols")).json()) as {
      symbols: { symbol: string }[];
    };
    expect(stored.symbols.map((s) => s.symbol)).not.toContain(symbol);
  });

  it("refuses a plain user (403) and anonymous callers (401); validates the range", async () => {
    const symbol = uniqueSymbol("DEL");
    const user = await newUser();
    const path = `/api/admin/ingestion/symbols/${symbol}/bars?from=2025-01-06&to=2025-01-07`;
    await expectError(await as(user, path, { method: "DELETE" }), 403, "FORBIDDEN");
    expect((await api(path, { method: "DELETE" })).status).toBe(401);

    for (const query of [
      "from=2025-01-07&to=2025-01-06",
      "from=2025-01-06&to=2025-01-06",
      "from=0000-01-01&to=2025-01-06",
      "from=2025-01-06&to=9999-12-31",
      "to=2025-01-06",
      "from=2025-01-05&to=2025-01-06&timeframe=2m",
    ]) {
      await expectError(await bars(symbol, query), 400, "VALIDATION_FAILED");
    }
  });
});

async function registered(symbol: string): Promise<boolean> {
  const res = await admin("/symbols");
  const body = (await res.json()) as { symbols: { symbol: string }[] };
  return body.symbols.some((s) => s.symbol === symbol);
}

describe("DELETE /api/admin/ingestion/symbols/:symbol", () => {
  it("unregisters a symbol only once its bars are removed; past runs stay; then it is unknown", async () => {
    const symbol = uniqueSymbol("UNR");
    await registerSymbols([{ symbol, source: "synthetic" }]);
    await seedSyntheticBars(symbol, FROM, 120, 5);

    const refused = await expectError(
      await admin(`/symbols/${symbol}`, { method: "DELETE" }),
      409,
      "CONFLICT",
    );
    expect(refused.error.message).toContain(`${symbol} still has stored 1m bars; remove them first`);
    expect(await registered(symbol)).toBe(true);

    expect((await bars(symbol, "from=2025-01-01&to=2025-02-01")).status).toBe(200);
    // The symbol in lower case names the same registry entry.
    const res = await admin(`/symbols/${symbol.toLowerCase()}`, { method: "DELETE" });
    expect(res.status, await res.clone().text()).toBe(204);
    expect(await registered(symbol)).toBe(false);
    await expectError(await admin(`/symbols/${symbol}`, { method: "DELETE" }), 404, "NOT_FOUND");
  });

  it("refuses while a run that includes the symbol is pending or running, and a plain user", async () => {
    const symbol = uniqueSymbol("UNR");
    await registerSymbols([{ symbol, source: "synthetic" }]);
    const runId = `ing_unregister_${symbol}`;
    await withDb(async (db) => {
      await db.insert(ingestionRun).values({
        id: runId,
        kind: "backfill",
        status: "running",
        timeframe: "1m",
        requestedBy: "secret",
      });
      await db.insert(ingestionRunSymbol).values({ runId, symbol, status: "running" });
    });
    const refused = await expectError(
      await admin(`/symbols/${symbol}`, { method: "DELETE" }),
      409,
      "CONFLICT",
    );
    expect(refused.error.message).toContain(`Ingestion run ${runId}`);
    await expectError(
      await as(await newUser(), `/api/admin/ingestion/symbols/${symbol}`, { method: "DELETE" }),
      403,
      "FORBIDDEN",
    );
    expect(await registered(symbol)).toBe(true);

    await withDb((db) =>
      db.update(ingestionRun).set({ status: "completed" }).where(eq(ingestionRun.id, runId)),
    );
    expect((await admin(`/symbols/${symbol}`, { method: "DELETE" })).status).toBe(204);
    expect(await registered(symbol)).toBe(false);
    // The run and its per-symbol row are history: they stay.
    const kept = await withDb((db) =>
      db.select().from(ingestionRunSymbol).where(eq(ingestionRunSymbol.runId, runId)),
    );
    expect(kept.map((r) => r.symbol)).toEqual([symbol]);
  });
});
