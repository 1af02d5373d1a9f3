import { introspectWorkflow } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { countBarsInRange } from "@quantago/market-data";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { EVENT_LOCK, emitEvent, finishRun } from "../src/domain/ingestion/events.ts";
import { createRun, setRunSymbol } from "../src/domain/ingestion/runs.ts";
import { as, newUser } from "./auth-helpers.ts";
import { api, expectError, testClickHouse, testDb } from "./helpers.ts";
import {
  admin,
  postJson,
  registerSymbols,
  runRecord,
  uniqueSymbol,
  waitForRun,
} from "./ingestion-helpers.ts";

const T0 = Date.UTC(2023, 0, 2);

async function stored(symbol: string, timeframe: "1m" | "1h" = "1m") {
  const ch = testClickHouse();
  try {
    return await countBarsInRange(ch, {
      symbol,
      timeframe,
      fromMs: 0,
      toMs: Date.now(),
      database: env.CLICKHOUSE_DB,
    });
  } finally {
    await ch.close();
  }
}

function csv(rows: number, header = "timestamp,open,high,low,close,volume", stepMs = 60_000): string {
  const lines = [header];
  for (let i = 0; i < rows; i++) {
    const o = 100 + (i % 100) / 10;
    lines.push(`${T0 + i * stepMs},${o},${o + 1},${o - 1},${o + 0.5},${1000 + i}`);
  }
  return `${lines.join("\n")}\n`;
}

function upload(symbol: string, body: BodyInit, query = "timeframe=1m") {
  return admin(`/upload?symbol=${encodeURIComponent(symbol)}&${query}`, {
    method: "POST",
    headers: { "content-type": "text/csv" },
    body,
  });
}

