/**
 * Market-data read benchmark through the running Worker (`npm run dev` in another terminal).
 *
 *   node_modules/.bin/node --experimental-strip-types bench/market-data/run.ts [--runs 15]
 *
 * Seeds one symbol with one year of 1m bars (525,600) into the dev stack's ClickHouse if absent, then
 * reports p50/p95 wall time of: `ticks` at 1h over the year, `ticks` at 1m over one month, and the
 * columnar read (`/api/market-data/columns`) of the whole year at 1m; and the symbols catalog.
 *
 * Times run from the request to the last byte of the body, and for `ticks` also to the parsed JSON
 * (what a client can use). The client is `node:http`, not `fetch`: Node's fetch (undici) took about
 * twice as long as curl to read the same multi-megabyte bodies (311 ms vs 147 ms for the month of
 * 1m), which measured the client rather than the Worker.
 */
import http from "node:http";
import { parseArgs } from "node:util";
import {
  countStoredBars,
  createClickHouse,
  writeSyntheticBars,
} from "../../packages/market-data/src/index.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "15" },
    api: { type: "string", default: process.env.API_URL ?? "http://127.0.0.1:8787" },
    clickhouse: { type: "string", default: process.env.CLICKHOUSE_URL ?? "http://127.0.0.1:8123" },
    database: { type: "string", default: process.env.CLICKHOUSE_DB ?? "market_data" },
  },
});
const runs = Number(values.runs);
const SYMBOL = "BENCH-1Y";
const YEAR_BARS = 525_600;

async function seed(): Promise<void> {
  const client = createClickHouse({
    url: values.clickhouse,
    username: process.env.CLICKHOUSE_USERNAME,
    password: process.env.CLICKHOUSE_PASSWORD,
    database: values.database,
  });
  try {
    if ((await countStoredBars(client, SYMBOL, values.database)) === YEAR_BARS) return;
    const started = performance.now();
    await writeSyntheticBars(client, {
      symbol: SYMBOL,
      assetClass: "crypto",
      fromMs: Date.UTC(2025, 0, 1),
      count: YEAR_BARS,
      seed: 42,
      database: values.database,
    });
    console.log(`seeded ${YEAR_BARS} bars in ${Math.round(performance.now() - started)} ms`);
  } finally {
    await client.close();
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** GET to the last byte of the body. */
function get(url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const body = Buffer.concat(chunks);
          if (res.statusCode === 200) resolve(body);
          else reject(new Error(`HTTP ${res.statusCode} ${body.toString("utf8").slice(0, 300)}`));
        });
      })
      .on("error", reject);
  });
}

/** p50/p95 over `runs` requests after two warm-ups; `use` turns a body into its item count. */
async function measure(name: string, path: string, use: (body: Buffer) => number) {
  const lastByte: number[] = [];
  const usable: number[] = [];
  let items = 0;
  for (let i = 0; i < runs + 2; i++) {
    const started = performance.now();
    const body = await get(`${values.api}${path}`);
    const received = performance.now();
    items = use(body);
    if (i < 2) continue;
    lastByte.push(received - started);
    usable.push(performance.now() - started);
  }
  lastByte.sort((a, b) => a - b);
  usable.sort((a, b) => a - b);
  const at = (xs: number[]) => `${percentile(xs, 50).toFixed(0)} / ${percentile(xs, 95).toFixed(0)}`;
  return { name, items, lastByte: at(lastByte), usable: at(usable) };
}

const parseTicks = (body: Buffer) => (JSON.parse(body.toString("utf8")) as { ticks: unknown[] }).ticks.length;
const columnCount = (body: Buffer) => body.readUInt32LE(4);

await seed();
const results = [
  await measure(
    "ticks 1h, one year",
    `/api/market-data/ticks?symbol=${SYMBOL}&startDate=2025-01-01&endDate=2026-01-01&timeframe=1h`,
    parseTicks,
  ),
  await measure(
    "ticks 1m, one month",
    `/api/market-data/ticks?symbol=${SYMBOL}&startDate=2025-03-01&endDate=2025-04-01&timeframe=1m`,
    parseTicks,
  ),
  await measure(
    "columns 1m, one year",
    `/api/market-data/columns?symbol=${SYMBOL}&startDate=2025-01-01&endDate=2026-01-01&timeframe=1m`,
    columnCount,
  ),
  // No target in the issue; the catalog every trader screen opens with.
  await measure(
    "symbols catalog",
    "/api/market-data/symbols",
    (body) => (JSON.parse(body.toString("utf8")) as { symbols: unknown[] }).symbols.length,
  ),
];
console.log(`\n${runs} runs each after 2 warm-ups, through ${values.api}`);
console.log("| read | items | last byte p50 / p95 ms | parsed p50 / p95 ms |\n|---|---:|---:|---:|");
for (const r of results) console.log(`| ${r.name} | ${r.items} | ${r.lastByte} | ${r.usable} |`);
