import type { AdminUser, AdminUsersQuery, AdminUsersResponse } from "@quantago/contracts";
import { type Database, session, user } from "@quantago/db";
import { count, desc, eq, ilike, or } from "drizzle-orm";
import { pageAndTotal } from "../../lib/paging.ts";
import { toSessionUser } from "./session.ts";

type UserRow = typeof user.$inferSelect;

export function toAdminUser(row: UserRow): AdminUser {
  return {
    ...toSessionUser(row),
    banReason: row.banReason ?? null,
    banExpires: row.banExpires ? row.banExpires.toISOString() : null,
  };
}

/** `%` and `_` in a search are literal characters, not wildcards. */
function containsPattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, "\\$&")}%`;
}

/** Users matching `search` in email or name, newest first (id breaks ties so pages never overlap). */
export async function listUsers(db: Database, query: AdminUsersQuery): Promise<AdminUsersResponse> {
  const where = query.search
    ? or(ilike(user.email, containsPattern(query.search)), ilike(user.name, containsPattern(query.search)))
    : undefined;
  const { rows, total } = await pageAndTotal(
    db
      .select()
      .from(user)
      .where(where)
      .orderBy(desc(user.createdAt), desc(user.id))
      .limit(query.limit)
      .offset(query.offset),
    db.select({ total: count() }).from(user).where(where),
  );
  return {
    items: rows.map(toAdminUser),
    total,
    limit: query.limit,
    offset: query.offset,
  };
}

export async function findUser(db: Database, id: string): Promise<AdminUser | undefined> {
  const [row] = await db.select().from(user).where(eq(user.id, id));
  return row ? toAdminUser(row) : undefined;
}

export interface BanTerms {
  reason?: string | undefined;
  expiresInSeconds?: number | undefined;
}

/**
 * Bans a user and leaves their sessions in place (ADR 6): the access middleware answers those sessions
 * 403 with the ban's reason, sign-in is refused by the admin plugin's session hook, and an unban makes
 * the same sessions work again. Better Auth's own `banUser` would delete the sessions, turning the
 * banned user's next request into a 401 that says nothing about the ban. Undefined for an unknown user.
 */
export async function banUser(
  db: Database,
  id: string,
  terms: BanTerms,
  now = new Date(),
): Promise<AdminUser | undefined> {
  const banExpires = terms.expiresInSeconds ? new Date(now.getTime() + terms.expiresInSeconds * 1000) : null;
  const [row] = await db
    .update(user)
    .set({ banned: true, banReason: terms.reason ?? null, banExpires, updatedAt: now })
    .where(eq(user.id, id))
    .returning();
  return row ? toAdminUser(row) : undefined;
}

/** Lifts a ban; the user's existing sessions answer again. Undefined for an unknown user. */
export async function unbanUser(db: Database, id: string, now = new Date()): Promise<AdminUser | undefined> {
  const [row] = await db
    .update(user)
    .set({ banned: false, banReason: null, banExpires: null, updatedAt: now })
    .where(eq(user.id, id))
    .returning();
  return row ? toAdminUser(row) : undefined;
}

/** Ends every session of a user; returns how many there were. */
export async function revokeUserSessions(db: Database, userId: string): Promise<number> {
  const deleted = await db.delete(session).where(eq(session.userId, userId)).returning({ id: session.id });
  return deleted.length;
}
