import { jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Instance-wide settings and markers, one row per key: for example which dev seed has been applied,
 * so that seeding stays idempotent across restarts.
 */
export const instanceSettings = pgTable("instance_settings", {
  key: text("key").primaryKey(),
  value: jsonb("value").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});
