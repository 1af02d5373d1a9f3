import type { Database } from "@quantago/db";
import { marketSymbol } from "@quantago/db";
import {
  type ClickHouseConfig,
  CsvBarParser,
  CsvHeaderError,
  type CsvReport,
  CsvTooLargeError,
  insertBars,
  type ParsedBars,
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

/** Records the upload's run (`running`) and emits `run.started` and `symbol.started`. */
async function startUploadRun(db: Database, input: UploadInput): Promise<RunRow> {
  const run = await createRun(db, {
    kind: "upload",
    status: "running",
    timeframe: input.timeframe,
    symbols: [input.symbol],
    requestedBy: input.requestedBy,
    details: { assetClass: input.assetClass, bytes: input.contentLength ?? null },
  });
  await emitEvent(db, {
    runId: run.id,
    type: "run.started",
    payload: { kind: "upload", timeframe: input.timeframe, symbols: [input.symbol] },
    key: "run.started",
  });
  await emitEvent(db, {
    runId: run.id,
    type: "symbol.started",
    symbol: input.symbol,
    payload: { source: "csv" },
    key: `symbol.started:${input.symbol}`,
  });
  return run;
}

/** Ends the upload's run `failed` with `error` (and `symbol.failed`), noting the rows already stored. */
async function failUpload(
  db: Database,
  run: RunRow,
  symbol: string,
  error: string,
  details: Record<string, unknown>,
  rows = 0,
): Promise<void> {
  await setRunSymbol(db, run.id, symbol, { status: "failed", error, rowsWritten: rows });
  await emitEvent(db, {
    runId: run.id,
    type: "symbol.failed",
    symbol,
    payload: { error, rows },
    key: `symbol.failed:${symbol}`,
  });
  await finishRun(
    db,
    run.id,
    { status: "failed", error, rowsWritten: rows, details: { ...run.details, ...details } },
    { rowsWritten: rows },
  );
}

/** Streams the body through the parser, refusing more than {@link MAX_UPLOAD_BYTES}. */
async function parseBody(body: ReadableStream<Uint8Array>, parser: CsvBarParser) {
  let bytes = 0;
  const reader = body.getReader();
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
  return { parsed: parser.finish(), bytes };
}

/** Records why the file could not be read and returns the error to answer with. */
async function unreadableUpload(db: Database, run: RunRow, symbol: string, err: unknown): Promise<unknown> {
  if (err instanceof CsvHeaderError) {
    await failUpload(db, run, symbol, err.message, { header: err.problems });
    return new AppError("VALIDATION_FAILED", `${err.message}. Nothing was written (run ${run.id}).`, {
      issues: err.problems.map((message) => ({ path: ["header"], message })),
    });
  }
  if (err instanceof CsvTooLargeError) {
    await failUpload(db, run, symbol, err.message, {});
    return new AppError("PAYLOAD_TOO_LARGE", `${err.message}. Nothing was written (run ${run.id}).`);
  }
  if (err instanceof AppError) {
    await failUpload(db, run, symbol, err.message, {});
    return err;
  }
  await failUpload(db, run, symbol, "The upload could not be read.", {});
  return err;
}

/** The upload is stored: the run symbol and the run complete, and a first upload registers the symbol. */
async function completeUpload(
  db: Database,
  run: RunRow,
  input: UploadInput,
  bars: ParsedBars,
  details: object,
) {
  const lastBarTime = bars.time[bars.count - 1] ?? null;
  await setRunSymbol(db, run.id, input.symbol, { status: "completed", rowsWritten: bars.count, lastBarTime });
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
    runId: run.id,
    type: "symbol.completed",
    symbol: input.symbol,
    payload: { rows: bars.count },
    key: `symbol.completed:${input.symbol}`,
  });
  await finishRun(
    db,
    run.id,
    { status: "completed", rowsWritten: bars.count, details: { ...run.details, ...details } },
    { rowsWritten: bars.count },
  );
  return lastBarTime;
}

/**
 * Writes the parsed bars in batches, with a `symbol.progress` event per batch. Should ClickHouse fail
 * midway, the run is `failed` and says how many rows were stored.
 */
async function writeUpload(
  { db, connection }: UploadDeps,
  run: RunRow,
  input: UploadInput,
  bars: ParsedBars,
  report: CsvReport,
): Promise<void> {
  const runId = run.id;
  let written = 0;
  try {
    await insertBars(
      connection,
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
    await failUpload(db, run, input.symbol, message, { report }, written);
    throw new AppError("UPSTREAM_FAILED", message, { cause: err });
  }
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
  const run = await startUploadRun(db, input);
  const runId = run.id;

  const parser = new CsvBarParser({
    timeframe: input.timeframe,
    maxRows: MAX_UPLOAD_ROWS,
    expectedRows: input.contentLength ? Math.min(MAX_UPLOAD_ROWS, Math.ceil(input.contentLength / 40)) : 1024,
  });
  // Phase timings for the log. A Worker's clock only moves across I/O, so "read+parse" is the time
  // until the last body chunk arrived and was parsed, and "insert" the INSERT round trips.
  const started = Date.now();
  let read: Awaited<ReturnType<typeof parseBody>>;
  try {
    read = await parseBody(input.body, parser);
  } catch (err) {
    throw await unreadableUpload(db, run, input.symbol, err);
  }
  const { bytes } = read;
  const { bars, report } = read.parsed;
  const parsedAt = Date.now();
  if (report.rowsRejected > 0 || bars.count === 0) {
    const message =
      bars.count === 0 && report.rowsRejected === 0
        ? "The file has a header but no data rows."
        : `${report.rowsRejected} of ${report.rowsTotal} rows rejected; the file must be valid as a whole.`;
    await failUpload(db, run, input.symbol, message, { report });
    throw new AppError("VALIDATION_FAILED", `${message} Nothing was written (run ${runId}).`, {
      issues: reportIssues(report),
    });
  }

  await writeUpload(deps, run, input, bars, report);
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
  const lastBarTime = await completeUpload(db, run, input, bars, { bytes, report });
  return {
    runId,
    rows: bars.count,
    bytes,
    report,
    firstBar: new Date(bars.time[0] ?? 0).toISOString(),
    lastBar: lastBarTime === null ? null : new Date(lastBarTime).toISOString(),
  } satisfies Record<string, unknown> & { runId: RunRow["id"] };
}
