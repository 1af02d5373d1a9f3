import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startServices } from "@quantago/devstack";
import type { TestProject } from "vitest/node";

/**
 * Starts real PostgreSQL and ClickHouse for the Worker tests: embedded, in a throwaway directory, on free
 * ports, unless DATABASE_URL / CLICKHOUSE_URL point at servers, in which case throwaway databases are
 * created there and dropped afterwards.
 */
export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(join(tmpdir(), "quantago-test-"));
  const started = performance.now();
  const services = await startServices({
    dataDir,
    quiet: true,
    isolate: `test_${process.pid}_${Date.now().toString(36)}`,
  });
  console.log(
    `devstack for tests ready in ${Math.round(performance.now() - started)} ms ` +
      `(postgres ${services.origin.postgres}, clickhouse ${services.origin.clickhouse})`,
  );
  project.provide("databaseUrl", services.databaseUrl);
  project.provide("databaseWsProxy", services.databaseWsProxy);
  project.provide("clickhouseUrl", services.clickhouseUrl);
  project.provide("clickhouseUsername", services.clickhouseUsername);
  project.provide("clickhousePassword", services.clickhousePassword);
  project.provide("clickhouseDb", services.clickhouseDb);

  const smoke = fileURLToPath(new URL("../../../packages/wasm-sdk/build/smoke.wasm", import.meta.url));
  project.provide("smokeWasmBase64", readFileSync(smoke).toString("base64"));

  return async () => {
    await services.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    databaseWsProxy: string;
    clickhouseUrl: string;
    clickhouseUsername: string;
    clickhousePassword: string;
    clickhouseDb: string;
    smokeWasmBase64: string;
  }
}
