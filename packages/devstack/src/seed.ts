import { openUserAdmin } from "./users.ts";

/** Demo accounts of the local stack. Dev only: the passwords are public. */
export const DEMO_ACCOUNTS = [
  { email: "admin@quantago.local", password: "quantago-admin", name: "Demo Admin", role: "admin" },
  { email: "trader@quantago.local", password: "quantago-trader", name: "Demo Trader", role: "user" },
] as const;

export interface SeedDevResult {
  users: Array<{ email: string; password: string; role: "user" | "admin"; outcome: "created" | "updated" }>;
}

/**
 * Idempotent dev seed: ensures the demo admin and demo trader exist with their roles, and prints their
 * credentials. Re-running changes nothing but the roles (a demo password changed by hand is kept).
 *
 * @example
 * await seedDev({ databaseUrl: services.databaseUrl });
 */
export async function seedDev(options: {
  databaseUrl: string;
  log?: (line: string) => void;
}): Promise<SeedDevResult> {
  const log = options.log ?? console.log;
  const admin = openUserAdmin(options.databaseUrl);
  try {
    const users: SeedDevResult["users"] = [];
    for (const account of DEMO_ACCOUNTS) {
      const result = await admin.ensureUser(account);
      users.push({
        email: account.email,
        password: account.password,
        role: account.role,
        outcome: result.outcome,
      });
    }
    for (const u of users) {
      const note = u.outcome === "created" ? "" : " (existing; password kept as it was)";
      log(`› demo ${u.role.padEnd(5)} ${u.email} / ${u.password}${note}`);
    }
    return { users };
  } finally {
    await admin.close();
  }
}
