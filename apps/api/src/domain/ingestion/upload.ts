import type { Database } from "@quantago/db";
import { marketSymbol } from "@quantago/db";
import {
  type ClickHouseConfig,
  CsvBarParser,
  CsvHeaderError,
  type CsvReport,
  CsvTooLargeError,
  insertBars,
  type Timeframe,
} from "@quantago/market-data";
import { AppError } from "../../lib/errors.ts";
import { emitEvent, finishRun } from "./events.ts";
import { createRun, type RunRow, setRunSymbol } from "./runs.ts";

/**
 * Largest accepted upload body: 100 MiB, Cloudflare's request-body limit on the Free and Pro plans
 * (a 1,000,000-row OHLCV file is about 60 MB). The body is streamed, never buffered as text.
 */
export const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;
/** Most data rows per upload: the accepted rows wait in typed arrays (48 bytes a row, 72 MB at most). */
export const MAX_UPLOAD_ROWS = 1_500_000;
/** Rows per INSERT (and per `symbol.progress` event). */
const UPLOAD_BATCH_ROWS = 200_000;

export interface UploadInput {
  symbol: string;
  assetClass: string;
  timeframe: Timeframe;
  requestedBy: string;
  body: ReadableStream<Uint8Array> | null;
  contentLength: number | undefined;
}

export interface UploadDeps {
  db: Database;
  connection: ClickHouseConfig;
}

function reportIssues(report: CsvReport) {
  return report.rejected.map((r) => ({
    path: ["line", r.line, ...(r.column ? [r.column] : [])],
    message: r.reason,
    code: r.code,
  }));
}

/**
 * `POST /api/admin/ingestion/upload`: the file is validated completely (one streaming pass into typed
 * arrays) before anything is written, so a bad file leaves no bars behind: its run is recorded
 * `failed` with the report, and the answer is a 400 listing the rejected rows. A good file is written
 * in batches; should ClickHouse fail midway, the run is `failed` and says how many rows were stored
 * (uploading the file again is safe: identical rows fold into one copy).
 */
