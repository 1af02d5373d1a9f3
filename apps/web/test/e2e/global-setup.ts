import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { freePort, startChild } from "@quantago/devstack";
import { createClickHouse, writeSyntheticBars } from "@quantago/market-data";
import type { TestProject } from "vitest/node";

interface EphemeralServices {
  ms: number;
  databaseUrl: string;
  databaseWsProxy: string;
  clickhouseUrl: string;
  clickhouseUsername: string;
  clickhousePassword: string;
  clickhouseDb: string;
}

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const web = join(root, "apps/web");
const cli = join(root, "packages/devstack/src/cli.ts");
const log = (name: string) => (line: string) => {
  if (process.env.E2E_VERBOSE) process.stderr.write(`${name} │ ${line}\n`);
};

/** One year of synthetic 1m bars, like `npm run dev` seeds (the explorer's "year of candles" case). */
export const E2E_SYMBOL = "SYNTH-USD";
const YEAR_OF_MINUTES = 365 * 24 * 60;

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The dev stack on free ports, as a trader meets it: PostgreSQL + ClickHouse from the devstack
 * launcher (throwaway), the API under `wrangler dev`, and the built app under `vite preview` (the
 * production bundle, with the same `/api` proxy as the dev server; a cold dev server compiles every
 * module on first request, which on 2 cores costs more than the build).
 */
export default async function setup(project: TestProject) {
  const started = performance.now();
  const services = startChild(
    "devstack",
    process.execPath,
    ["--experimental-strip-types", "--no-warnings", cli, "ephemeral"],
    {
      log: (line) => (line.startsWith("{") ? undefined : log("devstack")(line)),
      lifeline: true,
    },
  );
  // Built with the Node running the tests (whatever `node` is first on PATH), while the services start.
  const built = promisify(execFile)(
    process.execPath,
    [join(web, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "error"],
    // Vitest sets NODE_ENV=test, which would give a development build of React: test what ships.
    { cwd: web, env: { ...process.env, NODE_ENV: "production" } },
  );
  built.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
  // wrangler and vite preview run in their own process groups: if this runner dies without its
  // teardown (a killed CI job), take them along instead of leaving servers behind.
  const groups: number[] = [];
  process.once("exit", () => {
    for (const pid of groups) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  });
  const ready = JSON.parse(await services.waitForLine(/^\{"ready":true/, 180_000)) as EphemeralServices;
  const stage = (what: string) => log("setup")(`${what} after ${Math.round(performance.now() - started)} ms`);
  stage("services ready");

  const clickhouse = createClickHouse({
    url: ready.clickhouseUrl,
    username: ready.clickhouseUsername,
    password: ready.clickhousePassword,
    database: ready.clickhouseDb,
  });
  await writeSyntheticBars(clickhouse, {
    symbol: E2E_SYMBOL,
    assetClass: "crypto",
    seed: 1,
    fromMs: Date.UTC(2025, 0, 1),
    count: YEAR_OF_MINUTES,
    database: ready.clickhouseDb,
  });
  await clickhouse.close();
  stage("bars seeded");

  const [apiPort, webPort] = [await freePort(), await freePort()];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const webUrl = `http://127.0.0.1:${webPort}`;
  const persist = mkdtempSync(join(tmpdir(), "quantago-e2e-wrangler-"));
  const vars: Record<string, string> = {
    DATABASE_URL: ready.databaseUrl,
    DATABASE_WS_PROXY: ready.databaseWsProxy,
    CLICKHOUSE_URL: ready.clickhouseUrl,
    CLICKHOUSE_USERNAME: ready.clickhouseUsername,
    CLICKHOUSE_PASSWORD: ready.clickhousePassword,
    CLICKHOUSE_DB: ready.clickhouseDb,
    BETTER_AUTH_SECRET: "e2e-only-secret-0123456789abcdef0123456789",
    INGESTION_ADMIN_SECRET: "e2e-ingestion-secret-0123456789",
    BETTER_AUTH_URL: apiUrl,
    FRONTEND_ORIGIN: webUrl,
    ADMIN_ORIGIN: `http://127.0.0.1:${await freePort()}`,
  };
  const api = startChild(
    "api",
    join(root, "node_modules/.bin/wrangler"),
    [
      "dev",
      "--config",
      join(root, "wrangler.toml"),
      "--ip",
      "127.0.0.1",
      "--port",
      String(apiPort),
      "--persist-to",
      persist,
      "--show-interactive-dev-session=false",
      ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    ],
    { cwd: root, log: log("api") },
  );
  if (api.process.pid) groups.push(api.process.pid);
  await built;
  stage("app built");
  const preview = startChild(
    "web",
    process.execPath,
    [
      join(web, "node_modules/vite/bin/vite.js"),
      "preview",
      "--port",
      String(webPort),
      "--strictPort",
      "--host",
      "127.0.0.1",
    ],
    { cwd: web, env: { ...process.env, QUANTAGO_API_URL: apiUrl }, log: log("web") },
  );
  if (preview.process.pid) groups.push(preview.process.pid);
  await Promise.all([waitForHttp(`${apiUrl}/api/health`, 120_000), waitForHttp(`${webUrl}/`, 60_000)]);
  console.log(
    `e2e stack ready in ${Math.round(performance.now() - started)} ms (web ${webUrl}, api ${apiUrl})`,
  );
  project.provide("webUrl", webUrl);

  return async () => {
    await preview.stop();
    await api.stop(15_000);
    await services.stop(30_000);
    rmSync(persist, { recursive: true, force: true });
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    webUrl: string;
  }
}
