import {
  adminBacktestsSummarySchema,
  adminHealthResponseSchema,
  adminUserResponseSchema,
  coverageResponseSchema,
} from "@quantago/contracts";
import { backtest } from "@quantago/db";
import { inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { as, newAdmin, newUser } from "./auth-helpers.ts";
import { expectError, testDb } from "./helpers.ts";
import { admin, uniqueSymbol } from "./ingestion-helpers.ts";
import { seedSyntheticBars } from "./synthetic-bars.ts";

describe("GET /api/admin/users/:id", () => {
  it("answers one user to an admin, 404 for an unknown id, 403 to a plain user", async () => {
    const root = await newAdmin();
    const dora = await newUser();
    const res = await as(root, `/api/admin/users/${dora.id}`);
    expect(res.status).toBe(200);
    const { user } = adminUserResponseSchema.parse(await res.json());
    expect(user).toMatchObject({ id: dora.id, email: dora.email, role: "user", banned: false });
    await expectError(await as(root, "/api/admin/users/usr_nobody"), 404, "NOT_FOUND");
    await expectError(await as(dora, `/api/admin/users/${dora.id}`), 403, "FORBIDDEN");
  });
});

describe("GET /api/admin/backtests/summary", () => {
  const DAY = 86_400_000;
  const base = {
    exchange: "crypto",
    assetClass: "crypto",
    timeframe: "1m",
    startDate: new Date("2025-01-01"),
    endDate: new Date("2025-01-02"),
    initialBalance: 10_000,
    strategySource: "builtin",
    strategyRuntime: "builtin",
    parameters: {},
  };

  it("counts by status and lists failures, the slowest runs and the queue across users", async () => {
    const root = await newAdmin();
    const erin = await newUser();
    const tag = crypto.randomUUID().slice(0, 8);
    const now = Date.now();
    const ids = [`bkt_fail${tag}`, `bkt_slow${tag}`, `bkt_queue${tag}`];
    const before = adminBacktestsSummarySchema.parse(
      await (await as(root, "/api/admin/backtests/summary?limit=100")).json(),
    );
    const { db, close } = testDb();
    try {
      await db.insert(backtest).values([
        {
          ...base,
          id: ids[0] as string,
          userId: erin.id,
          status: "failed",
          strategy: "sma-cross",
          symbol: "FAIL-USD",
          errorMessage: "No bars for FAIL-USD in the range.",
          createdAt: new Date(now - 60_000),
          finishedAt: new Date(now),
        },
        {
          ...base,
          id: ids[1] as string,
          userId: erin.id,
          status: "completed",
          strategy: "rsi",
          symbol: "SLOW-USD",
          barsTotal: 1440,
          barsDone: 1440,
          // Longer than anything a test run produces, so it leads the list.
          startedAt: new Date(now - 3650 * DAY),
          finishedAt: new Date(now),
        },
        {
          ...base,
          id: ids[2] as string,
          userId: erin.id,
          status: "pending",
          strategy: "rsi",
          symbol: "WAIT-USD",
          createdAt: new Date("2000-01-01T00:00:00Z"),
        },
      ]);
      const res = await as(root, "/api/admin/backtests/summary?limit=5");
      expect(res.status).toBe(200);
      const body = adminBacktestsSummarySchema.parse(await res.json());
      expect(body.counts.failed).toBeGreaterThanOrEqual((before.counts.failed ?? 0) + 1);
      expect(body.counts.pending).toBeGreaterThanOrEqual((before.counts.pending ?? 0) + 1);
      expect(Object.keys(body.counts).sort()).toEqual([
        "cancelled",
        "completed",
        "failed",
        "pending",
        "running",
      ]);
      expect(body.failedLast24h).toBeGreaterThanOrEqual(1);
      expect(body.recentFailures.length).toBeLessThanOrEqual(5);
      expect(body.recentFailures.find((r) => r.id === ids[0])).toMatchObject({
        userEmail: erin.email,
        strategy: "sma-cross",
        symbol: "FAIL-USD",
        errorMessage: "No bars for FAIL-USD in the range.",
      });
      expect(body.slowest[0]).toMatchObject({ id: ids[1], durationMs: 3650 * DAY, barsTotal: 1440 });
      expect(body.queue[0]).toMatchObject({ id: ids[2], status: "pending", userEmail: erin.email });
    } finally {
      await db.delete(backtest).where(inArray(backtest.id, ids));
      await close();
    }
  });

  it("refuses a plain user and a bad limit", async () => {
    const root = await newAdmin();
    await expectError(await as(await newUser(), "/api/admin/backtests/summary"), 403, "FORBIDDEN");
    const body = await expectError(
      await as(root, "/api/admin/backtests/summary?limit=0"),
      400,
      "VALIDATION_FAILED",
    );
    expect(body.error.issues?.[0]?.path).toEqual(["limit"]);
  });
});

describe("GET /api/admin/health", () => {
  it("reports PostgreSQL, ClickHouse, R2 and Workflows with latency, and versions", async () => {
    const root = await newAdmin();
    const res = await as(root, "/api/admin/health");
    expect(res.status).toBe(200);
    const body = adminHealthResponseSchema.parse(await res.json());
    expect(Object.keys(body.checks).sort()).toEqual(["clickhouse", "config", "postgres", "r2", "workflows"]);
    expect(body.ok, JSON.stringify(body.checks)).toBe(true);
    for (const name of ["postgres", "clickhouse", "r2", "workflows"])
      expect(body.checks[name]?.ms, name).toBeGreaterThanOrEqual(0);
    expect(body.checks.postgres?.version).toMatch(/^\d+(\.\d+)?/);
    expect(body.checks.clickhouse?.version).toMatch(/^\d+\.\d+/);
    expect(body.api.version).toBe("dev");
    await expectError(await as(await newUser(), "/api/admin/health"), 403, "FORBIDDEN");
  });
});

describe("GET /api/admin/ingestion/symbols/:symbol/coverage", () => {
  it("gives bars per day and the gaps with their ranges, and follows a deletion", async () => {
    const symbol = uniqueSymbol("COV");
    const from = Date.UTC(2025, 0, 6);
    await seedSyntheticBars(symbol, from, 3 * 1440, 11);
    const coverage = async () => {
      const res = await admin(`/symbols/${symbol}/coverage?timeframe=1m&days=7`);
      expect(res.status, await res.clone().text()).toBe(200);
      return coverageResponseSchema.parse(await res.json());
    };
    const full = await coverage();
    expect(full).toMatchObject({
      barCount: 3 * 1440,
      firstBar: "2025-01-06T00:00:00.000Z",
      lastBar: "2025-01-08T23:59:00.000Z",
      gaps: [],
    });
    expect(full.days).toEqual([
      { day: "2025-01-06", bars: 1440 },
      { day: "2025-01-07", bars: 1440 },
      { day: "2025-01-08", bars: 1440 },
    ]);

    const deleted = await admin(
      `/symbols/${symbol}/bars?timeframe=1m&from=2025-01-07T10:00:00Z&to=2025-01-07T12:00:00Z`,
      { method: "DELETE" },
    );
    expect(deleted.status).toBe(200);
    const holed = await coverage();
    expect(holed.barCount).toBe(3 * 1440 - 120);
    expect(holed.days[1]).toEqual({ day: "2025-01-07", bars: 1440 - 120 });
    expect(holed.gaps).toEqual([
      { from: "2025-01-07T10:00:00.000Z", to: "2025-01-07T12:00:00.000Z", missingBars: 120 },
    ]);
  });

  it("answers an unknown series with zero bars, and refuses a bad timeframe", async () => {
    const empty = await admin(`/symbols/${uniqueSymbol("NONE")}/coverage?timeframe=1h`);
    expect(empty.status).toBe(200);
    expect(coverageResponseSchema.parse(await empty.json())).toMatchObject({
      barCount: 0,
      days: [],
      gaps: [],
    });
    await expectError(await admin("/symbols/BTC-USD/coverage?timeframe=7m"), 400, "VALIDATION_FAILED");
    await expectError(await admin("/symbols/BTC-USD/coverage"), 400, "VALIDATION_FAILED");
  });
});
