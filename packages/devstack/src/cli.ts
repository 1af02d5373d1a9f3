#!/usr/bin/env node
/**
 * `pnpm dev` (via the root `npm run dev`): starts the whole local stack and stops all of it on Ctrl-C.
 *   dev        services + migrations + wrangler dev (API) + Vite (web, admin), then a summary of URLs
 *   services   only PostgreSQL, the WebSocket proxy and ClickHouse (for running wrangler/vite yourself)
 *   migrate    apply Postgres migrations and ClickHouse DDL to DATABASE_URL / CLICKHOUSE_URL (deploys)
 *   rollups    recompute every ClickHouse rollup from the stored bars at CLICKHOUSE_URL (after ATTACH,
 *              a restored backup, or anything else that changed bars without an INSERT)
 *   ephemeral  services on free ports with throwaway data, one JSON line of URLs on stdout when ready;
 *              the test suite's global setup runs this and stops it with SIGTERM
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ManagedChild, startChild } from "./child.ts";
import { isListening } from "./ports.ts";
import { seedDev } from "./seed.ts";
import { seedDemoMarketData } from "./seed-market-data.ts";
import {
  type ClickHouseConnection,
  migrateAll,
  type RunningServices,
  rebuildRollups,
  startServices,
} from "./stack.ts";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const bin = (name: string) => join(root, "node_modules", ".bin", name);

/**
 * `QUANTAGO_DEV_PORT_OFFSET` shifts every port by the same amount, so a second checkout (a git
 * worktree, say) can run its own dev stack beside the first without editing anything.
 */
const PORT_OFFSET = Number(process.env.QUANTAGO_DEV_PORT_OFFSET ?? 0) || 0;
export const DEV_PORTS = {
  postgres: 54322 + PORT_OFFSET,
  wsProxy: 54323 + PORT_OFFSET,
  clickhouse: 8123 + PORT_OFFSET,
  api: 8787 + PORT_OFFSET,
  web: 5173 + PORT_OFFSET,
  admin: 5174 + PORT_OFFSET,
};

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // Not up yet.
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function ensurePortsFree(ports: Array<[string, number]>): Promise<void> {
  for (const [name, port] of ports) {
    if (await isListening(port)) {
      throw new Error(`port ${port} (${name}) is already in use: is another \`dev\` running? Stop it first.`);
    }
  }
}

function apiVars(s: RunningServices): string[] {
  const vars: Record<string, string> = {
    DATABASE_URL: s.databaseUrl,
    DATABASE_WS_PROXY: s.databaseWsProxy,
    CLICKHOUSE_URL: s.clickhouseUrl,
    CLICKHOUSE_USERNAME: s.clickhouseUsername,
    CLICKHOUSE_PASSWORD: s.clickhousePassword,
    CLICKHOUSE_DB: s.clickhouseDb,
    BETTER_AUTH_SECRET: process.env.BETTER_AUTH_SECRET ?? "dev-only-secret-change-me-0123456789abcdef",
    INGESTION_ADMIN_SECRET: process.env.INGESTION_ADMIN_SECRET ?? "dev-ingestion-secret-0123456789",
    // Dev strategy servers run on localhost; production refuses private endpoints (the default).
    REMOTE_STRATEGY_ALLOW_PRIVATE: process.env.REMOTE_STRATEGY_ALLOW_PRIVATE ?? "true",
    // The apps are served, and printed, as http://127.0.0.1:<port>/ (Vite binds 127.0.0.1 only, so
    // `localhost` may resolve to ::1 and miss it). The API must trust exactly those origins, or a
    // sign-up from the printed URL is refused as a foreign Origin (403); one site for all three keeps
    // the session cookie SameSite=Lax over plain http.
    BETTER_AUTH_URL: process.env.BETTER_AUTH_URL ?? `http://127.0.0.1:${DEV_PORTS.api}`,
    FRONTEND_ORIGIN: process.env.FRONTEND_ORIGIN ?? `http://127.0.0.1:${DEV_PORTS.web}`,
    ADMIN_ORIGIN: process.env.ADMIN_ORIGIN ?? `http://127.0.0.1:${DEV_PORTS.admin}`,
  };
  return Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
}