describe("ingestion admin API", () => {
  it("refuses anonymous callers and non-admins; accepts the secret header", async () => {
    expect((await api("/api/admin/ingestion/symbols")).status).toBe(401);
    const user = await newUser();
    await expectError(await as(user, "/api/admin/ingestion/logs"), 403, "FORBIDDEN");
    const wrong = await api("/api/admin/ingestion/symbols", {
      headers: { "x-ingestion-admin-secret": "nope-nope-nope-nope" },
    });
    expect(wrong.status).toBe(401);
    expect((await admin("/symbols")).status).toBe(200);
  });

  it("upserts, lists, enables and disables registry symbols", async () => {
    const symbol = uniqueSymbol("RG");
    let res = await postJson("/symbols", {
      symbol: symbol.toLowerCase(),
      source: "binance",
      sourceSymbol: "XBTUSDT",
      availableFrom: "2020-01-01",
    });
    expect(res.status).toBe(200);
    const [created] = ((await res.json()) as { symbols: Array<Record<string, unknown>> }).symbols;
    expect(created).toMatchObject({
      symbol,
      assetClass: "crypto",
      source: "binance",
      sourceSymbol: "XBTUSDT",
      enabled: true,
      synthetic: false,
      availableFrom: "2020-01-01T00:00:00.000Z",
    });
    res = await postJson("/symbols", { symbols: [{ symbol, enabled: false }] });
    expect(((await res.json()) as { symbols: Array<Record<string, unknown>> }).symbols[0]).toMatchObject({
      enabled: false,
      source: "binance",
      sourceSymbol: "XBTUSDT",
    });
    const disabled = (await (await admin("/symbols?enabled=false")).json()) as {
      symbols: Array<{ symbol: string }>;
    };
    expect(disabled.symbols.map((s) => s.symbol)).toContain(symbol);
    const enabled = (await (await admin("/symbols?enabled=true")).json()) as {
      symbols: Array<{ symbol: string }>;
    };
    expect(enabled.symbols.map((s) => s.symbol)).not.toContain(symbol);
    // A new symbol needs a source; a synthetic one is flagged as such.
    await expectError(await postJson("/symbols", { symbol: uniqueSymbol("NS") }), 400, "VALIDATION_FAILED");
    const synth = uniqueSymbol("SY");
    res = await postJson("/symbols", { symbol: synth, source: "synthetic" });
    expect(((await res.json()) as { symbols: Array<Record<string, unknown>> }).symbols[0]).toMatchObject({
      synthetic: true,
    });
    await expectError(
      await postJson("/symbols", { symbol: "bad symbol!", source: "yahoo" }),
      400,
      "VALIDATION_FAILED",
    );
  });

  it("uploads a valid CSV (ISO datetimes, columns in any order) and records the run", async () => {
    const symbol = uniqueSymbol("UP");
    const body = [
      "datetime,close,volume,open,low,high",
      "2023-01-02 00:00:00,1.5,10,1,0.5,2",
      "2023-01-02T01:00:00Z,1.6,11,1.5,1,2",
    ].join("\n");
    const res = await upload(symbol, body, "timeframe=1h&assetClass=crypto");
    expect(res.status, await res.clone().text()).toBe(200);
    const out = (await res.json()) as { runId: string; rows: number; firstBar: string; lastBar: string };
    expect(out).toMatchObject({
      rows: 2,
      firstBar: "2023-01-02T00:00:00.000Z",
      lastBar: "2023-01-02T01:00:00.000Z",
    });
    expect(await stored(symbol, "1h")).toBe(2);
    const { run, events } = await runRecord(out.runId);
    expect(run).toMatchObject({ kind: "upload", status: "completed", rowsWritten: 2 });
    expect(events.map((e) => e.type)).toEqual([
      "run.started",
      "symbol.started",
      "symbol.progress",
      "symbol.completed",
      "run.completed",
    ]);
    // Registered (as a CSV symbol, not synced) on first upload.
    const list = (await (await admin("/symbols?source=csv")).json()) as {
      symbols: Array<{ symbol: string; enabled: boolean }>;
    };
    expect(list.symbols.find((s) => s.symbol === symbol)).toMatchObject({ enabled: false });
    // Same file again: identical rows fold into one copy.
    expect((await upload(symbol, body, "timeframe=1h&assetClass=crypto")).status).toBe(200);
    expect(await stored(symbol, "1h")).toBe(2);
  });

  it("reports bad CSV rows precisely and writes nothing", async () => {
    const symbol = uniqueSymbol("BAD");
    const body = [
      "timestamp,open,high,low,close,volume",
      `${T0},1,2,1,1.5,10`,
      `${T0 + 60_000},abc,2,1,1.5,10`,
      `${T0 + 120_000},1,0.5,1,1,10`,
      `${T0},1,2,1,1.5,10`,
      `${T0 + 180_000},1,2,1,1.5,10`,
      `${T0 + 120_000},1,2,1,1.5,10`,
    ].join("\n");
    const res = await upload(symbol, body);
    const err = await expectError(res, 400, "VALIDATION_FAILED");
    expect(err.error.message).toMatch(
      /^4 of 6 rows rejected; the file must be valid as a whole\. Nothing was written \(run ing_/,
    );
    expect(err.error.issues?.map((i) => [i.path, i.message])).toEqual([
      [["line", 3, "open"], "open 'abc' is not a number"],
      [["line", 4, "high"], "high 0.5 is below low 1"],
      [["line", 5], "duplicate time 2023-01-02T00:00:00.000Z (already on line 2)"],
      [
        ["line", 7],
        "time 2023-01-02T00:02:00.000Z is earlier than 2023-01-02T00:03:00.000Z on line 6: rows must be in ascending time order",
      ],
    ]);
    expect(await stored(symbol)).toBe(0);
    const runId = /run (ing_[0-9A-Za-z]+)/.exec(err.error.message)?.[1] as string;
    const { run, events } = await runRecord(runId);
    expect(run?.status).toBe("failed");
    expect(run?.rowsWritten).toBe(0);
    expect((run?.details.report as { rowsRejected: number } | undefined)?.rowsRejected).toBe(4);
    expect(events.map((e) => e.type)).toEqual([
      "run.started",
      "symbol.started",
      "symbol.failed",
      "run.completed",
    ]);

    const header = await expectError(
      await upload(symbol, "time,open,high,low,close\n1,2,3,4,5\n"),
      400,
      "VALIDATION_FAILED",
    );
    expect(header.error.issues?.map((i) => i.message)).toEqual([
      "unknown column 'time' (accepted: timestamp, datetime, open, high, low, close, volume)",
      "missing column volume",
      "missing a time column: timestamp (Unix ms or ISO-8601) or datetime (UTC)",
    ]);
    await expectError(
      await upload(symbol, "timestamp,open,high,low,close,volume\n"),
      400,
      "VALIDATION_FAILED",
    );
    expect(await stored(symbol)).toBe(0);
    // No failed upload shows up as a successful run.
    const logs = (await (await admin(`/logs?symbol=${symbol}`)).json()) as {
      items: Array<{ status: string }>;
      total: number;
    };
    expect(logs.total).toBe(3);
    expect(logs.items.every((r) => r.status === "failed")).toBe(true);
  });

  it("uploads a 1,000,000-row file (streamed, past the 1 MiB JSON limit)", async () => {
    const symbol = uniqueSymbol("MIL");
    const text = csv(1_000_000);
    expect(text.length).toBeGreaterThan(40_000_000);
    const bytes = new TextEncoder().encode(text);
    // Streamed in 1 MiB pieces, as a client without Content-Length would send it.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 1 << 20) controller.enqueue(bytes.subarray(i, i + (1 << 20)));
        controller.close();
      },
    });
    const started = Date.now();
    const res = await upload(symbol, body);
    expect(res.status, await res.clone().text()).toBe(200);
    const out = (await res.json()) as { rows: number; runId: string };
    expect(out.rows).toBe(1_000_000);
    console.log(`1M-row CSV upload: ${Date.now() - started} ms`);
    expect(await stored(symbol)).toBe(1_000_000);
    const { events } = await runRecord(out.runId);
    expect(events.filter((e) => e.type === "symbol.progress").map((e) => e.payload.rows)).toEqual([
      200_000, 400_000, 600_000, 800_000, 1_000_000,
    ]);
  }, 180_000);

  it("refuses a body over the upload limit by its Content-Length", async () => {
    const res = await admin(`/upload?symbol=BIG-USD`, {
      method: "POST",
      headers: { "content-length": String(200 * 1024 * 1024) },
      body: "x",
    });
    expect(res.status).toBe(413);
  });

  it("run-once ingests a small range synchronously from Binance (recorded)", async () => {
    const res = await postJson("/run-once", {
      symbol: "BTC-USD",
      source: "binance",
      timeframe: "1m",
      from: "2024-01-05T00:00:00Z",
      to: "2024-01-05T00:08:00Z",
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as {
      run: { status: string; rowsWritten: number; kind: string };
      symbols: Array<{ status: string }>;
    };
    expect(body.run).toMatchObject({ kind: "run_once", status: "completed", rowsWritten: 5 }); // the recorded first page
    const ch = testClickHouse();
    try {
      expect(
        await countBarsInRange(ch, {
          symbol: "BTC-USD",
          timeframe: "1m",
          fromMs: Date.parse("2024-01-05T00:00:00Z"),
          toMs: Date.parse("2024-01-05T00:08:00Z"),
          database: env.CLICKHOUSE_DB,
        }),
      ).toBe(5);
    } finally {
      await ch.close();
    }
    // An unknown symbol is a 400 and a failed run; a big range is refused up front.
    await expectError(
      await postJson("/run-once", {
        symbol: "NOPE-USD",
        source: "binance",
        from: "2024-01-05",
        to: "2024-01-06",
      }),
      400,
      "VALIDATION_FAILED",
    );
    await expectError(
      await postJson("/run-once", { symbol: "BTC-USD", from: "2020-01-01", to: "2024-01-01" }),
      400,
      "VALIDATION_FAILED",
    );
  });

  it("workflow routes answer 202 with the workflow id; runs can be read, listed and cancelled", async () => {
    const symbol = uniqueSymbol("WF");
    await registerSymbols([{ symbol, source: "synthetic", availableFrom: "2024-01-01" }]);
    let res = await postJson("/workflows/backfill", {
      symbol,
      timeframe: "1h",
      from: "2024-01-01",
      to: "2024-02-01",
    });
    expect(res.status).toBe(202);
    const { workflowId, run } = (await res.json()) as {
      workflowId: string;
      run: { id: string; status: string; kind: string };
    };
    expect(workflowId).toBe(run.id);
    expect(run).toMatchObject({ kind: "backfill", status: "pending" });
    await waitForRun(run.id);
    res = await admin(`/runs/${run.id}`);
    const detail = (await res.json()) as {
      run: { status: string; rowsWritten: number };
      symbols: Array<{ symbol: string; status: string }>;
      workflow: { status: string } | null;
    };
    expect(detail.run).toMatchObject({ status: "completed", rowsWritten: 31 * 24 });
    expect(detail.symbols).toMatchObject([{ symbol, status: "completed" }]);
    expect(detail.workflow?.status).toBe("complete");
    await expectError(await admin("/runs/ing_missing"), 404, "NOT_FOUND");
    await expectError(await admin(`/runs/${run.id}/cancel`, { method: "POST" }), 409, "CONFLICT");

    // Unregistered symbols are refused before anything starts.
    await expectError(
      await postJson("/workflows/bulk", { symbols: ["ZZZ-USD"], from: "2024-01-01" }),
      400,
      "VALIDATION_FAILED",
    );
    await expectError(
      await postJson("/workflows/bulk", { symbols: [symbol], from: "2024-02-01", to: "2024-01-01" }),
      400,
      "VALIDATION_FAILED",
    );

    // Cancel a running one: a long synthetic range in small chunks.
    res = await postJson("/workflows/bulk", {
      symbols: [symbol],
      timeframe: "1m",
      from: "2024-01-01",
      to: "2024-03-01",
      options: { chunkBars: 100 },
    });
    expect(res.status).toBe(202);
    const long = ((await res.json()) as { run: { id: string } }).run;
    res = await admin(`/runs/${long.id}/cancel`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { run: { status: string } }).run.status).toBe("cancelled");
    const after = await runRecord(long.id);
    expect(after.events.at(-1)).toMatchObject({ type: "run.completed", payload: { status: "cancelled" } });
    expect(after.symbols.map((s) => s.status)).toEqual(["cancelled"]);

    const logs = (await (await admin(`/logs?symbol=${symbol}&limit=1`)).json()) as {
      items: Array<{ id: string }>;
      total: number;
      limit: number;
    };
    expect(logs).toMatchObject({ total: 2, limit: 1 });
    expect(logs.items[0]?.id).toBe(long.id); // newest first
    const cancelled = (await (await admin(`/logs?status=cancelled&kind=bulk`)).json()) as {
      items: Array<{ id: string }>;
    };
    expect(cancelled.items.map((r) => r.id)).toContain(long.id);
  }, 120_000);

  it("schema/ensure starts the ClickHouse schema workflow", async () => {
    await using introspector = await introspectWorkflow(env.CLICKHOUSE_SCHEMA_WORKFLOW);
    const res = await admin("/schema/ensure", { method: "POST" });
    expect(res.status).toBe(202);
    const { workflowId } = (await res.json()) as { workflowId: string };
    expect(workflowId).toBeTruthy();
    const instances = await introspector.get();
    expect(instances.length).toBe(1);
    await instances[0]?.waitForStatus("complete");
  });

  it("the cron trigger starts an incremental run for enabled symbols", async () => {
    const { scheduledIncrementalSync } = await import("../src/scheduled.ts");
    const symbol = uniqueSymbol("CR");
    await registerSymbols([
      {
        symbol,
        source: "synthetic",
        availableFrom: new Date(Date.now() - 3 * 3_600_000).toISOString(),
        metadata: { timeframe: "5m" },
      },
    ]);
    await scheduledIncrementalSync(env, Date.now());
    const logs = (await (await admin(`/logs?symbol=${symbol}&kind=incremental`)).json()) as {
      items: Array<{ id: string; requestedBy: string }>;
    };
    expect(logs.items[0]?.requestedBy).toBe("cron");
    const done = await waitForRun(logs.items[0]?.id as string);
    expect(["completed", "partial"]).toContain(done.run?.status);
    expect(done.symbols.find((s) => s.symbol === symbol)?.status).toBe("completed");
  }, 120_000);
});

