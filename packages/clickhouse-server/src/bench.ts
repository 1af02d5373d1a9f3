/**
 * Rough numbers for the chdb-backed ClickHouse server, measured against main.ts in a child process
 * (the way the dev stack runs it). Not a test.
 *
 *   node --experimental-strip-types packages/clickhouse-server/src/bench.ts [--rows 1000000]
 *
 * Startup: time from spawn to the ready line, on an empty data directory and again on the same
 * directory once it holds data. Then inserts `rows` OHLCV bars as RowBinary and as JSONEachRow
 * (plain fetch), through client-web's insert(), and reads them back as RowBinary and JSONEachRow.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createClient } from "@clickhouse/client-web";

const { values } = parseArgs({ options: { rows: { type: "string", default: "1000000" } } });
const ROWS = Number(values.rows);
const SYMBOLS = 100;
const T0 = Date.UTC(2024, 0, 1);
const main = fileURLToPath(new URL("./main.ts", import.meta.url));

async function startMain(dataDir: string): Promise<{ child: ChildProcess; url: string; ms: number }> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ["--experimental-strip-types", "--no-warnings", main, "--data-dir", dataDir, "--port", "0", "--quiet"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`main.ts exited with ${code}`)));
  });
  return { child, url: (JSON.parse(line) as { url: string }).url, ms: performance.now() - started };
}

function stopMain(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

function row(i: number) {
  const symbol = `SYM${String(i % SYMBOLS).padStart(3, "0")}`;
  const t = T0 + Math.floor(i / SYMBOLS) * 60_000;
  const o = 100 + (i % 997) / 10;
  return { symbol, t, o, h: o + 1, l: o - 1, c: o + 0.5, v: 1000 + (i % 7919) };
}

function rowBinary(): Buffer {
  // symbol: 1 length byte + 6 bytes; t: Int64; o,h,l,c,v: Float64.
  const size = 1 + 6 + 8 + 5 * 8;
  const buf = Buffer.allocUnsafe(ROWS * size);
  let pos = 0;
  for (let i = 0; i < ROWS; i++) {
    const r = row(i);
    buf[pos] = 6;
    buf.write(r.symbol, pos + 1, "latin1");
    buf.writeBigInt64LE(BigInt(r.t), pos + 7);
    buf.writeDoubleLE(r.o, pos + 15);
    buf.writeDoubleLE(r.h, pos + 23);
    buf.writeDoubleLE(r.l, pos + 31);
    buf.writeDoubleLE(r.c, pos + 39);
    buf.writeDoubleLE(r.v, pos + 47);
    pos += size;
  }
  return buf;
}

function jsonRows(): Array<Record<string, unknown>> {
  return Array.from({ length: ROWS }, (_, i) => {
    const r = row(i);
    return { ...r, t: new Date(r.t).toISOString().replace("T", " ").replace("Z", "") };
  });
}

async function timed<T>(label: string, work: () => Promise<T>, describe: (result: T, ms: number) => string) {
  const started = performance.now();
  const result = await work();
  const ms = performance.now() - started;
  console.log(`${label.padEnd(44)} ${ms.toFixed(0).padStart(6)} ms  ${describe(result, ms)}`);
  return result;
}

const perSecond = (ms: number) => `${Math.round((ROWS / ms) * 1000).toLocaleString("en-US")} rows/s`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

const dataDir = await mkdtemp(join(tmpdir(), "chdb-bench-"));
try {
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < 3; i++) {
    const dir = await mkdtemp(join(tmpdir(), "chdb-bench-start-"));
    const fresh = await startMain(dir);
    cold.push(fresh.ms);
    await createClient({ url: fresh.url }).command({
      query: "CREATE TABLE t (a UInt32) ENGINE = MergeTree ORDER BY a",
    });
    await stopMain(fresh.child);
    const again = await startMain(dir);
    warm.push(again.ms);
    await stopMain(again.child);
    await rm(dir, { recursive: true, force: true });
  }
  const list = (xs: number[]) => xs.map((x) => `${x.toFixed(0)} ms`).join(", ");
  console.log(`startup to ready line, empty data dir:       ${list(cold)}`);
  console.log(`startup to ready line, existing data dir:    ${list(warm)}`);

  const server = await startMain(dataDir);
  const ch = createClient({ url: server.url, request_timeout: 600_000 });
  const ddl = (name: string) =>
    ch.command({
      query: `CREATE TABLE ${name} (symbol String, t DateTime64(3, 'UTC'), o Float64, h Float64, l Float64, c Float64, v Float64)
        ENGINE = MergeTree ORDER BY (symbol, t)`,
    });
  await Promise.all([ddl("bars_rb"), ddl("bars_json"), ddl("bars_client")]);
  const post = (query: string, body: Buffer | string) =>
    fetch(`${server.url}/?query=${encodeURIComponent(query)}`, {
      method: "POST",
      body: typeof body === "string" ? body : new Uint8Array(body),
    }).then(async (res) => {
      if (!res.ok) throw new Error(await res.text());
      return JSON.parse(res.headers.get("x-clickhouse-summary") ?? "{}") as {
        written_rows: string;
        elapsed_ns: string;
      };
    });

  console.log(
    `\n${ROWS.toLocaleString("en-US")} rows (symbol String, t DateTime64(3,'UTC'), o,h,l,c,v Float64)`,
  );
  const binary = await timed(
    "encode RowBinary in JS",
    async () => rowBinary(),
    (b) => mib(b.length),
  );
  await timed(
    "INSERT FORMAT RowBinary (fetch)",
    () => post("INSERT INTO bars_rb FORMAT RowBinary", binary),
    (s, ms) =>
      `${s.written_rows} rows, ${perSecond(ms)} (engine ${Math.round(Number(s.elapsed_ns) / 1e6)} ms)`,
  );
  const objects = jsonRows();
  const ndjson = await timed(
    "encode JSONEachRow in JS",
    async () => objects.map((o) => JSON.stringify(o)).join("\n"),
    (s) => mib(Buffer.byteLength(s)),
  );
  await timed(
    "INSERT FORMAT JSONEachRow (fetch)",
    () => post("INSERT INTO bars_json FORMAT JSONEachRow", ndjson),
    (s, ms) =>
      `${s.written_rows} rows, ${perSecond(ms)} (engine ${Math.round(Number(s.elapsed_ns) / 1e6)} ms)`,
  );
  await timed(
    "client.insert JSONEachRow (array of objects)",
    () => ch.insert({ table: "bars_client", format: "JSONEachRow", values: objects }),
    (_, ms) => perSecond(ms),
  );

  const fetchBytes = async (query: string) => {
    const res = await fetch(`${server.url}/?query=${encodeURIComponent(query)}`);
    return Buffer.from(await res.arrayBuffer());
  };
  await timed(
    "SELECT * FORMAT RowBinary (fetch, bytes)",
    () => fetchBytes("SELECT * FROM bars_rb FORMAT RowBinary"),
    (b, ms) => `${mib(b.length)}, ${perSecond(ms)}`,
  );
  // Insert order is (t, symbol), so this must give back exactly the bytes that were sent.
  await timed(
    "SELECT * ORDER BY t, symbol FORMAT RowBinary",
    () => fetchBytes("SELECT * FROM bars_rb ORDER BY t, symbol FORMAT RowBinary"),
    (b, ms) => `${mib(b.length)}, ${perSecond(ms)}, byte-identical to the insert: ${b.equals(binary)}`,
  );
  await timed(
    "client.query JSONEachRow .json()",
    async () => (await ch.query({ query: "SELECT * FROM bars_json", format: "JSONEachRow" })).json(),
    (rows, ms) => `${rows.length} rows, ${perSecond(ms)}`,
  );
  await ch.close();
  await stopMain(server.child);
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
