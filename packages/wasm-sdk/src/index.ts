/** Names of the example modules compiled by `pnpm --filter @quantago/wasm-sdk build` into build/. */
export const exampleModules = ["smoke"] as const;
export type ExampleModule = (typeof exampleModules)[number];
