/**
 * Market-data read benchmark through the running Worker (`npm run dev` in another terminal).
 *
 *   node_modules/.bin/node --experimental-strip-types bench/market-data/run.ts [--runs 15]
 *
 * Seeds one symbol with one year of 1m bars (525,600) into the dev stack's ClickHouse if absent, then
 * reports p50/p95 wall time of: `ticks` at 1h over the year, `ticks` at 1m over one month, and the
 * columnar read (`/api/market-data/columns`) of the whole year at 1m.
 */
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

async function measure(name: string, path: string, check: (res: Response) => Promise<number>) {
  const times: number[] = [];
  let items = 0;
  for (let i = 0; i < runs + 2; i++) {
    const started = performance.now();
    const res = await fetch(`${values.api}${path}`);
    if (!res.ok) throw new Error(`${name}: HTTP ${res.status} ${await res.text()}`);
    items = await check(res);
    if (i >= 2) times.push(performance.now() - started); // two warm-up runs
  }
  times.sort((a, b) => a - b);
  return { name, items, p50: percentile(times, 50), p95: percentile(times, 95) };
}

await seed();
const results = [
  await measure(
    "ticks 1h, one year",
    `/api/market-data/ticks?symbol=${SYMBOL}&startDate=2025-01-01&endDate=2026-01-01&timeframe=1h`,
    async (res) => ((await res.json()) as { ticks: unknown[] }).ticks.length,
  ),
  await measure(
    "ticks 1m, one month",
    `/api/market-data/ticks?symbol=${SYMBOL}&startDate=2025-03-01&endDate=2025-04-01&timeframe=1m`,
    async (res) => ((await res.json()) as { ticks: unknown[] }).ticks.length,
  ),
  await measure(
    "columns 1m, one year",
    `/api/market-data/columns?symbol=${SYMBOL}&startDate=2025-01-01&endDate=2026-01-01&timeframe=1m`,
    async (res) => new DataView(await res.arrayBuffer()).getUint32(4, true),
  ),
];
console.log(`\n${runs} runs each after 2 warm-ups, through ${values.api}`);
console.log("| read | items | p50 ms | p95 ms |\n|---|---:|---:|---:|");
for (const r of results)
  console.log(`| ${r.name} | ${r.items} | ${r.p50.toFixed(0)} | ${r.p95.toFixed(0)} |`);