describe("ending a run", () => {
  it("commits the final status and run.completed together, once", async () => {
    const { db, close } = testDb();
    const holder = testDb();
    // Another writer holds the event log, so finishRun cannot write its event yet.
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let holding: Promise<void> = Promise.resolve();
    try {
      const run = await createRun(db, {
        kind: "bulk",
        status: "running",
        timeframe: "1m",
        symbols: [],
        requestedBy: "test",
      });
      await new Promise<void>((taken) => {
        holding = holder.db.transaction(async (tx) => {
          await tx.execute(sql`SELECT pg_advisory_xact_lock(${EVENT_LOCK})`);
          taken();
          await released;
        });
      });
      const finishing = finishRun(db, run.id, { status: "completed", rowsWritten: 5 }, { rowsWritten: 5 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      // A reader never sees the run ended without its last event.
      expect((await runRecord(run.id)).run?.status).toBe("running");
      release();
      await holding;
      expect(await finishing).toBe(true);
      const ended = await runRecord(run.id);
      expect(ended.run?.status).toBe("completed");
      expect(ended.run?.rowsWritten).toBe(5);
      expect(ended.events.map((e) => [e.type, e.payload])).toEqual([
        ["run.completed", { status: "completed", rowsWritten: 5, key: "run.completed" }],
      ]);

      // A retried or late end writes nothing, and no event follows the end.
      expect(await finishRun(db, run.id, { status: "failed", error: "late" })).toBe(false);
      expect(
        await emitEvent(db, { runId: run.id, type: "symbol.started", symbol: "X-USD", key: "late" }),
      ).toBeNull();
      const after = await runRecord(run.id);
      expect(after.run?.status).toBe("completed");
      expect(after.events).toHaveLength(1);
    } finally {
      release();
      await holding.catch(() => {});
      await Promise.all([close(), holder.close()]);
    }
  });

  it("a cancel ends the open symbols with the run, and a late symbol update changes nothing", async () => {
    const { db, close } = testDb();
    try {
      const [done, open] = [uniqueSymbol("CD"), uniqueSymbol("CO")];
      const run = await createRun(db, {
        kind: "bulk",
        status: "running",
        timeframe: "1m",
        symbols: [done, open],
        requestedBy: "test",
      });
      await setRunSymbol(db, run.id, done, { status: "completed", rowsWritten: 3 });
      await setRunSymbol(db, run.id, open, { status: "running", rowsWritten: 1 });
      expect(await finishRun(db, run.id, { status: "cancelled", openSymbols: "cancelled" })).toBe(true);
      const statuses = async () =>
        Object.fromEntries(
          (await runRecord(run.id)).symbols.map((s) => [s.symbol, [s.status, s.rowsWritten]]),
        );
      expect(await statuses()).toEqual({ [done]: ["completed", 3], [open]: ["cancelled", 1] });
      // A step that was still in flight reports afterwards.
      await setRunSymbol(db, run.id, open, { status: "completed", rowsWritten: 9 });
      expect(await statuses()).toEqual({ [done]: ["completed", 3], [open]: ["cancelled", 1] });
    } finally {
      await close();
    }
  });
});
