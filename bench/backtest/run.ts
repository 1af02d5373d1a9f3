/**
 * Backtest benchmark through the running dev stack (`npm run dev` in another terminal).
 *
 *   node_modules/.bin/node --experimental-strip-types bench/backtest/run.ts [--runs 5]
 *
 * Stores the exact SMAX-1m bars (1,000,000 one-minute bars, docs/smax-reference.md) in the dev
 * stack's ClickHouse if absent, signs in as the dev seed's trader, registers the WASM columnar SMA
 * crossover from packages/wasm-sdk, then reports wall time from `POST /api/backtests` to `completed`
 * for the native and the WASM columnar SMA crossover with the SMAX-1m settings; every run is checked
 * against the published reference (19,562 trades, final equity 95036.64991308119). Also reports the
 * engine-only rate on the SMAX-1m workload (no I/O).
 *
 * `--follow events` (the default) learns of the end from the backtest's SSE stream
 * (`GET /api/backtests/:id/events`), as the web app does; `--follow poll` polls
 * `GET /api/backtests/:id` every 20 ms instead, the former way: each poll is a request with its own
 * session check and database round trip, served by the same Worker isolate that runs the backtest.
 *
 * With `--uncached`, every run (warm-up included) ends at a minute no run of this process ended at
 * (1,000,000 bars less a few hundred), so the API's bar cache, which keeps the last range read,
 * never answers: the time a trader waits for a range not read just before. Those runs are checked
 * against the engine run here on the same prefix of the SMAX bars.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  SMAX_EXECUTION_CONFIG,
  SMAX_REFERENCE,
  SMAX_START_MS,
  SMAX_STRATEGY_PARAMETERS,
} from "../../packages/engine/src/fixtures/smax.ts";
import { generateSmaxBars, runBacktest } from "../../packages/engine/src/index.ts";
import { type BarColumns, sliceBars, smaCrossover } from "../../packages/strategies/src/index.ts";
import { call, SMAX_SYMBOL, seedSmaxBars, signIn, untilEnded } from "../dev-stack.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    uncached: { type: "boolean", default: false },
    api: { type: "string", default: process.env.API_URL ?? "http://127.0.0.1:8787" },
    clickhouse: { type: "string", default: process.env.CLICKHOUSE_URL ?? "http://127.0.0.1:8123" },
    database: { type: "string", default: process.env.CLICKHOUSE_DB ?? "market_data" },
    // The dev stack's web origin (packages/devstack: FRONTEND_ORIGIN), which Better Auth requires.
    origin: { type: "string", default: process.env.FRONTEND_ORIGIN ?? "http://127.0.0.1:5173" },
    email: { type: "string", default: "trader@quantago.local" },
    password: { type: "string", default: "quantago-trader" },
    follow: { type: "string", default: "events" },
  },
});
if (values.follow !== "events" && values.follow !== "poll") throw new Error("--follow is events or poll");
const runs = Number(values.runs);
const SYMBOL = SMAX_SYMBOL;
const BARS = 1_000_000;
const START = new Date(SMAX_START_MS).toISOString();
const REFERENCE = SMAX_REFERENCE[1_000_000];
// The API's execution parameter names are the engine's config names: the SMAX settings go as they are.
const { initialBalance, ...smaxExecution } = SMAX_EXECUTION_CONFIG;
const PARAMETERS = { timeframe: "1m", ...SMAX_STRATEGY_PARAMETERS, ...smaxExecution };

const stack = { api: values.api, origin: values.origin, email: values.email, password: values.password };

/** The exact SMAX-1m bars, stored if absent. */
async function seed(): Promise<void> {
  const started = performance.now();
  if (await seedSmaxBars({ url: values.clickhouse, database: values.database })) {
    console.log(`seeded ${BARS} bars in ${Math.round(performance.now() - started)} ms`);
  }
}

async function registerWasm(cookie: string): Promise<string> {
  const file = new URL("../../packages/wasm-sdk/build/sma-crossover.wasm", import.meta.url);
  const slug = "bench-sma-columnar";
  const res = await call(stack, cookie, "/api/strategies", {
    method: "POST",
    body: JSON.stringify({
      strategy: {
        slug,
        name: "Bench SMA crossover (WASM columnar)",
        description: "packages/wasm-sdk sma-crossover.wasm",
        runtime_type: "wasm",
        language: "assemblyscript",
        default_frequency: "scalping",
        min_candles: 31,
        lookback_candles: 31,
        default_config: { takeProfitLevel: null, stopLossLevel: null },
        parameter_schema: { type: "object", properties: {} },
        initial_version: {
          version: "1.0.0",
          runtime_config: { type: "wasm", language: "assemblyscript", abi: "columnar" },
          artifact: {
            file_name: "sma-crossover.wasm",
            content_base64: readFileSync(file).toString("base64"),
          },
        },
      },
    }),
  });
  if (res.status !== 201 && res.status !== 409)
    throw new Error(`register: HTTP ${res.status} ${await res.text()}`);
  return slug;
}

