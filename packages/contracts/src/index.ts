export * from "./auth.ts";
export * from "./backtests.ts";
export * from "./errors.ts";
export * from "./health.ts";
export * from "./ingestion.ts";
export * from "./limits.ts";
export * from "./market-data.ts";
export * from "./strategies.ts";