async function dev(servicesOnly: boolean): Promise<void> {
  const started = performance.now();
  const children: ManagedChild[] = [];
  let services: RunningServices | undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log("\n› stopping…");
    for (const child of children.reverse()) await child.stop();
    await services?.stop();
    console.log("› stopped; nothing left running.");
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  try {
    const ports: Array<[string, number]> = [];
    if (!process.env.DATABASE_URL) ports.push(["postgres", DEV_PORTS.postgres]);
    if (!process.env.DATABASE_WS_PROXY) ports.push(["ws-proxy", DEV_PORTS.wsProxy]);
    if (!process.env.CLICKHOUSE_URL) ports.push(["clickhouse", DEV_PORTS.clickhouse]);
    if (!servicesOnly) ports.push(["api", DEV_PORTS.api], ["web", DEV_PORTS.web], ["admin", DEV_PORTS.admin]);
    await ensurePortsFree(ports);

    services = await startServices({ dataDir: join(root, ".data"), ports: DEV_PORTS });
    const seeded = await seedDemoMarketData(services);
    if (seeded.length > 0) console.log(`› seeded one year of synthetic 1m bars for ${seeded.join(", ")}`);
    // Credentials go into the ready summary below, where they do not scroll away.
    const { users } = await seedDev({ databaseUrl: services.databaseUrl, log: () => {} });
    const summary: Array<[string, string]> = [
      ["postgres", `${services.databaseUrl.replace(/:[^:@/]+@/, ":***@")} (${services.origin.postgres})`],
      ["ws proxy", services.databaseWsProxy],
      ["clickhouse", `${services.clickhouseUrl} db=${services.clickhouseDb} (${services.origin.clickhouse})`],
    ];

    if (!servicesOnly) {
      const api = startChild(
        "api",
        bin("wrangler"),
        [
          "dev",
          "--config",
          join(root, "wrangler.toml"),
          "--ip",
          "127.0.0.1",
          "--port",
          String(DEV_PORTS.api),
          "--persist-to",
          join(root, ".data", "wrangler"),
          "--show-interactive-dev-session=false",
          ...apiVars(services),
        ],
        { cwd: root },
      );
      children.push(api);
      for (const app of ["web", "admin"] as const) {
        children.push(
          startChild(
            app,
            // Vite is a dependency of each app, not of the root: pnpm links its binary under the app.
            join(root, "apps", app, "node_modules", ".bin", "vite"),
            ["--port", String(DEV_PORTS[app]), "--strictPort", "--host", "127.0.0.1"],
            {
              cwd: join(root, "apps", app),
              env: { ...process.env, QUANTAGO_API_URL: `http://127.0.0.1:${DEV_PORTS.api}` },
            },
          ),
        );
      }
      await Promise.all([
        waitForHttp(`http://127.0.0.1:${DEV_PORTS.api}/api/health`, 120_000),
        waitForHttp(`http://127.0.0.1:${DEV_PORTS.web}/`, 60_000),
        waitForHttp(`http://127.0.0.1:${DEV_PORTS.admin}/`, 60_000),
      ]);
      summary.push(
        ["api", `http://127.0.0.1:${DEV_PORTS.api}/api/health`],
        ["web", `http://127.0.0.1:${DEV_PORTS.web}/`],
        ["admin", `http://127.0.0.1:${DEV_PORTS.admin}/`],
      );
    }

    const secs = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`\n✔ Quantago ${servicesOnly ? "services" : "dev stack"} ready in ${secs} s`);
    for (const [name, value] of summary) console.log(`  ${name.padEnd(11)} ${value}`);
    for (const user of users)
      console.log(`  ${`${user.role} login`.padEnd(11)} ${user.email} / ${user.password}`);
    console.log("  Ctrl-C stops everything.\n");
    // Any child dying on its own is fatal: a half-running stack only confuses.
    for (const child of children) {
      child.process.once("exit", (code) => {
        if (!stopping) {
          console.error(`✖ ${child.name} exited (code ${code}); stopping the stack.`);
          void shutdown(1);
        }
      });
    }
  } catch (err) {
    console.error(`✖ ${err instanceof Error ? err.message : String(err)}`);
    await shutdown(1);
  }
}

