export * from "./auth.ts";
export * from "./backtests.ts";
export * from "./ingestion.ts";
export * from "./instance.ts";
export * from "./rate-limit.ts";
export * from "./research.ts";
export * from "./strategies.ts";
export * from "./streams.ts";
