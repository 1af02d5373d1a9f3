import { index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { user } from "./auth.ts";

/**
 * One row per open event stream (SSE) of a user. Each stream holds its own database pool for up to
 * its maximum duration, so the number a user may hold open is capped; the lease is deleted when the
 * stream ends, and a lease past `expiresAt` belongs to a stream that ended without saying so.
 */
export const eventStreamLease = pgTable(
  "event_stream_lease",
  {
    id: text().primaryKey(),
    userId: text()
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    expiresAt: timestamp({ withTimezone: true, mode: "date" }).notNull(),
  },
  (table) => [index("event_stream_lease_user_idx").on(table.userId, table.expiresAt)],
);
