// Compiles one AssemblyScript module to a WebAssembly file that imports nothing: `--runtime stub` and
// `--use abort=` keep the runtime's imports out, so the module instantiates in a sandbox that
// provides nothing. Shared by this package's build and @quantago/sandbox's (its candle printer).
import asc from "assemblyscript/asc";

/**
 * Compiles `entry` to `outFile` (both relative to `baseDir`), with `extra` compiler arguments; exits
 * the process with the compiler's message when it fails.
 */
export async function compileAssemblyScript(baseDir, entry, outFile, extra = []) {
  const { error, stderr } = await asc.main(
    [
      entry,
      "--outFile",
      outFile,
      "--optimizeLevel",
      "3",
      "--shrinkLevel",
      "0",
      "--runtime",
      "stub",
      "--use",
      "abort=",
      "--noAssert",
      ...extra,
    ],
    { stdout: process.stdout, stderr: process.stderr, baseDir },
  );
  if (error) {
    console.error(`✖ ${entry}: ${error.message}\n${stderr.toString()}`);
    process.exit(1);
  }
}
