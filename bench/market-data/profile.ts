/**
 * Where does the time of a market-data read go? Times the same bar query straight against ClickHouse
 * (engine time from X-ClickHouse-Summary vs. wall time to the last byte), and the Worker routes
 * (wall time to the last byte vs. with the client's JSON parse).
 *
 *   node --experimental-strip-types bench/market-data/profile.ts [--runs 10]
 */
import { parseArgs } from "node:util";
import { buildBarColumnsSql, buildTicksJsonSql } from "../../packages/market-data/src/index.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "10" },
    api: { type: "string", default: process.env.API_URL ?? "http://127.0.0.1:8787" },
    clickhouse: { type: "string", default: process.env.CLICKHOUSE_URL ?? "http://127.0.0.1:8123" },
    database: { type: "string", default: process.env.CLICKHOUSE_DB ?? "market_data" },
  },
});
const runs = Number(values.runs);
const SYMBOL = "BENCH-1Y";
const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function ch(sql: { query: string; query_params: Record<string, string | number> }, format: string) {
  const url = new URL(values.clickhouse);
  url.searchParams.set("database", values.database);
  for (const [k, v] of Object.entries(sql.query_params)) url.searchParams.set(`param_${k}`, String(v));
  url.searchParams.set("output_format_json_array_of_rows", "1"); // as queryTicksJson asks
  const wall: number[] = [];
  const engine: number[] = [];
  const first: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { method: "POST", body: `${sql.query}\nFORMAT ${format}` });
    const t1 = performance.now();
    const body = await res.arrayBuffer();
    const t2 = performance.now();
    if (!res.ok) throw new Error(new TextDecoder().decode(body));
    bytes = body.byteLength;
    const summary = JSON.parse(res.headers.get("x-clickhouse-summary") ?? "{}") as { elapsed_ns?: string };
    if (i === 0) continue;
    first.push(t1 - t0);
    wall.push(t2 - t0);
    engine.push(Number(summary.elapsed_ns ?? Number.NaN) / 1e6);
  }
  return { engine: p50(engine), headers: p50(first), wall: p50(wall), bytes };
}

async function api(path: string, parse: boolean) {
  const wall: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    const res = await fetch(`${values.api}${path}`);
    if (parse) await res.json();
    else await res.arrayBuffer();
    if (i > 0) wall.push(performance.now() - t0);
  }
  return p50(wall);
}

// The statements the routes run: ticks as ClickHouse-made JSON, columns as the columnar reshaping of
// the bar query (the route runs it as concurrent slices; this times one statement for the whole range).
const cases = [
  {
    name: "1h year",
    timeframe: "1h",
    from: "2025-01-01",
    to: "2026-01-01",
    limit: 50_001,
    fmt: "JSONEachRow",
    path: "ticks",
  },
  {
    name: "1m month",
    timeframe: "1m",
    from: "2025-03-01",
    to: "2025-04-01",
    limit: 50_001,
    fmt: "JSONEachRow",
    path: "ticks",
  },
  {
    name: "1m year columns",
    timeframe: "1m",
    from: "2025-01-01",
    to: "2026-01-01",
    limit: 1_100_001,
    fmt: "Native",
    path: "columns",
  },
] as const;

console.log(
  "| read | engine ms | CH headers ms | CH last byte ms | bytes | API last byte ms | API + client JSON.parse ms |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|");
for (const c of cases) {
  const sql = (c.path === "columns" ? buildBarColumnsSql : buildTicksJsonSql)({
    database: values.database,
    symbol: SYMBOL,
    base: "1m",
    timeframe: c.timeframe,
    fromMs: Date.parse(c.from),
    toMs: Date.parse(c.to),
    limit: c.limit,
  });
  const r = await ch(sql, c.fmt);
  const path = `/api/market-data/${c.path}?symbol=${SYMBOL}&startDate=${c.from}&endDate=${c.to}&timeframe=${c.timeframe}`;
  const raw = await api(path, false);
  const parsed = c.path === "ticks" ? await api(path, true) : Number.NaN;
  console.log(
    `| ${c.name} | ${r.engine.toFixed(0)} | ${r.headers.toFixed(0)} | ${r.wall.toFixed(0)} | ${r.bytes} | ${raw.toFixed(0)} | ${parsed.toFixed(0)} |`,
  );
}
