export * from "./auth.ts";
export * from "./instance.ts";
export * from "./rate-limit.ts";
