import type { SessionInfo, SessionUser } from "@quantago/contracts";
import { type Database, ownedBy, session } from "@quantago/db";
import { desc, eq, gt } from "drizzle-orm";

interface UserLike {
  id: string;
  email: string;
  name: string;
  role?: string | null | undefined;
  emailVerified: boolean;
  image?: string | null | undefined;
  banned?: boolean | null | undefined;
  createdAt: Date | string;
}

interface SessionLike {
  id: string;
  userId: string;
  createdAt: Date | string;
  expiresAt: Date | string;
  ipAddress?: string | null | undefined;
  userAgent?: string | null | undefined;
}

const iso = (value: Date | string) => new Date(value).toISOString();

/** The wire shape of a user; a missing role (rows created outside Better Auth) means `user`. */
export function toSessionUser(u: UserLike): SessionUser {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role === "admin" ? "admin" : "user",
    emailVerified: u.emailVerified,
    image: u.image ?? null,
    banned: u.banned ?? false,
    createdAt: iso(u.createdAt),
  };
}

/** The wire shape of a session: never the token, which only lives in the cookie. */
export function toSessionInfo(s: SessionLike): SessionInfo {
  return {
    id: s.id,
    userId: s.userId,
    createdAt: iso(s.createdAt),
    expiresAt: iso(s.expiresAt),
    ipAddress: s.ipAddress ?? null,
    userAgent: s.userAgent ?? null,
  };
}

/** The owner's live sessions, newest first. */
export async function listOwnSessions(db: Database, userId: string): Promise<SessionInfo[]> {
  const rows = await db
    .select()
    .from(session)
    .where(ownedBy(session, userId, gt(session.expiresAt, new Date())))
    .orderBy(desc(session.createdAt));
  return rows.map(toSessionInfo);
}

/** Ends one of the owner's sessions; false when it does not exist *for this owner*. */
export async function revokeOwnSession(db: Database, userId: string, sessionId: string): Promise<boolean> {
  const deleted = await db
    .delete(session)
    .where(ownedBy(session, userId, eq(session.id, sessionId)))
    .returning({ id: session.id });
  return deleted.length > 0;
}
