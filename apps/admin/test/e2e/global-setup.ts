import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { freePort, startChild } from "@quantago/devstack";
import type { TestProject } from "vitest/node";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const admin = join(root, "apps/admin");
const devstack = join(root, "packages/devstack/src");
const vite = join(admin, "node_modules/vite/bin/vite.js");
const log = (name: string) => (line: string) => {
  if (process.env.E2E_VERBOSE) process.stderr.write(`${name} │ ${line}\n`);
};
export const ADMIN = { email: "admin@quantago.local", password: "quantago-admin" };

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
 * The admin console's stack, the same way as the trader app's (apps/web/test/e2e/global-setup.ts):
 * throwaway PostgreSQL + ClickHouse from the devstack launcher, the API under `wrangler dev`, the built
 * console under `vite preview`; the first admin comes from the devstack's `admin:create`.
 */
export default async function setup(project: TestProject) {
  const started = performance.now();
  const services = startChild(
    "devstack",
    process.execPath,
    ["--experimental-strip-types", "--no-warnings", join(devstack, "cli.ts"), "ephemeral"],
    { log: (line) => (line.startsWith("{") ? undefined : log("devstack")(line)), lifeline: true },
  );
  const built = promisify(execFile)(process.execPath, [vite, "build", "--logLevel", "error"], {
    cwd: admin,
    env: { ...process.env, NODE_ENV: "production" },
  });
  built.catch(() => {});
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
  const ready = JSON.parse(await services.waitForLine(/^\{"ready":true/, 180_000)) as Record<string, string>;
  await promisify(execFile)(
    process.execPath,
    [
      "--experimental-strip-types",
      "--no-warnings",
      join(devstack, "admin-create.ts"),
      "--email",
      ADMIN.email,
      "--password",
      ADMIN.password,
      "--name",
      "Admin",
    ],
    { cwd: root, env: { ...process.env, DATABASE_URL: ready.databaseUrl } },
  );

  const [apiPort, adminPort] = [await freePort(), await freePort()];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const persist = mkdtempSync(join(tmpdir(), "quantago-admin-e2e-wrangler-"));
  const vars: Record<string, string> = {
    DATABASE_URL: ready.databaseUrl ?? "",
    DATABASE_WS_PROXY: ready.databaseWsProxy ?? "",
    CLICKHOUSE_URL: ready.clickhouseUrl ?? "",
    CLICKHOUSE_USERNAME: ready.clickhouseUsername ?? "",
    CLICKHOUSE_PASSWORD: ready.clickhousePassword ?? "",
    CLICKHOUSE_DB: ready.clickhouseDb ?? "",
    BETTER_AUTH_SECRET: "e2e-only-secret-0123456789abcdef0123456789",
    INGESTION_ADMIN_SECRET: "e2e-ingestion-secret-0123456789",
    BETTER_AUTH_URL: apiUrl,
    FRONTEND_ORIGIN: `http://127.0.0.1:${await freePort()}`,
    ADMIN_ORIGIN: adminUrl,
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
  const preview = startChild(
    "admin",
    process.execPath,
    [vite, "preview", "--port", String(adminPort), "--strictPort", "--host", "127.0.0.1"],
    { cwd: admin, env: { ...process.env, QUANTAGO_API_URL: apiUrl }, log: log("admin") },
  );
  if (preview.process.pid) groups.push(preview.process.pid);
  await Promise.all([waitForHttp(`${apiUrl}/api/health`, 240_000), waitForHttp(`${adminUrl}/`, 60_000)]);
  console.log(
    `admin e2e stack ready in ${Math.round(performance.now() - started)} ms (admin ${adminUrl}, api ${apiUrl})`,
  );
  project.provide("adminUrl", adminUrl);

  return async () => {
    await preview.stop();
    await api.stop(15_000);
    await services.stop(30_000);
    rmSync(persist, { recursive: true, force: true });
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    adminUrl: string;
  }
}
