// Compiles every module under assembly/<name>/index.ts to build/<name>.wasm with the AssemblyScript
// compiler (assembly/sdk is the library the modules import, not a module), free of imports
// (see compile.mjs).
import { mkdirSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileAssemblyScript } from "./compile.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = readdirSync(join(root, "assembly")).filter(
  (d) => d !== "sdk" && statSync(join(root, "assembly", d)).isDirectory(),
);
mkdirSync(join(root, "build"), { recursive: true });
for (const name of modules) {
  await compileAssemblyScript(root, join("assembly", name, "index.ts"), join("build", `${name}.wasm`));
  console.log(`✓ build/${name}.wasm`);
}
