/** Test helpers: a tiny WebAssembly encoder and hand-assembled hostile strategy modules. */
export * from "./hostile.ts";
export * from "./wasm-builder.ts";
