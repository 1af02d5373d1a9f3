import { instanceSettings } from "@quantago/db";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { testDb as connect } from "./helpers.ts";

describe("PostgreSQL through the Neon driver inside workerd", () => {
  it("round-trips a row of the migrated schema with drizzle", async () => {
    const { db, close } = connect();
    try {
      const key = `round-trip-${crypto.randomUUID()}`;
      const value = { note: 'it\'s "quoted"; DROP TABLE instance_settings; --', n: 42 };
      await db.insert(instanceSettings).values({ key, value });
      const [row] = await db.select().from(instanceSettings).where(eq(instanceSettings.key, key));
      expect(row?.value).toEqual(value);
      expect(row?.updatedAt).toBeInstanceOf(Date);
      await db
        .update(instanceSettings)
        .set({ value: { n: 43 } })
        .where(eq(instanceSettings.key, key));
      const [updated] = await db.select().from(instanceSettings).where(eq(instanceSettings.key, key));
      expect(updated?.value).toEqual({ n: 43 });
    } finally {
      await close();
    }
  });

  it("rolls back a failed transaction completely", async () => {
    const { db, close } = connect();
    const key = `tx-${crypto.randomUUID()}`;
    try {
      await expect(
        db.transaction(async (tx) => {
          await tx.insert(instanceSettings).values({ key, value: { step: 1 } });
          // Same primary key again: the transaction must fail and take the first insert with it.
          await tx.insert(instanceSettings).values({ key, value: { step: 2 } });
        }),
      ).rejects.toThrow();
      const rows = await db.select().from(instanceSettings).where(eq(instanceSettings.key, key));
      expect(rows).toEqual([]);
    } finally {
      await close();
    }
  });

  it("talks to a real server (version, concurrent queries on one pool)", async () => {
    const { db, close } = connect();
    try {
      const results = await Promise.all(
        [1, 2, 3, 4, 5].map((n) => db.execute<{ n: number }>(sql`select ${n}::int * 2 as n`)),
      );
      expect(results.map((r) => r.rows[0]?.n)).toEqual([2, 4, 6, 8, 10]);
      const version = await db.execute<{ v: string }>(sql`select version() as v`);
      expect(version.rows[0]?.v).toMatch(/^PostgreSQL \d+/);
    } finally {
      await close();
    }
  });
});
