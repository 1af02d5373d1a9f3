/**
 * Sweep benchmark through the running dev stack (`pnpm dev` in another terminal).
 *
 *   node --experimental-strip-types bench/sweep/run.ts [--runs 3] [--api http://127.0.0.1:8787] [--follow events|poll]
 *
 * Stores the SMAX-1m bars in the dev stack's ClickHouse if absent (as bench/backtest does), signs in as
 * the dev seed's trader, then times a 100-combination SMA crossover grid (fast 5..50 step 5 x slow
 * 60..150 step 10) over the first 100,000 one-minute bars with the SMAX-1m execution settings, from
 * `POST /api/research/sweeps` to `completed` (learnt from the sweep's SSE events, as the web app does;
 * `--follow poll` polls `GET /api/research/sweeps/:id` every 50 ms instead, the former way: each poll
 * is a request with its own session check and database connection, on the same 2 cores as the
 * sweep), and reports backtests per second
 * (combinations / wall time) and the same from the sweep's own started/finished times (the workflow
 * alone). For scale, the engine-only rate of the same 100 runs in this process.
 */
import { parseArgs } from "node:util";
import { SMAX_EXECUTION_CONFIG, SMAX_START_MS } from "../../packages/engine/src/fixtures/smax.ts";
import { generateSmaxBars, runBacktest } from "../../packages/engine/src/index.ts";
import { smaCrossover } from "../../packages/strategies/src/index.ts";
import { call, SMAX_SYMBOL, seedSmaxBars, signIn, untilEnded } from "../dev-stack.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    api: { type: "string", default: process.env.API_URL ?? "http://127.0.0.1:8787" },
    clickhouse: { type: "string", default: process.env.CLICKHOUSE_URL ?? "http://127.0.0.1:8123" },
    database: { type: "string", default: process.env.CLICKHOUSE_DB ?? "market_data" },
    origin: { type: "string", default: process.env.FRONTEND_ORIGIN ?? "http://127.0.0.1:5173" },
    email: { type: "string", default: "trader@quantago.local" },
    password: { type: "string", default: "quantago-trader" },
    follow: { type: "string", default: "events" },
  },
});
if (values.follow !== "events" && values.follow !== "poll") throw new Error("--follow is events or poll");
const SYMBOL = SMAX_SYMBOL;
const BARS = 100_000;
const START = new Date(SMAX_START_MS).toISOString();
const END = new Date(SMAX_START_MS + BARS * 60_000).toISOString();
const { initialBalance, ...smaxExecution } = SMAX_EXECUTION_CONFIG;
const AXES = { fast: { min: 5, max: 50, step: 5 }, slow: { min: 60, max: 150, step: 10 } };
const COMBINATIONS = 100;

const stack = { api: values.api, origin: values.origin, email: values.email, password: values.password };

interface SweepRecord {
  id: string;
  status: string;
  combinations: number;
  error_message: string | null;
  started_at: string | null;
  finished_at: string | null;
}

async function timedSweep(cookie: string): Promise<{ wallMs: number; workflowMs: number }> {
  const started = performance.now();
  const res = await call(stack, cookie, "/api/research/sweeps", {
    method: "POST",
    body: JSON.stringify({
      sweep: {
        backtest: {
          symbol: SYMBOL,
          exchange: "crypto",
          strategy: "sma-crossover",
          start_date: START,
          end_date: END,
          initial_balance: initialBalance,
          parameters: { timeframe: "1m", ...smaxExecution },
        },
        axes: AXES,
        metric: "sharpe",
      },
    }),
  });
  if (res.status !== 202) throw new Error(`submit: HTTP ${res.status} ${await res.text()}`);
  const { id, combinations } = (await res.json()) as SweepRecord;
  if (combinations !== COMBINATIONS)
    throw new Error(`expected ${COMBINATIONS} combinations, got ${combinations}`);
  // With events, the wall clock stops at the terminal event; the record is then read to check it.
  const ended =
    values.follow === "events" ? await untilEnded(stack, cookie, `/api/research/sweeps/${id}/events`) : null;
  for (;;) {
    const record = (await (await call(stack, cookie, `/api/research/sweeps/${id}`)).json()) as SweepRecord;
    if (record.status === "completed") {
      const wallMs = (ended ?? performance.now()) - started;
      const results = await call(stack, cookie, `/api/research/sweeps/${id}/results?limit=1`);
      if (Number(results.headers.get("X-Total-Count")) !== COMBINATIONS) throw new Error("results missing");
      return {
        wallMs,
        workflowMs: Date.parse(record.finished_at ?? "") - Date.parse(record.started_at ?? ""),
      };
    }
    if (record.status === "failed" || record.status === "cancelled")
      throw new Error(`sweep ${record.status}: ${record.error_message}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

await seedSmaxBars({ url: values.clickhouse, database: values.database });
const cookie = await signIn(stack);
const rows: string[] = [];
for (let i = 0; i < Number(values.runs); i++) {
  const { wallMs, workflowMs } = await timedSweep(cookie);
  rows.push(
    `| ${i + 1} | ${COMBINATIONS} | ${BARS} | ${wallMs.toFixed(0)} | ${((COMBINATIONS * 1000) / wallMs).toFixed(1)} | ${((COMBINATIONS * 1000) / workflowMs).toFixed(1)} |`,
  );
}

// Engine only: the same 100 runs in this process, bars in memory.
const bars = generateSmaxBars(BARS);
const engineStarted = performance.now();
for (let fast = 5; fast <= 50; fast += 5) {
  for (let slow = 60; slow <= 150; slow += 10) {
    runBacktest(bars, smaCrossover.create({ fast, slow }), SMAX_EXECUTION_CONFIG);
  }
}
const engineMs = performance.now() - engineStarted;

console.log("| run | combinations | bars | wall ms | backtests/s (wall) | backtests/s (workflow) |");
console.log("|---|---|---|---|---|---|");
for (const row of rows) console.log(row);
console.log(
  `\nengine only, same 100 runs in-process: ${engineMs.toFixed(0)} ms = ${((COMBINATIONS * 1000) / engineMs).toFixed(0)} backtests/s`,
);