export async function uploadCsv(deps: UploadDeps, input: UploadInput) {
  const { db } = deps;
  if (input.contentLength !== undefined && input.contentLength > MAX_UPLOAD_BYTES) {
    throw new AppError("PAYLOAD_TOO_LARGE", `Uploads are limited to ${MAX_UPLOAD_BYTES} bytes.`);
  }
  if (!input.body)
    throw new AppError("VALIDATION_FAILED", "Empty body: send the CSV file as the request body.");
  const run = await createRun(db, {
    kind: "upload",
    status: "running",
    timeframe: input.timeframe,
    symbols: [input.symbol],
    requestedBy: input.requestedBy,
    details: { assetClass: input.assetClass, bytes: input.contentLength ?? null },
  });
  const runId = run.id;
  await emitEvent(db, {
    runId,
    type: "run.started",
    payload: { kind: "upload", timeframe: input.timeframe, symbols: [input.symbol] },
    key: "run.started",
  });
  await emitEvent(db, {
    runId,
    type: "symbol.started",
    symbol: input.symbol,
    payload: { source: "csv" },
    key: `symbol.started:${input.symbol}`,
  });

  const fail = async (error: string, details: Record<string, unknown>, rows = 0) => {
    await setRunSymbol(db, runId, input.symbol, { status: "failed", error, rowsWritten: rows });
    await emitEvent(db, {
      runId,
      type: "symbol.failed",
      symbol: input.symbol,
      payload: { error, rows },
      key: `symbol.failed:${input.symbol}`,
    });
    await finishRun(
      db,
      runId,
      { status: "failed", error, rowsWritten: rows, details: { ...run.details, ...details } },
      { rowsWritten: rows },
    );
  };

  const parser = new CsvBarParser({
    timeframe: input.timeframe,
    maxRows: MAX_UPLOAD_ROWS,
    expectedRows: input.contentLength ? Math.min(MAX_UPLOAD_ROWS, Math.ceil(input.contentLength / 40)) : 1024,
  });
  let parsed: ReturnType<CsvBarParser["finish"]>;
  let bytes = 0;
  // Phase timings for the log. A Worker's clock only moves across I/O, so "read+parse" is the time
  // until the last body chunk arrived and was parsed, and "insert" the INSERT round trips.
  const started = Date.now();
  try {
    const reader = input.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (bytes > MAX_UPLOAD_BYTES) {
        await reader.cancel().catch(() => {});
        throw new AppError("PAYLOAD_TOO_LARGE", `Uploads are limited to ${MAX_UPLOAD_BYTES} bytes.`);
      }
      parser.push(value);
    }
    parsed = parser.finish();
  } catch (err) {
    if (err instanceof CsvHeaderError) {
      await fail(err.message, { header: err.problems });
      throw new AppError("VALIDATION_FAILED", `${err.message}. Nothing was written (run ${runId}).`, {
        issues: err.problems.map((message) => ({ path: ["header"], message })),
      });
    }
    if (err instanceof CsvTooLargeError) {
      await fail(err.message, {});
      throw new AppError("PAYLOAD_TOO_LARGE", `${err.message}. Nothing was written (run ${runId}).`);
    }
    if (err instanceof AppError) {
      await fail(err.message, {});
      throw err;
    }
    await fail("The upload could not be read.", {});
    throw err;
  }
  const { bars, report } = parsed;
  const parsedAt = Date.now();
  if (report.rowsRejected > 0 || bars.count === 0) {
    const message =
      bars.count === 0 && report.rowsRejected === 0
        ? "The file has a header but no data rows."
        : `${report.rowsRejected} of ${report.rowsTotal} rows rejected; the file must be valid as a whole.`;
    await fail(message, { report });
    throw new AppError("VALIDATION_FAILED", `${message} Nothing was written (run ${runId}).`, {
      issues: reportIssues(report),
    });
  }

  let written = 0;
  try {
    await insertBars(
      deps.connection,
      {
        symbol: input.symbol,
        assetClass: input.assetClass,
        timeframe: input.timeframe,
        source: "csv",
        ingestVersion: run.createdAt.getTime(),
      },
      bars,
      {
        batchRows: UPLOAD_BATCH_ROWS,
        onBatch: async (rows) => {
          written = rows;
          await emitEvent(db, {
            runId,
            type: "symbol.progress",
            symbol: input.symbol,
            payload: { rows, total: bars.count },
            key: `symbol.progress:${input.symbol}:${rows}`,
          });
        },
      },
    );
  } catch (err) {
    console.error(JSON.stringify({ msg: "upload insert failed", runId, written, error: String(err) }));
    const message = `ClickHouse failed after ${written} of ${bars.count} rows were stored; uploading the file again is safe (identical rows fold into one).`;
    await fail(message, { report }, written);
    throw new AppError("UPSTREAM_FAILED", message, { cause: err });
  }
  console.log(
    JSON.stringify({
      msg: "upload timings",
      runId,
      rows: bars.count,
      bytes,
      readParseMs: parsedAt - started,
      insertMs: Date.now() - parsedAt,
    }),
  );
  const lastBarTime = bars.time[bars.count - 1] ?? null;
  await setRunSymbol(db, runId, input.symbol, { status: "completed", rowsWritten: bars.count, lastBarTime });
  // First upload of a symbol registers it (disabled for syncs: its data only comes from files).
  await db
    .insert(marketSymbol)
    .values({
      symbol: input.symbol,
      assetClass: input.assetClass,
      source: "csv",
      enabled: false,
      availableFrom: new Date(bars.time[0] ?? 0),
    })
    .onConflictDoNothing();
  await emitEvent(db, {
    runId,
    type: "symbol.completed",
    symbol: input.symbol,
    payload: { rows: bars.count },
    key: `symbol.completed:${input.symbol}`,
  });
  await finishRun(
    db,
    runId,
    { status: "completed", rowsWritten: bars.count, details: { ...run.details, bytes, report } },
    { rowsWritten: bars.count },
  );
  return {
    runId,
    rows: bars.count,
    bytes,
    report,
    firstBar: new Date(bars.time[0] ?? 0).toISOString(),
    lastBar: lastBarTime === null ? null : new Date(lastBarTime).toISOString(),
  } satisfies Record<string, unknown> & { runId: RunRow["id"] };
}
