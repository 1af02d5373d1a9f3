/**
 * Creating users from Node (first admin, dev seed) with the Worker's own Better Auth configuration, so
 * that passwords are hashed, ids generated and accounts linked exactly as a sign-up through the API
 * would: `createAuth` comes from `@quantago/auth`, the package the Worker builds its auth with too.
 */

import { createAuth, type Role } from "@quantago/auth";
import { authSchema, user } from "@quantago/db";
import { eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";

/** The dev stack's embedded PostgreSQL (see `cli.ts` DEV_PORTS and `postgres.ts`). */
export const DEV_DATABASE_URL = "postgres://quantago:quantago@127.0.0.1:54322/quantago";

export interface EnsureUserInput {
  email: string;
  password: string;
  name?: string | undefined;
  role: Role;
}

export interface EnsureUserResult {
  id: string;
  email: string;
  role: Role;
  /** `created`: new account with this password; `updated`: existing account, role set, password untouched. */
  outcome: "created" | "updated";
}

export interface UserAdmin {
  ensureUser(input: EnsureUserInput): Promise<EnsureUserResult>;
  close(): Promise<void>;
}

/** Opens a connection to `databaseUrl` (TCP, node-postgres) for creating users; `close()` it. */
export function openUserAdmin(databaseUrl: string): UserAdmin {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const db = drizzle({ client: pool, schema: authSchema });
  const auth = createAuth({
    db,
    config: {
      // Only password hashing and id generation run here: no cookie is signed with this secret.
      BETTER_AUTH_SECRET: process.env.BETTER_AUTH_SECRET ?? crypto.randomUUID() + crypto.randomUUID(),
      BETTER_AUTH_URL: process.env.BETTER_AUTH_URL ?? "http://localhost:8787",
      FRONTEND_ORIGIN: process.env.FRONTEND_ORIGIN ?? "http://localhost:5173",
      ADMIN_ORIGIN: process.env.ADMIN_ORIGIN ?? "http://localhost:5174",
    },
  });

  return {
    async ensureUser({ email, password, name, role }) {
      const normalized = email.trim().toLowerCase();
      const [existing] = await db
        .select()
        .from(user)
        .where(eq(sql`lower(${user.email})`, normalized));
      let id: string;
      let outcome: EnsureUserResult["outcome"];
      if (existing) {
        id = existing.id;
        outcome = "updated";
      } else {
        const created = await auth.api.signUpEmail({
          body: { email: normalized, password, name: name ?? normalized.split("@")[0] ?? normalized },
        });
        id = created.user.id;
        outcome = "created";
      }
      await db.update(user).set({ role }).where(eq(user.id, id));
      return { id, email: normalized, role, outcome };
    },
    close: () => pool.end(),
  };
}
