/** Names of the example modules compiled by `pnpm --filter @quantago/wasm-sdk build` into build/. */
export const exampleModules = ["smoke", "sma-crossover", "json-sma-crossover"] as const;
export type ExampleModule = (typeof exampleModules)[number];

export * from "./meter.ts";
export * from "./validate.ts";