interface Done {
  ms: number;
  trades: number;
  finalEquity: number;
}

async function timedBacktest(cookie: string, strategy: string, bars = BARS): Promise<Done> {
  const started = performance.now();
  const res = await call(stack, cookie, "/api/backtests", {
    method: "POST",
    body: JSON.stringify({
      backtest: {
        symbol: SYMBOL,
        exchange: "crypto",
        strategy,
        start_date: START,
        end_date: new Date(SMAX_START_MS + bars * 60_000).toISOString(),
        initial_balance: initialBalance,
        parameters: PARAMETERS,
      },
    }),
  });
  if (res.status !== 202) throw new Error(`submit: HTTP ${res.status} ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  // With events, the wall clock stops at the terminal event; the record is then read to check it.
  const ended =
    values.follow === "events" ? await untilEnded(stack, cookie, `/api/backtests/${id}/events`) : null;
  for (;;) {
    const record = (await (await call(stack, cookie, `/api/backtests/${id}`)).json()) as {
      status: string;
      trade_count: number;
      final_equity: number;
      error_message: string | null;
    };
    if (record.status === "completed") {
      return {
        ms: (ended ?? performance.now()) - started,
        trades: record.trade_count,
        finalEquity: record.final_equity,
      };
    }
    if (record.status === "failed" || record.status === "cancelled")
      throw new Error(`${strategy}: ${record.status} ${record.error_message}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Minutes to leave off the end of the next `--uncached` run: distinct within the process, and starting
 * from the clock so that a second invocation does not begin with the range the last one ended on.
 */
let uncachedShift = 1 + (Math.floor(Date.now() / 1000) % 400);
const nextUncachedShift = () => uncachedShift++;

/** The SMAX-1m bars, generated once (about 0.4 s): the engine runs here read prefixes of them. */
let smaxBars: BarColumns | null = null;
function smax(bars: number): BarColumns {
  smaxBars ??= generateSmaxBars(BARS);
  return sliceBars(smaxBars, 0, bars);
}

/** Trades and final equity of the engine run here over the first `bars` SMAX bars. */
function engineReference(bars: number): { trades: number; equity: number } {
  const { metrics } = runBacktest(
    smax(bars),
    smaCrossover.create(SMAX_STRATEGY_PARAMETERS),
    SMAX_EXECUTION_CONFIG,
  );
  return { trades: metrics.numberOfTrades, equity: metrics.finalEquity };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

await seed();

const cookie = await signIn(stack);
const wasmSlug = await registerWasm(cookie);
const rows: string[] = [];
for (const [label, strategy, target] of [
  ["native SMA crossover", "sma-crossover", 1000],
  ["WASM columnar SMA crossover", wasmSlug, 1200],
] as const) {
  const times: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const bars = values.uncached ? BARS - nextUncachedShift() : BARS;
    const expected = bars === BARS ? REFERENCE : engineReference(bars);
    const done = await timedBacktest(cookie, strategy, bars);
    // The published reference (or the engine here on the same bars): trade count exact, final equity to 1e-14.
    if (
      done.trades !== expected.trades ||
      Math.abs(done.finalEquity - expected.equity) / expected.equity > 1e-14
    ) {
      throw new Error(
        `${label}: ${done.trades} trades / ${done.finalEquity}, expected ${expected.trades} / ${expected.equity}`,
      );
    }
    if (i > 0) times.push(done.ms); // one warm-up
  }
  rows.push(
    `| ${label}${values.uncached ? ", uncached range" : ""} | ${values.uncached ? "~" : ""}${BARS} | ${values.uncached ? "~" : ""}${REFERENCE.trades} | ${median(times).toFixed(0)} | ${Math.min(...times).toFixed(0)} | < ${target} |`,
  );
}

// Engine only, SMAX-1m workload (the decision loop and simulation, no I/O).
const engineBars = smax(BARS);
const engineTimes: number[] = [];
for (let i = 0; i < 6; i++) {
  const t0 = performance.now();
  runBacktest(engineBars, smaCrossover.create(SMAX_STRATEGY_PARAMETERS), SMAX_EXECUTION_CONFIG);
  if (i > 0) engineTimes.push(performance.now() - t0);
}
const engineMs = median(engineTimes);

console.log(
  `\nPOST → completed (${values.follow === "events" ? "its SSE event" : "polled every 20 ms"}), ${runs} runs each after 1 warm-up, through ${values.api}`,
);
console.log("| strategy | bars | trades | p50 ms | best ms | target ms |\n|---|---:|---:|---:|---:|---:|");
for (const row of rows) console.log(row);
console.log(
  `\nengine only, SMAX-1m (1,000,000 bars): ${engineMs.toFixed(1)} ms median = ${(1_000_000 / engineMs / 1000).toFixed(1)} M bars/s`,
);
