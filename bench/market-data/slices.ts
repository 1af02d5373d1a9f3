/**
 * How many concurrent slices should a long columnar read use? Reads the same range straight from the
 * dev stack's ClickHouse as 1, 2, 4, … bucket-aligned slices (the statements `fetchBarsColumnar`
 * runs) and prints the p50 wall time of each, to the last byte.
 *
 *   node_modules/.bin/node --experimental-strip-types bench/market-data/slices.ts \
 *     [--symbol SMAX-1M --from 2020-01-01 --to 2022-01-01 --slices 1,4,8 --runs 10]
 */
import { parseArgs } from "node:util";
import {
  BAR_COLUMNS_FORMAT,
  buildBarColumnsSql,
  sliceBoundaries,
} from "../../packages/market-data/src/index.ts";

const { values } = parseArgs({
  options: {
    symbol: { type: "string", default: "BENCH-1Y" },
    from: { type: "string", default: "2025-01-01" },
    to: { type: "string", default: "2026-01-01" },
    slices: { type: "string", default: "1,2,4,8" },
    runs: { type: "string", default: "10" },
    clickhouse: { type: "string", default: process.env.CLICKHOUSE_URL ?? "http://127.0.0.1:8123" },
    database: { type: "string", default: process.env.CLICKHOUSE_DB ?? "market_data" },
  },
});
const fromMs = Date.parse(values.from);
const toMs = Date.parse(values.to);

async function readSlice(from: number, to: number): Promise<number> {
  const sql = buildBarColumnsSql({
    database: values.database,
    symbol: values.symbol,
    base: "1m",
    timeframe: "1m",
    fromMs: from,
    toMs: to,
  });
  const url = new URL(values.clickhouse);
  for (const [k, v] of Object.entries(sql.query_params)) url.searchParams.set(`param_${k}`, String(v));
  url.searchParams.set("wait_end_of_query", "1");
  const res = await fetch(url, { method: "POST", body: `${sql.query}\nFORMAT ${BAR_COLUMNS_FORMAT}` });
  const body = await res.arrayBuffer();
  if (!res.ok) throw new Error(new TextDecoder().decode(body));
  return body.byteLength;
}

for (const slices of values.slices.split(",").map(Number)) {
  const cuts = sliceBoundaries(fromMs, toMs, "1m", slices, 1);
  const times: number[] = [];
  let bytes = 0;
  for (let run = 0; run <= Number(values.runs); run++) {
    const started = performance.now();
    const sizes = await Promise.all(cuts.slice(1).map((end, i) => readSlice(cuts[i] as number, end)));
    if (run > 0) times.push(performance.now() - started); // the first run warms up
    bytes = sizes.reduce((a, b) => a + b, 0);
  }
  times.sort((a, b) => a - b);
  const p50 = times[Math.floor(times.length / 2)] ?? Number.NaN;
  console.log(`${values.symbol}: ${slices} slice(s), ${bytes} bytes: p50 ${p50.toFixed(0)} ms`);
}