/**
 * Throwaway services for the test suite. Runs in its own process (not inside Vitest's module runner,
 * whose resolve conditions target workerd) and leaves nothing behind on SIGTERM or SIGINT.
 */
async function ephemeral(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "quantago-test-"));
  // mkdtemp makes the directory private (0700); as root, PostgreSQL runs as the `postgres` user and
  // must be able to enter it.
  chmodSync(dataDir, 0o755);
  const started = performance.now();
  let services: RunningServices | undefined;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await services?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
  // The test runner holds our stdin open (its `lifeline`); when it dies without tearing down, the pipe
  // closes and we stop, so no embedded server outlives the run.
  process.stdin.on("end", () => void stop());
  process.stdin.on("close", () => void stop());
  process.stdin.resume();
  try {
    services = await startServices({
      dataDir,
      quiet: true,
      isolate: `test_${process.pid}_${Date.now().toString(36)}`,
    });
  } catch (err) {
    console.error(`✖ ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    await stop();
    return;
  }
  const { stop: _stop, ...urls } = services;
  console.log(JSON.stringify({ ready: true, ms: Math.round(performance.now() - started), ...urls }));
}

/** The ClickHouse server the environment names (`CLICKHOUSE_*`). */
function configuredClickHouse(url: string): ClickHouseConnection {
  return {
    clickhouseUrl: url,
    clickhouseUsername: process.env.CLICKHOUSE_USERNAME ?? "default",
    clickhousePassword: process.env.CLICKHOUSE_PASSWORD ?? "",
    clickhouseDb: process.env.CLICKHOUSE_DB ?? "market_data",
  };
}

/** For self-hosted deploys: migrate the servers named by the environment, then exit. */
async function migrateConfigured(): Promise<void> {
  const { DATABASE_URL, CLICKHOUSE_URL } = process.env;
  if (!DATABASE_URL || !CLICKHOUSE_URL) {
    console.error("✖ set DATABASE_URL and CLICKHOUSE_URL (plus CLICKHOUSE_USERNAME/PASSWORD/DB if needed)");
    process.exit(2);
  }
  const applied = await migrateAll({ databaseUrl: DATABASE_URL, ...configuredClickHouse(CLICKHOUSE_URL) });
  console.log(`✔ Postgres migrated; ClickHouse versions applied now: [${applied.join(", ")}]`);
}

/** For operators: recompute every rollup of the ClickHouse server the environment names. */
async function rebuildConfiguredRollups(): Promise<void> {
  const { CLICKHOUSE_URL } = process.env;
  if (!CLICKHOUSE_URL) {
    console.error("✖ set CLICKHOUSE_URL (plus CLICKHOUSE_USERNAME/PASSWORD/DB if needed)");
    process.exit(2);
  }
  const started = performance.now();
  await rebuildRollups(configuredClickHouse(CLICKHOUSE_URL));
  console.log(`✔ rollups rebuilt from the stored bars in ${Math.round(performance.now() - started)} ms`);
}

const command = process.argv[2];
switch (command) {
  case "dev":
    await dev(false);
    break;
  case "services":
    await dev(true);
    break;
  case "ephemeral":
    await ephemeral();
    break;
  case "migrate":
    await migrateConfigured();
    break;
  case "rollups":
    await rebuildConfiguredRollups();
    break;
  default:
    console.error("usage: cli.ts dev | services | ephemeral | migrate | rollups");
    process.exit(2);
}
