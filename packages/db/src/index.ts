import { account, session, user, verification } from "./schema/auth.ts";

export { createDb, type Database, type DbConfig, type Transaction } from "./client.ts";
export { prefixedId } from "./ids.ts";
export { type OwnedTable, ownedBy } from "./owned.ts";
export * as schema from "./schema/index.ts";
export * from "./schema/index.ts";

/** The tables Better Auth's drizzle adapter reads and writes, under the model names it uses. */
export const authSchema = { user, session, account, verification };
