// Compiles every module under assembly/<name>/index.ts to build/<name>.wasm with the AssemblyScript
// compiler (assembly/sdk is the library the modules import, not a module). `--runtime stub` and
// `--use abort=` keep the modules free of imports, so they instantiate in a sandbox that provides
// nothing.
import { mkdirSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = readdirSync(join(root, "assembly")).filter(
  (d) => d !== "sdk" && statSync(join(root, "assembly", d)).isDirectory(),
);
mkdirSync(join(root, "build"), { recursive: true });
for (const name of modules) {
  const { error, stderr } = await asc.main(
    [
      join("assembly", name, "index.ts"),
      "--outFile",
      join("build", `${name}.wasm`),
      "--optimizeLevel",
      "3",
      "--shrinkLevel",
      "0",
      "--runtime",
      "stub",
      "--use",
      "abort=",
      "--noAssert",
    ],
    { stdout: process.stdout, stderr: process.stderr, baseDir: root },
  );
  if (error) {
    console.error(`✖ ${name}: ${error.message}\n${stderr.toString()}`);
    process.exit(1);
  }
  console.log(`✓ build/${name}.wasm`);
}
