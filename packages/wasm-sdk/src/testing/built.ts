/**
 * Node-only test helper: the bytes of a module compiled by `pnpm --filter @quantago/wasm-sdk build`,
 * building the examples first when build/ is missing (the unit tests run without a prior build).
 * Not exported from ./index.ts, which the workerd tests import.
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Bytes of `build/<name>.wasm`, compiling the example modules if the file does not exist yet. */
export function builtModule(name: string): Uint8Array<ArrayBuffer> {
  const file = `${root}build/${name}.wasm`;
  if (!existsSync(file)) {
    execFileSync(process.execPath, [`${root}scripts/build.mjs`], { cwd: root, stdio: "ignore" });
  }
  return new Uint8Array(readFileSync(file));
}
