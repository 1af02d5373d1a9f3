/**
 * A cap on the event streams (SSE) one user holds open at a time. Each stream keeps its own database
 * pool for up to its maximum duration, so without a cap a single account could tie up the database
 * by opening streams in a loop. Leases live in Postgres (`event_stream_lease`) because every isolate
 * must see the same count.
 */
import { type Database, eventStreamLease, prefixedId } from "@quantago/db";
import { and, count, eq, lt, sql } from "drizzle-orm";
import { AppError } from "../lib/errors.ts";

/**
 * Event streams one user may hold open at once, backtest and admin ingestion streams together (a trader
 * app follows a few running backtests).
 */
export const MAX_STREAMS_PER_USER = 10;

/**
 * Takes a lease for a new stream of `userId`, lasting `ttlMs` at most (the stream's maximum duration
 * plus a margin: a stream that dies without releasing its lease frees the slot then). Leases past their
 * expiry are cleared first. A per-user advisory lock makes count-then-insert atomic across isolates.
 *
 * @throws AppError RATE_LIMITED (429, `Retry-After`) when the user already holds the maximum
 * @returns the lease id, for {@link releaseStreamLease}
 */
export async function acquireStreamLease(db: Database, userId: string, ttlMs: number): Promise<string> {
  const id = prefixedId("eventStreamLease");
  const now = new Date();
  const taken = await db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`event-streams:${userId}`}, 0))`);
    await tx
      .delete(eventStreamLease)
      .where(and(eq(eventStreamLease.userId, userId), lt(eventStreamLease.expiresAt, now)));
    const [open] = await tx
      .select({ n: count() })
      .from(eventStreamLease)
      .where(eq(eventStreamLease.userId, userId));
    if ((open?.n ?? 0) >= MAX_STREAMS_PER_USER) return false;
    await tx.insert(eventStreamLease).values({ id, userId, expiresAt: new Date(now.getTime() + ttlMs) });
    return true;
  });
  if (!taken) {
    throw new AppError(
      "RATE_LIMITED",
      `You already have ${MAX_STREAMS_PER_USER} event streams open; close one (or poll the resource) and retry.`,
      { headers: { "Retry-After": "15" } },
    );
  }
  return id;
}

/** Frees a stream's lease when the stream ends. */
export async function releaseStreamLease(db: Database, id: string): Promise<void> {
  await db.delete(eventStreamLease).where(eq(eventStreamLease.id, id));
}
