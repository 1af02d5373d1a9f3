import { index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Fixed-window counters of the auth rate limiter, one row per key (`signin:email:<email>`,
 * `signin:ip:<ip>`, ...). In Postgres rather than isolate memory because every isolate and every
 * region must see the same count. A row whose window has passed is simply reset on its next use.
 */
export const authRateLimit = pgTable(
  "auth_rate_limit",
  {
    key: text("key").primaryKey(),
    count: integer("count").notNull(),
    windowStart: timestamp("window_start", { withTimezone: true, mode: "date" }).notNull(),
  },
  // Lets a periodic cleanup delete stale rows without a full scan.
  (table) => [index("auth_rate_limit_window_start_idx").on(table.windowStart)],
);
