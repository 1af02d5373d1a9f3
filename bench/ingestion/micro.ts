/**
 * Unit-level timings of the CSV upload path, without the Worker or HTTP in front (where does the time go?):
 *
 *   node_modules/.bin/node --experimental-strip-types --no-warnings bench/ingestion/micro.ts [--rows 1000000]
 *
 * 1. parse: the bench's CSV (same generator as run.ts) pushed in 64 KiB chunks through CsvBarParser;
 * 2. encode: the parsed bars encoded into INSERT payloads (all batches);
 * 3. insert: insertBars into an embedded chdb stand-in (packages/devstack) in this process, i.e. encode
 *    plus the engine's INSERT, batch by batch as the upload route does.
 */
import { parseArgs } from "node:util";
import { CsvBarParser, encodeBarsRowBinary, insertBars } from "../../packages/market-data/src/index.ts";
import { openTestClickHouse } from "../../packages/market-data/test-fixtures/clickhouse.ts";

const { values } = parseArgs({
  options: { rows: { type: "string", default: "1000000" }, skipInsert: { type: "boolean", default: false } },
});
const ROWS = Number(values.rows);
const BATCH = 200_000;
const T0 = Date.UTC(2020, 0, 1);

function csv(rows: number): Uint8Array {
  const lines = ["timestamp,open,high,low,close,volume"];
  for (let i = 0; i < rows; i++) {
    const o = (10_000 + (i % 5_000)) / 100;
    lines.push(
      `${T0 + i * 60_000},${o},${(o + 0.25).toFixed(2)},${(o - 0.25).toFixed(2)},${(o + 0.1).toFixed(2)},${1_000 + (i % 97)}`,
    );
  }
  return new TextEncoder().encode(`${lines.join("\n")}\n`);
}

function time<T>(label: string, f: () => T): T {
  const t = performance.now();
  const r = f();
  const ms = performance.now() - t;
  console.log(
    `${label.padEnd(28)} ${ms.toFixed(0).padStart(6)} ms  ${Math.round(ROWS / (ms / 1000))} rows/s`,
  );
  return r;
}

const file = csv(ROWS);
console.log(`${ROWS} rows, ${(file.length / 1e6).toFixed(1)} MB`);
const meta = {
  symbol: "MICRO-USD",
  assetClass: "crypto",
  timeframe: "1m" as const,
  source: "csv",
  ingestVersion: 1,
};
let bars = undefined as unknown as ReturnType<CsvBarParser["finish"]>["bars"];
for (let run = 0; run < 3; run++) {
  bars = time("parse", () => {
    const parser = new CsvBarParser({ timeframe: "1m", expectedRows: Math.ceil(file.length / 40) });
    for (let i = 0; i < file.length; i += 65_536) parser.push(file.subarray(i, i + 65_536));
    const { bars, report } = parser.finish();
    if (report.rowsRejected > 0 || bars.count !== ROWS) throw new Error("bench CSV rejected");
    return bars;
  });
}
for (let run = 0; run < 3; run++) {
  time("encode (RowBinary)", () => {
    let bytes = 0;
    for (let s = 0; s < ROWS; s += BATCH)
      bytes += encodeBarsRowBinary(bars, s, Math.min(ROWS, s + BATCH)).length;
    return bytes;
  });
}
if (!values.skipInsert) {
  const ch = await openTestClickHouse();
  try {
    for (let run = 0; run < 2; run++) {
      const t = performance.now();
      await insertBars({ url: ch.url, database: ch.database }, { ...meta, ingestVersion: run + 1 }, bars, {
        batchRows: BATCH,
      });
      const ms = performance.now() - t;
      console.log(
        `${"insert (encode + INSERT)".padEnd(28)} ${ms.toFixed(0).padStart(6)} ms  ${Math.round(ROWS / (ms / 1000))} rows/s`,
      );
    }
  } finally {
    await ch.close();
  }
}
