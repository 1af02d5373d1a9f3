import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { type ClickHouseClient, createClient } from "@clickhouse/client-web";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClickHouseServer, startClickHouseServer } from "./server.ts";

const PASSWORD = "s3cret";
const DB = "market";

let dataDir: string;
let server: ClickHouseServer;
let admin: ClickHouseClient;
let ch: ClickHouseClient;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "chdb-http-test-"));
  server = await startClickHouseServer({ dataDir, password: PASSWORD });
  admin = createClient({ url: server.url, password: PASSWORD });
  ch = createClient({ url: server.url, username: "default", password: PASSWORD, database: DB });
});

afterAll(async () => {
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** A POST straight to the server, for what the client does not expose (binary bodies, headers). */
function post(
  query: string | undefined,
  body: NonNullable<RequestInit["body"]>,
  headers: Record<string, string> = {},
  params = "",
) {
  const url = new URL(server.url);
  if (query !== undefined) url.searchParams.set("query", query);
  for (const [k, v] of new URLSearchParams(params)) url.searchParams.set(k, v);
  return fetch(url, {
    method: "POST",
    body,
    headers: { Authorization: `Basic ${btoa(`default:${PASSWORD}`)}`, ...headers },
  });
}

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  return Buffer.from(await new Response(stream).arrayBuffer());
}

/** Reads RowBinary rows of (String, DateTime64(3), Float64). */
function decodeRowBinary(buf: Buffer): Array<{ symbol: string; t: number; c: number }> {
  const rows: Array<{ symbol: string; t: number; c: number }> = [];
  let pos = 0;
  while (pos < buf.length) {
    let length = 0;
    let shift = 0;
    for (;;) {
      const byte = buf[pos++] as number;
      length |= (byte & 0x7f) << shift;
      if (byte < 0x80) break;
      shift += 7;
    }
    const symbol = buf.subarray(pos, pos + length).toString("utf8");
    pos += length;
    const t = Number(buf.readBigInt64LE(pos));
    const c = buf.readDoubleLE(pos + 8);
    pos += 16;
    rows.push({ symbol, t, c });
  }
  return rows;
}

function encodeRowBinary(rows: Array<{ symbol: string; t: number; c: number }>): Buffer {
  const parts: Buffer[] = [];
  for (const row of rows) {
    const text = Buffer.from(row.symbol);
    if (text.length > 127) throw new Error("test helper only writes short strings");
    const fixed = Buffer.alloc(16);
    fixed.writeBigInt64LE(BigInt(row.t), 0);
    fixed.writeDoubleLE(row.c, 8);
    parts.push(Buffer.from([text.length]), text, fixed);
  }
  return Buffer.concat(parts);
}

describe("ClickHouse HTTP stand-in over chdb", () => {
  it("answers /ping and the client's ping", async () => {
    const res = await fetch(`${server.url}/ping`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("Ok.\n");
    await expect(ch.ping()).resolves.toEqual({ success: true });
  });

  it("creates a database, a MergeTree and a ReplacingMergeTree table", async () => {
    await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${DB}` });
    await ch.command({
      query: `CREATE TABLE bars (
        symbol String, t DateTime64(3, 'UTC'), o Float64, h Float64, l Float64, c Float64, v Float64
      ) ENGINE = ReplacingMergeTree ORDER BY (symbol, t)`,
    });
    await ch.command({ query: "CREATE TABLE notes (id UInt32, text String) ENGINE = MergeTree ORDER BY id" });
    const tables = await admin.query({
      query: "SELECT name, engine FROM system.tables WHERE database = {db:String} ORDER BY name",
      query_params: { db: DB },
      format: "JSONEachRow",
    });
    expect(await tables.json()).toEqual([
      { name: "bars", engine: "ReplacingMergeTree" },
      { name: "notes", engine: "MergeTree" },
    ]);
  });

  it("inserts JSONEachRow and reads it back with bound String and DateTime64 parameters", async () => {
    await ch.insert({
      table: "bars",
      format: "JSONEachRow",
      values: [
        { symbol: "AAPL", t: "2024-01-02 14:30:00.000", o: 1, h: 2, l: 0.5, c: 1.5, v: 100 },
        { symbol: "AAPL", t: "2024-01-02 14:31:00.000", o: 1.5, h: 2.5, l: 1, c: 2, v: 200 },
        { symbol: "AAPL", t: "2024-01-02 14:32:00.250", o: 2, h: 3, l: 1.5, c: 2.5, v: 300 },
        { symbol: "MSFT", t: "2024-01-02 14:31:00.000", o: 10, h: 11, l: 9, c: 10.5, v: 50 },
      ],
    });
    const result = await ch.query({
      query: "SELECT t, c FROM bars WHERE symbol = {symbol:String} AND t >= {from:DateTime64(3)} ORDER BY t",
      query_params: { symbol: "AAPL", from: new Date("2024-01-02T14:31:00.000Z") },
      format: "JSONEachRow",
    });
    expect(result.response_headers["x-clickhouse-format"]).toBe("JSONEachRow");
    expect(await result.json()).toEqual([
      { t: "2024-01-02 14:31:00.000", c: 2 },
      { t: "2024-01-02 14:32:00.250", c: 2.5 },
    ]);
  });

  it("returns the JSON format with meta and row count", async () => {
    const result = await ch.query({
      query: "SELECT symbol, count() AS n FROM bars GROUP BY symbol ORDER BY symbol",
      format: "JSON",
    });
    const json = await result.json<{ symbol: string; n: number }>();
    expect(json.meta).toEqual([
      { name: "symbol", type: "String" },
      { name: "n", type: "UInt64" },
    ]);
    expect(json.data).toEqual([
      { symbol: "AAPL", n: 3 },
      { symbol: "MSFT", n: 1 },
    ]);
    expect(json.rows).toBe(2);
  });

  it("treats quotes, backslashes and newlines in parameters as data", async () => {
    const nasty = "it's \\ a \"test\"\n' OR 1=1 --\t;DROP TABLE bars;";
    await ch.insert({
      table: "notes",
      format: "JSONEachRow",
      values: [
        { id: 1, text: nasty },
        { id: 2, text: "plain" },
      ],
    });
    const echo = await ch.query({
      query: "SELECT {v:String} AS v",
      query_params: { v: nasty },
      format: "JSONEachRow",
    });
    expect(await echo.json()).toEqual([{ v: nasty }]);
    const match = await ch.query({
      query: "SELECT id FROM notes WHERE text = {v:String}",
      query_params: { v: nasty },
      format: "JSONEachRow",
    });
    expect(await match.json()).toEqual([{ id: 1 }]);
    const injection = await ch.query({
      query: "SELECT count() AS n FROM notes WHERE text = {v:String}",
      query_params: { v: "' OR 1=1 --" },
      format: "JSONEachRow",
    });
    expect(await injection.json()).toEqual([{ n: 0 }]);
    const stillThere = await ch.query({ query: "SELECT count() AS n FROM bars", format: "JSONEachRow" });
    expect(await stillThere.json()).toEqual([{ n: 4 }]);
  });

  it("binds large parameter sets sent as a multipart form", async () => {
    const contentTypes: string[] = [];
    const spy = createClient({
      url: server.url,
      password: PASSWORD,
      database: DB,
      use_multipart_params_auto: true,
      fetch: (input, init) => {
        contentTypes.push(new Headers(init?.headers).get("content-type") ?? "");
        return fetch(input, init);
      },
    });
    const symbols = [
      "MSFT",
      ...Array.from({ length: 2000 }, (_, i) => `SYM${String(i).padStart(6, "0")}`),
      "AAPL",
    ];
    const result = await spy.query({
      query:
        "SELECT symbol, count() AS n FROM bars WHERE symbol IN {symbols:Array(String)} GROUP BY symbol ORDER BY symbol",
      query_params: { symbols },
      format: "JSONEachRow",
    });
    expect(await result.json()).toEqual([
      { symbol: "AAPL", n: 3 },
      { symbol: "MSFT", n: 1 },
    ]);
    expect(contentTypes.at(-1)).toMatch(/^multipart\/form-data; boundary=/);

    // Forced multipart with a value that needs escaping.
    const forced = await spy.query({
      query: "SELECT {a:String} AS a, {n:UInt32} + 1 AS n",
      query_params: { a: "x'y\\z\nw", n: 41 },
      format: "JSONEachRow",
      use_multipart_params: true,
    });
    expect(await forced.json()).toEqual([{ a: "x'y\\z\nw", n: 42 }]);
    expect(contentTypes.at(-1)).toMatch(/^multipart\/form-data/);
    await spy.close();
  });

  it("reads RowBinary bytes through exec", async () => {
    const result = await ch.exec({
      query: "SELECT symbol, t, c FROM bars WHERE symbol = {s:String} ORDER BY t FORMAT RowBinary",
      query_params: { s: "AAPL" },
    });
    expect(result.response_headers["content-type"]).toBe("application/octet-stream");
    expect(decodeRowBinary(await bytesOf(result.stream))).toEqual([
      { symbol: "AAPL", t: Date.UTC(2024, 0, 2, 14, 30, 0, 0), c: 1.5 },
      { symbol: "AAPL", t: Date.UTC(2024, 0, 2, 14, 31, 0, 0), c: 2 },
      { symbol: "AAPL", t: Date.UTC(2024, 0, 2, 14, 32, 0, 250), c: 2.5 },
    ]);
  });

  it("sends a result of many engine blocks whole and in order, with its length and row count", async () => {
    // 300,000 rows are several of the engine's blocks, and a RowBinary result is streamed out of the
    // engine block by block: the response must be those pieces, complete and in order.
    const rows = 300_000;
    const binary = await post(undefined, `SELECT number * 3 AS x FROM numbers(${rows}) FORMAT RowBinary`);
    const bytes = Buffer.from(await binary.arrayBuffer());
    expect(binary.headers.get("content-length")).toBe(String(rows * 8));
    expect(bytes.length).toBe(rows * 8);
    let outOfPlace = -1;
    for (let i = 0; i < rows && outOfPlace === -1; i++) {
      if (bytes.readBigUInt64LE(i * 8) !== BigInt(i * 3)) outOfPlace = i;
    }
    expect(outOfPlace).toBe(-1);
    expect(JSON.parse(binary.headers.get("x-clickhouse-summary") ?? "{}")).toMatchObject({
      result_rows: String(rows),
    });
    // A format with a header and a trailer around the rows stays one document across blocks (the
    // engine's streaming API would frame every block on its own).
    const json = await ch.query({
      query: `SELECT toUInt32(number) AS n FROM numbers(${rows})`,
      format: "JSONCompact",
    });
    const doc = await json.json<[number]>();
    expect(doc.rows).toBe(rows);
    expect(doc.data[rows - 1]).toEqual([rows - 1]);
  });

  it("inserts RowBinary bytes sent as the body, including a gzip-compressed one", async () => {
    await ch.command({
      query:
        "CREATE TABLE ticks (symbol String, t DateTime64(3, 'UTC'), c Float64) ENGINE = MergeTree ORDER BY (symbol, t)",
    });
    const rows = [
      { symbol: "ÄÖ\n'x", t: Date.UTC(2024, 5, 1, 0, 0, 0, 1), c: -1.25 },
      { symbol: "B", t: Date.UTC(2024, 5, 1, 0, 0, 0, 2), c: 1e300 },
    ];
    const plain = await post(
      `INSERT INTO ${DB}.ticks FORMAT RowBinary`,
      new Uint8Array(encodeRowBinary(rows)),
    );
    expect(plain.status).toBe(200);
    expect(JSON.parse(plain.headers.get("x-clickhouse-summary") ?? "{}")).toMatchObject({
      written_rows: "2",
    });
    const zipped = await post(
      `INSERT INTO ${DB}.ticks FORMAT RowBinary`,
      gzipSync(encodeRowBinary([{ symbol: "C", t: 3, c: 3 }])),
      {
        "Content-Encoding": "gzip",
      },
    );
    expect(zipped.status).toBe(200);
    const back = await ch.exec({ query: "SELECT symbol, t, c FROM ticks ORDER BY t FORMAT RowBinary" });
    expect(decodeRowBinary(await bytesOf(back.stream))).toEqual([{ symbol: "C", t: 3, c: 3 }, ...rows]);
  });

  it("inserts binary payloads holding the bytes 0a 0a (an empty line to chdb) completely and exactly", async () => {
    await ch.command({
      query:
        "CREATE TABLE ticks_nl (symbol String, t DateTime64(3, 'UTC'), c Float64) ENGINE = MergeTree ORDER BY (symbol, t)",
    });
    // 2023-01-20T11:57Z in ms is 0x185cf0a0ae0: Int64 LE e0 0a 0a cf 85 01 00 00. Passed inline, chdb
    // ended the data at that "empty line" and failed or parsed the rest as SQL.
    const rows = [
      { symbol: "A", t: Date.UTC(2023, 0, 20, 11, 56), c: 1 },
      { symbol: "A", t: Date.UTC(2023, 0, 20, 11, 57), c: 2 },
      { symbol: "A\n", t: 10, c: 3 }, // ends with 0a, the next row starts with 0a (a 1-byte string length)
      { symbol: "\n\nB", t: 11, c: 4 },
    ];
    for (let i = 0; i < 2_000; i++) rows.push({ symbol: "R", t: 1_000_000 + i, c: Math.random() * 1e6 });
    const payload = encodeRowBinary(rows);
    expect(payload.includes("\n\n")).toBe(true);
    const res = await post(
      `INSERT INTO ${DB}.ticks_nl (symbol, t, c) SETTINGS input_format_parallel_parsing = 0 FORMAT RowBinary`,
      new Uint8Array(payload),
    );
    expect(res.status).toBe(200);
    expect(JSON.parse(res.headers.get("x-clickhouse-summary") ?? "{}")).toMatchObject({
      written_rows: String(rows.length),
    });
    const back = await ch.exec({
      query: "SELECT symbol, t, c FROM ticks_nl ORDER BY symbol, t FORMAT RowBinary",
    });
    const sorted = [...rows].sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : a.t - b.t));
    expect(decodeRowBinary(await bytesOf(back.stream))).toEqual(sorted);
    // An INSERT SELECT from input() (with bound parameters) reads the same payload from a file.
    const viaInput = await post(
      `INSERT INTO ${DB}.ticks_nl (symbol, t, c) SELECT concat({prefix:String}, symbol), t, c
        FROM input('symbol String, t DateTime64(3, \\'UTC\\'), c Float64') FORMAT RowBinary`,
      new Uint8Array(payload),
      {},
      "param_prefix=in-",
    );
    expect(viaInput.status).toBe(200);
    // chdb's raw insert silently wrote nothing for input(); a payload without 0a 0a must land too.
    const small = await post(
      `INSERT INTO ${DB}.ticks_nl (symbol, t, c) SELECT symbol, t, c FROM input('symbol String, t DateTime64(3, \\'UTC\\'), c Float64') FORMAT RowBinary`,
      new Uint8Array(encodeRowBinary([{ symbol: "small", t: 5, c: 0.5 }])),
    );
    expect(small.status).toBe(200);
    const copied = await ch.exec({
      query:
        "SELECT substring(symbol, 4), t, c FROM ticks_nl WHERE startsWith(symbol, 'in-') ORDER BY symbol, t FORMAT RowBinary",
    });
    expect(decodeRowBinary(await bytesOf(copied.stream))).toEqual(sorted);
    // A shape that cannot be rewritten (here the query in the body) is refused, never half-written.
    const refused = await post(
      undefined,
      Buffer.concat([Buffer.from(`INSERT INTO ${DB}.ticks_nl FORMAT RowBinary\n`), payload]),
    );
    expect(refused.status).toBe(501);
    expect(await refused.text()).toContain("NOT_IMPLEMENTED");
    const count = await ch.query({ query: "SELECT count() AS n FROM ticks_nl", format: "JSONEachRow" });
    expect((await count.json<{ n: number | string }>()).map((r) => Number(r.n))).toEqual([
      2 * rows.length + 1,
    ]);
  });

  it("accepts CSV and TabSeparated inserts with the format passed through", async () => {
    const csv = await post(`INSERT INTO ${DB}.notes FORMAT CSV`, '10,"csv, with comma"\n11,"second"\n');
    expect(csv.status).toBe(200);
    const tsv = await post(`INSERT INTO ${DB}.notes FORMAT TabSeparated`, "12\ttab\\tinside\n");
    expect(tsv.status).toBe(200);
    const result = await ch.query({
      query: "SELECT id, text FROM notes WHERE id >= 10 ORDER BY id",
      format: "CSV",
    });
    expect(await result.text()).toBe('10,"csv, with comma"\n11,"second"\n12,"tab\tinside"\n');
  });

  it("appends the body to the query parameter, and treats an empty INSERT body as no rows", async () => {
    const joined = await post("SELECT", "1 + 1 AS x FORMAT JSONEachRow");
    expect(await joined.text()).toBe('{"x":2}\n');
    const empty = await post(`INSERT INTO ${DB}.notes FORMAT JSONEachRow`, "");
    expect(empty.status).toBe(200);
    expect(JSON.parse(empty.headers.get("x-clickhouse-summary") ?? "{}")).toMatchObject({
      written_rows: "0",
    });
  });

  it("returns Parquet bytes", async () => {
    const res = await post(undefined, `SELECT symbol, c FROM ${DB}.bars ORDER BY symbol, t FORMAT Parquet`);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get("x-clickhouse-format")).toBe("Parquet");
    expect(bytes.subarray(0, 4).toString()).toBe("PAR1");
    expect(bytes.subarray(-4).toString()).toBe("PAR1");
  });

  it("runs commands: OPTIMIZE FINAL collapses ReplacingMergeTree duplicates", async () => {
    await ch.insert({
      table: "bars",
      format: "JSONEachRow",
      values: [{ symbol: "MSFT", t: "2024-01-02 14:31:00.000", o: 10, h: 12, l: 9, c: 11.75, v: 60 }],
    });
    await ch.command({ query: "OPTIMIZE TABLE bars FINAL" });
    const result = await ch.query({
      query: "SELECT count() AS n, max(c) AS c FROM bars WHERE symbol = 'MSFT'",
      format: "JSONEachRow",
    });
    expect(await result.json()).toEqual([{ n: 1, c: 11.75 }]);
  });

  it("runs background work on a server's 16 threads, not the embedded engine's 2; a DELETE is applied when it answers", async () => {
    const pool = await ch.query({
      query: "SELECT value FROM system.server_settings WHERE name = 'background_pool_size'",
      format: "JSONEachRow",
    });
    expect(await pool.json()).toEqual([{ value: "16" }]);
    // A lightweight DELETE is a mutation of every part: a table of twelve monthly partitions.
    await ch.command({
      query: `CREATE TABLE months (k UInt8, t DateTime) ENGINE = MergeTree PARTITION BY toYYYYMM(t) ORDER BY (k, t)`,
    });
    await ch.command({
      query:
        "INSERT INTO months SELECT number % 3, toDateTime('2024-01-01 00:00:00', 'UTC') + number * 3600 FROM numbers(8760)",
    });
    await ch.command({
      query: "DELETE FROM months WHERE k = 1 AND t < toDateTime('2024-07-01 00:00:00', 'UTC')",
    });
    const left = await ch.query({
      query: "SELECT k, count() AS n FROM months GROUP BY k ORDER BY k",
      format: "JSONEachRow",
    });
    expect(await left.json()).toEqual([
      { k: 0, n: 2920 },
      { k: 1, n: 2920 - 1456 },
      { k: 2, n: 2920 },
    ]);
  });

  it("exec returns the raw response stream", async () => {
    const result = await ch.exec({
      query: "SELECT symbol, count() FROM bars GROUP BY symbol ORDER BY symbol FORMAT TabSeparated",
    });
    expect((await bytesOf(result.stream)).toString()).toBe("AAPL\t3\nMSFT\t1\n");
  });

  it("turns engine errors into ClickHouse errors with the right code and status", async () => {
    await expect(ch.query({ query: "SELECT * FROM no_such_table" })).rejects.toMatchObject({
      code: "60",
      type: "UNKNOWN_TABLE",
    });
    await expect(ch.command({ query: "SELECT 1 +" })).rejects.toMatchObject({
      code: "62",
      type: "SYNTAX_ERROR",
    });
    await expect(ch.query({ query: "SELECT {x:UInt8}", query_params: { x: "abc" } })).rejects.toMatchObject({
      code: "457",
    });
    const res = await post(undefined, "SELECT * FROM no_such_table");
    expect(res.status).toBe(404);
    expect(res.headers.get("x-clickhouse-exception-code")).toBe("60");
    expect(await res.text()).toMatch(/^Code: 60\. DB::Exception: .*no_such_table.*\. \(UNKNOWN_TABLE\)\n$/s);
    // chdb alone would accept a SELECT-less expression; a ClickHouse server does not.
    await expect(ch.command({ query: "1 + 1" })).rejects.toMatchObject({ code: "62" });
    const multi = await post(undefined, "SELECT 1; SELECT 2");
    expect(multi.status).toBe(400);
    expect(await multi.text()).toMatch(/Multi-statements are not allowed.*\(SYNTAX_ERROR\)/);
    // The same for a result read block by block: an error before the first block, and one after
    // blocks were already read, are HTTP errors, never a 200 with part of the rows.
    const unknown = await post(undefined, "SELECT * FROM no_such_table FORMAT RowBinary");
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("x-clickhouse-exception-code")).toBe("60");
    const late = await post(
      undefined,
      "SELECT throwIf(number = 250000, 'late failure') AS x FROM numbers(300000) SETTINGS max_block_size = 10000 FORMAT Native",
    );
    expect(late.status).toBe(500);
    expect(late.headers.get("x-clickhouse-exception-code")).toBe("395");
    expect(await late.text()).toMatch(/late failure/);
  });

  it("passes settings through and ignores the client-only ones", async () => {
    await expect(
      ch.query({
        query: "SELECT number FROM numbers(10)",
        clickhouse_settings: { max_result_rows: "2", result_overflow_mode: "throw", wait_end_of_query: 1 },
      }),
    ).rejects.toMatchObject({ code: "396" });
    await ch.insert({
      table: "bars",
      format: "JSONEachRow",
      values: [{ symbol: "ISO", t: "2024-03-04T05:06:07.089Z", o: 1, h: 1, l: 1, c: 1, v: 1 }],
      clickhouse_settings: { date_time_input_format: "best_effort" },
    });
    const result = await ch.query({
      query: "SELECT t FROM bars WHERE symbol = 'ISO'",
      format: "JSONEachRow",
    });
    expect(await result.json()).toEqual([{ t: "2024-03-04 05:06:07.089" }]);
    await expect(
      ch.query({ query: "SELECT 1", clickhouse_settings: { no_such_setting: 1 } as never }),
    ).rejects.toMatchObject({
      code: "115",
    });
  });

  it("compresses responses when asked to", async () => {
    const encodings: string[] = [];
    const gz = createClient({
      url: server.url,
      password: PASSWORD,
      database: DB,
      compression: { response: true },
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        encodings.push(res.headers.get("content-encoding") ?? "none");
        return res;
      },
    });
    const result = await gz.query({ query: "SELECT count() AS n FROM bars", format: "JSONEachRow" });
    expect(await result.json()).toEqual([{ n: 5 }]);
    // A streamed result of many blocks is compressed as one body.
    const many = await gz.exec({
      query: "SELECT toUInt32(number) FROM numbers(200000) FORMAT RowBinary",
      clickhouse_settings: { enable_http_compression: 1 },
    });
    const numbers = new Uint32Array((await bytesOf(many.stream)).buffer.slice(0));
    expect(numbers.length).toBe(200_000);
    expect(numbers.every((n, i) => n === i)).toBe(true);
    expect(encodings).toEqual(["gzip", "gzip"]);
    await gz.close();
  });

  it("rejects wrong credentials and accepts X-ClickHouse-User/Key", async () => {
    const wrong = createClient({ url: server.url, password: "nope" });
    await expect(wrong.query({ query: "SELECT 1" })).rejects.toMatchObject({
      code: "516",
      type: "AUTHENTICATION_FAILED",
    });
    await wrong.close();
    const ok = await fetch(`${server.url}/?query=SELECT%2042`, {
      headers: { "X-ClickHouse-User": "default", "X-ClickHouse-Key": PASSWORD },
    });
    expect(await ok.text()).toBe("42\n");
    const bad = await fetch(`${server.url}/?query=SELECT%2042`, {
      headers: { "X-ClickHouse-User": "default", "X-ClickHouse-Key": "wrong" },
    });
    expect(bad.status).toBe(403);
    expect(bad.headers.get("x-clickhouse-exception-code")).toBe("516");
  });

  it("runs GET requests read-only, like ClickHouse", async () => {
    const res = await fetch(`${server.url}/?query=${encodeURIComponent(`DROP TABLE ${DB}.bars`)}`, {
      headers: { Authorization: `Basic ${btoa(`default:${PASSWORD}`)}` },
    });
    expect(res.headers.get("x-clickhouse-exception-code")).toBe("164");
  });

  it("keeps temporary tables and settings within a session only", async () => {
    const a = createClient({ url: server.url, password: PASSWORD, session_id: "session-a" });
    const b = createClient({ url: server.url, password: PASSWORD, session_id: "session-b" });
    await a.command({ query: "CREATE TEMPORARY TABLE scratch (x UInt8)" });
    await a.command({ query: "INSERT INTO scratch VALUES (7)" });
    const seen = await a.query({ query: "SELECT x FROM scratch", format: "JSONEachRow" });
    expect(await seen.json()).toEqual([{ x: 7 }]);
    await expect(b.query({ query: "SELECT x FROM scratch" })).rejects.toMatchObject({ code: "60" });
    await Promise.all([a.close(), b.close()]);
  });

  it("refuses bodies over the limit", async () => {
    const small = await startClickHouseServer({ dataDir, password: PASSWORD, maxBodyBytes: 1024 });
    try {
      const res = await fetch(
        `${small.url}/?query=${encodeURIComponent(`INSERT INTO ${DB}.notes FORMAT TabSeparated`)}`,
        {
          method: "POST",
          body: "1\tx\n".repeat(1000),
          headers: { Authorization: `Basic ${btoa(`default:${PASSWORD}`)}` },
        },
      );
      expect(res.status).toBe(413);
      expect(await res.text()).toMatch(/^Code: 229\. .*1024 bytes.*\(QUERY_IS_TOO_LARGE\)/);
    } finally {
      await small.close();
    }
  });

  it("runs requests in parallel and keeps answering /ping during a long query", async () => {
    const started = performance.now();
    const slow = () =>
      ch
        .query({ query: "SELECT sleepEachRow(0.25) FROM numbers(4)", format: "JSONEachRow" })
        .then((r) => r.json());
    const both = Promise.all([slow(), slow()]);
    await new Promise((r) => setTimeout(r, 200));
    const pingStarted = performance.now();
    const ping = await fetch(`${server.url}/ping`);
    const pingMs = performance.now() - pingStarted;
    const [first, second] = await both;
    const total = performance.now() - started;
    expect(await ping.text()).toBe("Ok.\n");
    expect(first).toHaveLength(4);
    expect(second).toHaveLength(4);
    // One query takes ~1 s; run one after the other they would need ~2 s.
    expect(total).toBeLessThan(1800);
    expect(pingMs).toBeLessThan(250);
  });

  it("keeps the data after close and restart on the same directory", async () => {
    await server.close();
    server = await startClickHouseServer({ dataDir, password: PASSWORD });
    const again = createClient({ url: server.url, password: PASSWORD, database: DB });
    const result = await again.query({ query: "SELECT count() AS n FROM bars", format: "JSONEachRow" });
    expect(await result.json()).toEqual([{ n: 5 }]);
    await again.close();
  });
});

describe("main.ts as a child process", () => {
  const main = fileURLToPath(new URL("./main.ts", import.meta.url));

  function spawnMain(dir: string): Promise<{ child: ChildProcess; url: string; lines: string[] }> {
    const child = spawn(
      process.execPath,
      ["--experimental-strip-types", "--no-warnings", main, "--data-dir", dir, "--port", "0"],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const lines: string[] = [];
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => lines.push(line));
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    return new Promise((resolve, reject) => {
      const timer = setInterval(() => {
        if (lines.length > 0) {
          clearInterval(timer);
          resolve({ child, url: (JSON.parse(lines[0] as string) as { url: string }).url, lines });
        }
      }, 20);
      child.once("exit", (code) => {
        clearInterval(timer);
        reject(new Error(`main.ts exited with ${code}: ${stderr}`));
      });
    });
  }

  function stop(child: ChildProcess): Promise<number | null> {
    return new Promise((resolve) => {
      child.once("exit", (code) => resolve(code));
      child.kill("SIGTERM");
    });
  }

  it("prints one ready line, exits cleanly on SIGTERM, and the data survives a new process", async () => {
    const dir = await mkdtemp(join(tmpdir(), "chdb-http-main-"));
    try {
      const first = await spawnMain(dir);
      expect(first.lines).toEqual([JSON.stringify({ ready: true, url: first.url })]);
      expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const c1 = createClient({ url: first.url });
      await c1.command({ query: "CREATE TABLE kept (id UInt32, s String) ENGINE = MergeTree ORDER BY id" });
      await c1.insert({
        table: "kept",
        format: "JSONEachRow",
        values: [
          { id: 1, s: "one" },
          { id: 2, s: "two" },
        ],
      });
      expect(await stop(first.child)).toBe(0);
      expect(first.lines).toHaveLength(1);

      const second = await spawnMain(dir);
      const c2 = createClient({ url: second.url });
      const result = await c2.query({ query: "SELECT id, s FROM kept ORDER BY id", format: "JSONEachRow" });
      expect(await result.json()).toEqual([
        { id: 1, s: "one" },
        { id: 2, s: "two" },
      ]);
      expect(await stop(second.child)).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
