export { createDb, type Database, type DbConfig } from "./client.ts";
export * as schema from "./schema/index.ts";
export * from "./schema/index.ts";
