export { type ManagedChild, startChild } from "./child.ts";
export { freePort } from "./ports.ts";
export { type RunningServices, type ServicesOptions, startServices } from "./stack.ts";
