import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { freePort } from "./ports.ts";
import { DEV_SCRAM_ITERATIONS, startEmbeddedPostgres } from "./postgres.ts";

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

describe("the embedded dev database", () => {
  // The Worker's driver pays one awaited HMAC per SCRAM iteration on every connection it opens.
  it("hashes the dev role's password with the dev stack's few SCRAM iterations, and it still signs in", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "quantago-pg-test-"));
    const server = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    try {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ rolpassword: string }>(
          "SELECT rolpassword FROM pg_authid WHERE rolname = current_user",
        );
        expect(rows[0]?.rolpassword.startsWith(`SCRAM-SHA-256$${DEV_SCRAM_ITERATIONS}:`)).toBe(true);
      } finally {
        await client.end();
      }
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
