import { and, eq, type SQL } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";

/** A table whose rows belong to one user. */
export type OwnedTable = PgTable & { userId: PgColumn };

/**
 * The ownership condition every repository query on user-owned rows must include. Reading or changing
 * a row by id alone is how one user ends up seeing another's data; with this, another user's row simply
 * does not exist for the caller (the route answers 404, never 403, so ids cannot be probed).
 *
 * @example
 * await db.select().from(session).where(ownedBy(session, userId, eq(session.id, id)));
 */
export function ownedBy(table: OwnedTable, userId: string, ...conditions: SQL[]): SQL {
  return and(eq(table.userId, userId), ...conditions) as SQL;
}
