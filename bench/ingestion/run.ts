/**
 * Ingestion throughput through the running Worker (`npm run dev` in another terminal):
 *
 *   INGESTION_ADMIN_SECRET=... node_modules/.bin/node --experimental-strip-types bench/ingestion/run.ts [--rows 1000000]
 *
 * 1. CSV upload: a `--rows`-row 1m OHLCV file (built in memory first) streamed to
 *    `POST /api/admin/ingestion/upload`; rows/s over the whole request (upload, parse, validation,
 *    INSERT).
 * 2. Synthetic workflow: registers a synthetic symbol and runs `POST /workflows/backfill` over
 *    `--rows` 1m bars; rows/s from the 202 until the run is `completed` (workflow steps, bookkeeping
 *    and ClickHouse's INSERT … SELECT).
 * Both write into the dev stack's ClickHouse under fresh symbols.
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    api: { type: "string", default: process.env.API_URL ?? "http://127.0.0.1:8787" },
    secret: { type: "string", default: process.env.INGESTION_ADMIN_SECRET ?? "" },
  },
});
const ROWS = Number(values.rows);
if (!values.secret) throw new Error("set INGESTION_ADMIN_SECRET (or --secret) to the Worker's value");
const headers = { "x-ingestion-admin-secret": values.secret };
const tag = Date.now().toString(36).toUpperCase();
const T0 = Date.UTC(2020, 0, 1);

/**
 * The CSV file, built before the clock starts (an upload streams a file that already exists; building
 * it while timing put ~3 s of `toFixed` and string joins on the same 2 cores as the Worker).
 */
function csvFile(rows: number): Uint8Array[] {
  const encoder = new TextEncoder();
  const chunks = [encoder.encode("timestamp,open,high,low,close,volume\n")];
  for (let i = 0; i < rows; ) {
    const lines: string[] = [];
    for (const end = Math.min(rows, i + 50_000); i < end; i++) {
      const o = (10_000 + (i % 5_000)) / 100;
      lines.push(
        `${T0 + i * 60_000},${o},${(o + 0.25).toFixed(2)},${(o - 0.25).toFixed(2)},${(o + 0.1).toFixed(2)},${1_000 + (i % 97)}`,
      );
    }
    chunks.push(encoder.encode(`${lines.join("\n")}\n`));
  }
  return chunks;
}

/** Streams the file in 64 KiB pieces, as a file read from disk would arrive. */
function streamOf(file: Uint8Array[]): ReadableStream<Uint8Array> {
  let part = 0;
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      const chunk = file[part];
      if (!chunk) {
        controller.close();
        return;
      }
      controller.enqueue(chunk.subarray(offset, offset + 65_536));
      offset += 65_536;
      if (offset >= chunk.length) {
        part++;
        offset = 0;
      }
    },
  });
}

async function benchUpload() {
  const symbol = `BCSV${tag}-USD`;
  const file = csvFile(ROWS);
  const started = performance.now();
  const res = await fetch(`${values.api}/api/admin/ingestion/upload?symbol=${symbol}&timeframe=1m`, {
    method: "POST",
    headers: { ...headers, "content-type": "text/csv" },
    body: streamOf(file),
    duplex: "half",
  } as RequestInit);
  const ms = performance.now() - started;
  if (!res.ok) throw new Error(`upload: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { rows: number; bytes: number };
  return {
    name: "CSV upload (stream → parse → INSERT)",
    rows: body.rows,
    ms,
    extra: `${(body.bytes / 1e6).toFixed(1)} MB`,
  };
}

async function benchWorkflow() {
  const symbol = `BSYN${tag}-USD`;
  const post = (path: string, body: unknown) =>
    fetch(`${values.api}/api/admin/ingestion${path}`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  let res = await post("/symbols", {
    symbol,
    source: "synthetic",
    availableFrom: new Date(T0).toISOString(),
  });
  if (!res.ok) throw new Error(`symbols: HTTP ${res.status} ${await res.text()}`);
  const started = performance.now();
  res = await post("/workflows/backfill", {
    symbol,
    timeframe: "1m",
    from: new Date(T0).toISOString(),
    to: new Date(T0 + ROWS * 60_000).toISOString(),
  });
  if (res.status !== 202) throw new Error(`backfill: HTTP ${res.status} ${await res.text()}`);
  const { run } = (await res.json()) as { run: { id: string } };
  for (;;) {
    const detail = (await (
      await fetch(`${values.api}/api/admin/ingestion/runs/${run.id}`, { headers })
    ).json()) as {
      run: { status: string; rowsWritten: number; error: string | null };
    };
    if (!["pending", "running"].includes(detail.run.status)) {
      if (detail.run.status !== "completed")
        throw new Error(`workflow ended ${detail.run.status}: ${detail.run.error}`);
      return {
        name: "synthetic backfill workflow",
        rows: detail.run.rowsWritten,
        ms: performance.now() - started,
        extra: run.id,
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

const results = [await benchUpload(), await benchWorkflow()];
console.log(`\n${ROWS} rows each, through ${values.api}`);
console.log("| path | rows | seconds | rows/s | note |\n|---|---:|---:|---:|---|");
for (const r of results)
  console.log(
    `| ${r.name} | ${r.rows} | ${(r.ms / 1000).toFixed(2)} | ${Math.round(r.rows / (r.ms / 1000))} | ${r.extra} |`,
  );
