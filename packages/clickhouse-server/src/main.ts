/**
 * Runs the chdb-backed ClickHouse HTTP server as its own process:
 *
 *   node --experimental-strip-types packages/clickhouse-server/src/main.ts \
 *     --data-dir .data/clickhouse --port 8123 [--host 127.0.0.1] [--user default --password ""]
 *
 * Prints exactly one line on stdout, `{"ready":true,"url":"http://127.0.0.1:PORT"}`, once it accepts
 * requests; request logs go to stderr. SIGINT/SIGTERM let running queries finish, close the engine and
 * exit 0. A failure to start prints the reason on stderr and exits 1.
 */
import { parseArgs } from "node:util";

// Every running query occupies a libuv worker thread (chdb's async calls run there), and so do zlib
// and fs work. The default pool of 4 would make a fifth concurrent query wait; the pool is created on
// first use, so raising the size here, before anything touches it, still takes effect.
process.env.UV_THREADPOOL_SIZE ??= "32";

const { values } = parseArgs({
  options: {
    "data-dir": { type: "string" },
    port: { type: "string", default: "0" },
    host: { type: "string", default: "127.0.0.1" },
    user: { type: "string", default: "default" },
    password: { type: "string", default: "" },
    quiet: { type: "boolean", default: false },
  },
  strict: true,
});

function fail(message: string): never {
  process.stderr.write(`clickhouse: ${message}\n`);
  process.exit(1);
}

const dataDir = values["data-dir"];
if (!dataDir) fail("--data-dir is required");
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) fail(`invalid --port ${values.port}`);

// Loaded after UV_THREADPOOL_SIZE is set (see above); a static import would be evaluated first.
const { startClickHouseServer } = await import("./server.ts");

const server = await startClickHouseServer({
  dataDir,
  port,
  host: values.host,
  username: values.user,
  password: values.password,
  log: values.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
}).catch((error: unknown) => fail(`cannot start: ${error instanceof Error ? error.message : String(error)}`));

process.stdout.write(`${JSON.stringify({ ready: true, url: server.url })}\n`);

let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`clickhouse: ${signal}, shutting down\n`);
  server.close().then(
    () => process.exit(0),
    (error: unknown) => fail(`error while shutting down: ${String(error)}`),
  );
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
