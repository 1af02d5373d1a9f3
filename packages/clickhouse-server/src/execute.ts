/**
 * From a parsed HTTP request to engine calls: which SQL runs, with which settings, parameters and
 * default database, and what comes back.
 *
 * Settings, `param_*` values and the database are applied as statements on the request's own engine
 * connection (`USE db; SET k = '...', param_x = '...'`) before the query runs. Query parameters bound
 * this way are still bound by the engine (`{x:Type}` is parsed from the value text by ClickHouse
 * itself, exactly like the HTTP server's `param_x`); the value only travels inside a string literal,
 * quoted by quoteString. This is used instead of chdb's bind API (`chdb_query_with_params`) because
 * chdb documents that API as not isolated between connections under concurrency and serialises it
 * process-wide, whereas SET state belongs to one connection and a connection belongs to one request.
 */
import { randomUUID } from "node:crypto";
import { unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Connection, InsertOutput, QueryOutput, StreamedOutput } from "./engine.ts";
import { ClickHouseError, httpError } from "./errors.ts";
import type { QueryOptions } from "./request.ts";
import {
  insertFromInfile,
  insertSelectFromFile,
  isBlank,
  leadingKeyword,
  PLAIN_NAME,
  quoteIdentifier,
  quoteString,
  secondStatementAt,
  trailingFormat,
} from "./sql.ts";

export interface Plan {
  /** "insert" runs `sql` + raw `data` (binary-safe); "query" runs `sql` as text. */
  kind: "insert" | "query";
  sql: string;
  data: Buffer;
  /** Output format when the SQL has no FORMAT clause. */
  defaultFormat: string;
  /** The format the response is in, for X-ClickHouse-Format and Content-Type. */
  format: string;
  /** Statements that prepare the connection: USE and SET. */
  prelude: string | undefined;
  /** Value to restore max_query_size to after a prelude too large for the default limit. */
  restoreMaxQuerySize: string | undefined;
}

const EMPTY = Buffer.alloc(0);

/** max_query_size's default; SET statements carrying big parameter values can exceed it. */
const DEFAULT_MAX_QUERY_SIZE = 262_144;

/**
 * Builds the plan. `query` is the SQL from the URL (or multipart form); `body` is the request body
 * when it is not a form. As in ClickHouse, the full text is `query + "\n" + body`; for an INSERT the
 * body is the data and is passed on as bytes.
 */
export function buildPlan(
  options: QueryOptions,
  query: string | undefined,
  body: Buffer,
  readonly: boolean,
): Plan {
  const head = query ?? body.subarray(0, 65_536).toString("utf8");
  const isInsert = leadingKeyword(head) === "INSERT";
  let kind: Plan["kind"] = "query";
  let sql: string;
  let data: Buffer = EMPTY;
  if (isInsert) {
    kind = "insert";
    sql = query ?? "";
    data = body;
  } else {
    sql =
      query === undefined
        ? body.toString("utf8")
        : body.length > 0
          ? `${query}\n${body.toString("utf8")}`
          : query;
    if (isBlank(sql)) throw httpError("SYNTAX_ERROR", "Empty query");
    const second = secondStatementAt(sql);
    if (second !== -1) {
      throw httpError(
        "SYNTAX_ERROR",
        `Syntax error (Multi-statements are not allowed): failed at position ${second + 1}`,
      );
    }
  }
  const format = (kind === "query" ? trailingFormat(sql) : undefined) ?? options.defaultFormat;
  const { prelude, restoreMaxQuerySize } = buildPrelude(options, readonly);
  return { kind, sql, data, defaultFormat: options.defaultFormat, format, prelude, restoreMaxQuerySize };
}

