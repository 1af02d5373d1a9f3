import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const postgresModule = fileURLToPath(new URL("./postgres.ts", import.meta.url));

describe("loading the embedded PostgreSQL module", () => {
  // A test runner that loads it (through a global setup) sets exitCode 1 when a test fails and then lets
  // the event loop drain; the library's exit hook used to answer `beforeExit` with process.exit(0), and CI
  // went green on red tests.
  it("keeps the exit code the process set", async () => {
    const script = `await import(${JSON.stringify(postgresModule)}); process.exitCode = 3;`;
    const code = await new Promise<number | null>((resolve) => {
      const child = execFile(
        process.execPath,
        ["--experimental-strip-types", "--no-warnings", "--input-type=module", "-e", script],
        () => {},
      );
      child.once("exit", (c) => resolve(c));
    });
    expect(code).toBe(3);
  });
});
