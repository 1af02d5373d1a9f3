export { applyClickHouseMigrations } from "./apply.ts";
export { type ClickHouseMigration, clickHouseMigrations } from "./migrations.ts";
