export * from "./instance.ts";
