#!/usr/bin/env node
/**
 * `pnpm admin:create --email x --password y [--name n]`: creates an admin, or promotes an existing user
 * (keeping their password). Talks to PostgreSQL directly with the API's Better Auth configuration, so
 * it works before any admin exists and without the API running. Target: DATABASE_URL, else the dev
 * stack's embedded PostgreSQL (start it with `pnpm dev` or `pnpm dev:services`).
 */
import { parseArgs } from "node:util";
import { DEV_DATABASE_URL, openUserAdmin } from "./users.ts";

const usage = "usage: pnpm admin:create --email <email> --password <password> [--name <name>]";

async function main(): Promise<number> {
  let values: { email?: string | undefined; password?: string | undefined; name?: string | undefined };
  try {
    ({ values } = parseArgs({
      options: { email: { type: "string" }, password: { type: "string" }, name: { type: "string" } },
      strict: true,
    }));
  } catch (err) {
    console.error(`✖ ${(err as Error).message}\n${usage}`);
    return 2;
  }
  if (!values.email || !values.password) {
    console.error(`✖ --email and --password are required\n${usage}`);
    return 2;
  }
  const databaseUrl = process.env.DATABASE_URL ?? DEV_DATABASE_URL;
  const admin = openUserAdmin(databaseUrl);
  try {
    const result = await admin.ensureUser({
      email: values.email,
      password: values.password,
      name: values.name,
      role: "admin",
    });
    console.log(
      result.outcome === "created"
        ? `✔ created admin ${result.email} (${result.id})`
        : `✔ promoted existing user ${result.email} (${result.id}) to admin; password unchanged`,
    );
    return 0;
  } catch (err) {
    // Better Auth's errors (weak password, invalid email) carry a message meant for people.
    const message = (err as { body?: { message?: string } }).body?.message ?? (err as Error).message;
    console.error(`✖ ${message}`);
    return 1;
  } finally {
    await admin.close();
  }
}

process.exitCode = await main();
