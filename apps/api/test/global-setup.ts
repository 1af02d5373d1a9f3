import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startChild } from "@quantago/devstack/child";
import type { TestProject } from "vitest/node";
import { startRecordedProviders } from "./recorded-providers.ts";
import { startRemoteStrategyServer } from "./remote-strategy-server.ts";

interface EphemeralServices {
  ms: number;
  databaseUrl: string;
  databaseWsProxy: string;
  clickhouseUrl: string;
  clickhouseUsername: string;
  clickhousePassword: string;
  clickhouseDb: string;
  origin: { postgres: string; clickhouse: string };
}

// Other packages' files are found through their package names (vitest's module runner has no
// `import.meta.resolve`, hence `require.resolve`).
const require = createRequire(import.meta.url);
const cli = require.resolve("@quantago/devstack/cli");
/** The WASM modules `pnpm --filter @quantago/wasm-sdk build` compiles, beside that package's src/. */
const wasmBuild = new URL("../build/", pathToFileURL(require.resolve("@quantago/wasm-sdk")));

/**
 * Starts real PostgreSQL and ClickHouse for the Worker tests through the devstack launcher: embedded,
 * in a throwaway directory, on free ports, unless DATABASE_URL / CLICKHOUSE_URL point at servers, in
 * which case throwaway databases are created there and dropped afterwards.
 */
export default async function setup(project: TestProject) {
  const child = startChild(
    "devstack",
    process.execPath,
    ["--experimental-strip-types", "--no-warnings", cli, "ephemeral"],
    {
      log: (line) => (line.startsWith("{") ? undefined : process.stderr.write(`devstack │ ${line}\n`)),
      lifeline: true,
    },
  );
  const ready = JSON.parse(await child.waitForLine(/^\{"ready":true/, 180_000)) as EphemeralServices;
  console.log(
    `devstack for tests ready in ${ready.ms} ms (postgres ${ready.origin.postgres}, clickhouse ${ready.origin.clickhouse})`,
  );
  project.provide("databaseUrl", ready.databaseUrl);
  project.provide("databaseWsProxy", ready.databaseWsProxy);
  project.provide("clickhouseUrl", ready.clickhouseUrl);
  project.provide("clickhouseUsername", ready.clickhouseUsername);
  project.provide("clickhousePassword", ready.clickhousePassword);
  project.provide("clickhouseDb", ready.clickhouseDb);

  const smoke = fileURLToPath(new URL("smoke.wasm", wasmBuild));
  project.provide("smokeWasmBase64", readFileSync(smoke).toString("base64"));
  // Every example strategy module built by packages/wasm-sdk (sandbox-runtime tests), by file name.
  const wasmDir = fileURLToPath(wasmBuild);
  project.provide(
    "wasmModulesBase64",
    Object.fromEntries(
      readdirSync(wasmDir)
        .filter((f) => f.endsWith(".wasm"))
        .map((f) => [f, readFileSync(`${wasmDir}${f}`).toString("base64")]),
    ),
  );

  // Yahoo and Binance answer from recorded responses on a local server: no internet here, and the
  // provider code path (URLs, paging, parsing, error mapping) stays the real one.
  const providers = await startRecordedProviders();
  project.provide("providersUrl", providers.url);
  const remoteStrategy = await startRemoteStrategyServer();
  project.provide("remoteStrategyUrl", remoteStrategy.url);

  return async () => {
    await providers.close();
    await remoteStrategy.close();
    await child.stop(30_000);
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
    wasmModulesBase64: Record<string, string>;
    providersUrl: string;
    remoteStrategyUrl: string;
  }
}