function buildPrelude(
  options: QueryOptions,
  readonly: boolean,
): Pick<Plan, "prelude" | "restoreMaxQuerySize"> {
  const statements: string[] = [];
  if (options.database) statements.push(`USE ${quoteIdentifier(options.database)}`);
  const assignments: string[] = [];
  for (const [name, value] of options.settings) {
    if (!PLAIN_NAME.test(name))
      throw new ClickHouseError(115, "UNKNOWN_SETTING", `Unknown setting '${name}'`);
    assignments.push(`${name} = ${quoteString(value)}`);
  }
  for (const [name, value] of options.params) {
    if (!PLAIN_NAME.test(name)) throw httpError("BAD_ARGUMENTS", `Invalid query parameter name '${name}'`);
    assignments.push(`param_${name} = ${quoteString(value)}`);
  }
  // ClickHouse runs GET requests with readonly=2 unless the client chose a readonly level.
  if (readonly && !options.settings.has("readonly")) assignments.push("readonly = 2");
  if (assignments.length > 0) statements.push(`SET ${assignments.join(", ")}`);
  const prelude = statements.length > 0 ? statements.join("; ") : undefined;
  const restoreMaxQuerySize =
    prelude !== undefined && prelude.length > DEFAULT_MAX_QUERY_SIZE / 2
      ? (options.settings.get("max_query_size") ?? String(DEFAULT_MAX_QUERY_SIZE))
      : undefined;
  return { prelude, restoreMaxQuerySize };
}

export interface Outcome {
  /** The response body, in pieces (a large result is never joined into one buffer). */
  chunks: Buffer[];
  /** Total bytes of `chunks`. */
  byteLength: number;
  /** Rows in the result, or rows written by an INSERT. */
  rows: number;
  summary: Record<string, string>;
}

export async function runPlan(connection: Connection, plan: Plan): Promise<Outcome> {
  if (plan.prelude !== undefined) {
    if (plan.restoreMaxQuerySize !== undefined) {
      // Parameter values can be large (client-web moves them into a form body past 4 KiB); ClickHouse
      // itself does not count them against max_query_size, so lift the limit for the SET only.
      await connection.query(`SET max_query_size = ${plan.prelude.length + 4096}`, "TabSeparated");
      await connection.query(plan.prelude, "TabSeparated");
      await connection.query(`SET max_query_size = ${quoteString(plan.restoreMaxQuerySize)}`, "TabSeparated");
    } else {
      await connection.query(plan.prelude, "TabSeparated");
    }
  }
  const started = performance.now();
  if (plan.kind === "insert") {
    const written = isEmptyFormattedInsert(plan) ? noRows() : await insertPayload(connection, plan);
    return { chunks: [], byteLength: 0, rows: written.rowsWritten, summary: summary({ written, started }) };
  }
  if (STREAMED_FORMATS.has(plan.format) && STREAMED_KEYWORDS.has(leadingKeyword(plan.sql))) {
    const output = await connection.stream(plan.sql, plan.defaultFormat);
    return {
      chunks: output.chunks,
      byteLength: output.byteLength,
      rows: output.rows,
      summary: summary({ streamed: output, started }),
    };
  }
  const output = await connection.query(plan.sql, plan.defaultFormat);
  return {
    chunks: [output.bytes],
    byteLength: output.bytes.length,
    rows: output.rowsRead,
    summary: summary({ output, started }),
  };
}

/**
 * Results read through the engine's streaming API (Connection.stream, far cheaper for large results):
 * SELECTs in the two binary formats that large reads use. The streaming API formats each block on its
 * own, so only formats without a header or trailer come out the same as the one-buffer call (checked
 * on chdb 3.4.0 for 300,000 rows: Native and RowBinary byte-identical, with `extremes` too; JSON,
 * JSONCompact, Parquet, Arrow, the *WithNames formats and JSONEachRow under
 * `output_format_json_array_of_rows` repeat their framing per block). Everything else keeps the
 * one-buffer call.
 */
const STREAMED_FORMATS = new Set(["Native", "RowBinary"]);
const STREAMED_KEYWORDS = new Set(["SELECT", "WITH"]);

/**
 * Runs an INSERT with its payload. chdb hands `prefix + data` to clickhouse-local's multi-statement
 * reader, with two flaws measured on chdb 3.4.0:
 * - the inline data of an INSERT ends at the first empty line: whatever follows a `\n\n` is parsed as
 *   the next SQL statement (a RowBinary batch holding 2023-01-20T11:57Z as Int64 ms, bytes
 *   `e0 0a 0a cf 85 01 00 00`, fails "Cannot read all data"; a TabSeparated body with a blank line
 *   writes the rows before it, then fails with a syntax error on the rest);
 * - an `INSERT ... SELECT ... FROM input('structure') FORMAT X` ignores the payload and silently
 *   writes nothing.
 * Such payloads go through a temporary file instead, which the engine reads as data only:
 * `INSERT ... FROM INFILE`, or `file(path, X, structure)` in place of `input()`. Every other payload
 * keeps the zero-copy path; a blank-line payload whose INSERT cannot be rewritten is refused rather
 * than half-written.
 */
async function insertPayload(connection: Connection, plan: Plan): Promise<InsertOutput> {
  const path = join(tmpdir(), `quantago-clickhouse-insert-${randomUUID()}.bin`);
  let sql = insertSelectFromFile(plan.sql, path);
  if (sql === undefined) {
    if (!hasDataAfterBlankLine(plan.data)) return connection.insert(plan.sql, plan.data);
    sql = insertFromInfile(plan.sql, path);
  }
  if (sql === undefined) {
    throw httpError(
      "NOT_IMPLEMENTED",
      "This server passes INSERT data holding an empty line (bytes 0a 0a) only to `INSERT INTO t [(columns)] [SETTINGS ...] FORMAT X` or an INSERT SELECT from input(), sent with the query in the URL",
    );
  }
  await writeFile(path, plan.data);
  try {
    // For INSERT ... FROM INFILE the engine reports the rows (and bytes) written as the "read"
    // counters; for an INSERT SELECT from file() it reports 0, so its summary says 0 rows.
    const output = await connection.query(sql, "TabSeparated");
    return { elapsed: output.elapsed, rowsWritten: output.rowsRead, bytesWritten: output.bytesRead };
  } finally {
    await unlink(path).catch(() => {});
  }
}

/** True when `data` holds an empty line (`\n\n`) with anything but whitespace after it. */
function hasDataAfterBlankLine(data: Buffer): boolean {
  const blank = data.indexOf("\n\n");
  if (blank === -1) return false;
  for (let i = blank + 2; i < data.length; i++) {
    const b = data[i];
    if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return true;
  }
  return false;
}

/**
 * `INSERT ... FORMAT X` with a blank body inserts nothing on a ClickHouse server; chdb instead fails
 * ("No data to insert", or a protocol error for a whitespace-only body), so answer it here.
 */
function isEmptyFormattedInsert(plan: Plan): boolean {
  return (
    /\bFORMAT\s+[A-Za-z0-9_]+\s*$/i.test(plan.sql) &&
    plan.data.every((b) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09)
  );
}

function noRows(): InsertOutput {
  return { elapsed: 0, rowsWritten: 0, bytesWritten: 0 };
}

/** X-ClickHouse-Summary: counters as decimal strings, as the server sends them. */
function summary(from: {
  output?: QueryOutput;
  streamed?: StreamedOutput;
  written?: InsertOutput;
  started: number;
}): Record<string, string> {
  const elapsedSeconds =
    from.output?.elapsed ??
    from.streamed?.elapsed ??
    from.written?.elapsed ??
    (performance.now() - from.started) / 1000;
  // A streamed result counts its bytes as sent (in the output format), not the engine's column bytes.
  const resultRows = from.output?.rowsRead ?? from.streamed?.rows ?? 0;
  const resultBytes = from.output?.bytesRead ?? from.streamed?.byteLength ?? 0;
  return {
    read_rows: String(resultRows || (from.written?.rowsWritten ?? 0)),
    read_bytes: String(resultBytes || (from.written?.bytesWritten ?? 0)),
    written_rows: String(from.written?.rowsWritten ?? 0),
    written_bytes: String(from.written?.bytesWritten ?? 0),
    total_rows_to_read: "0",
    result_rows: String(resultRows),
    result_bytes: String(resultBytes),
    elapsed_ns: String(Math.round(elapsedSeconds * 1e9)),
  };
}
