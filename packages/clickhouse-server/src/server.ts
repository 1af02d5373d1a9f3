/**
 * A stand-in for ClickHouse's HTTP interface, backed by the embedded chdb engine: the part of the
 * protocol `@clickhouse/client-web` uses (queries, inserts in any format, settings, `param_*` values in
 * the URL or a multipart form, sessions, Basic and X-ClickHouse-* auth, gzip both ways, ClickHouse
 * error bodies and headers), against a persistent data directory.
 *
 * Each request gets its own engine connection (see engine.ts: ~0.5 ms to open, and connections run in
 * parallel), so a long query never holds up other requests and the event loop keeps serving /ping.
 *
 * @example
 * const ch = await startClickHouseServer({ dataDir: ".data/clickhouse" });
 * const client = createClient({ url: ch.url });
 * await ch.close();
 */
import { randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { promisify } from "node:util";
import * as zlib from "node:zlib";
import { type Engine, openEngine } from "./engine.ts";
import { type ClickHouseError, fromEngineError, httpError } from "./errors.ts";
import { buildPlan, type Outcome, type Plan, runPlan } from "./execute.ts";
import { contentTypeFor } from "./formats.ts";
import { multipartBoundary, parseMultipart } from "./multipart.ts";
import { authenticate, type Credentials, type QueryOptions, readBody, readOptions } from "./request.ts";
import { createSessions, type Sessions } from "./sessions.ts";

export interface ClickHouseServerOptions {
  /** Persistent data directory (created if missing). One per process: libchdb binds a single one. */
  dataDir: string;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Port; default 0, a free port chosen by the OS. */
  port?: number;
  /** The only user; default "default". */
  username?: string;
  /** Its password; default "". */
  password?: string;
  /** Receives one line per request (method, status, format, time, rows or error). */
  log?: (line: string) => void;
  /** Largest accepted request body, after decompression; default 512 MiB. */
  maxBodyBytes?: number;
}

export interface ClickHouseServer {
  /** Base URL, e.g. http://127.0.0.1:8123 */
  url: string;
  port: number;
  /** Stops accepting requests, lets running ones finish, then closes the engine. */
  close(): Promise<void>;
}

interface Context {
  engine: Engine;
  sessions: Sessions;
  credentials: Credentials;
  maxBodyBytes: number;
  timezone: string;
  log: (line: string) => void;
}

const EMPTY = Buffer.alloc(0);

/**
 * Settings where the embedded engine (clickhouse-local) defaults differ from a ClickHouse server, reset
 * to the server's values:
 * - so queries that production would refuse fail here too: without `implicit_select=0`, `SELECT`-less
 *   queries such as `1 + 1` would be accepted;
 * - so background work keeps a server's pace: the embedded engine runs merges and mutations on 2
 *   threads, the server on 16. A lightweight `DELETE` is a mutation of every part of the table, and
 *   with 2 threads one took 2.4–3.7 s on a 23-part table (~7 s on the dev stack's 47-part `ohlcv`);
 *   with 16, 70–85 ms.
 */
const SERVER_DEFAULTS = [
  "--implicit_select=0",
  "--allow_introspection_functions=0",
  "--background_pool_size=16",
];

export async function startClickHouseServer(options: ClickHouseServerOptions): Promise<ClickHouseServer> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const engine = openEngine(dataDir, SERVER_DEFAULTS);
  let timezone: string;
  try {
    timezone = await probeTimezone(engine);
  } catch (error) {
    await engine.close();
    throw error;
  }
  const context: Context = {
    engine,
    sessions: createSessions(engine),
    credentials: { username: options.username ?? "default", password: options.password ?? "" },
    maxBodyBytes: options.maxBodyBytes ?? 512 * 1024 * 1024,
    timezone,
    log: options.log ?? (() => {}),
  };
  const running = new Set<Promise<void>>();
  // Real ClickHouse accepts URLs up to 1 MiB (http_max_uri_size), and client-web puts every query
  // parameter into the URL unless told otherwise, so Node's 16 KiB header limit would be too tight.
  const server = createServer({ maxHeaderSize: 1024 * 1024 }, (req, res) => {
    const done = handle(req, res, context);
    running.add(done);
    void done.finally(() => running.delete(done));
  });
  // Idle keep-alive sockets are left for the client to retire (undici does after 4 s). When the server
  // closes them instead, a client that picks such a socket just as it closes gets EPIPE on its next
  // POST (seen here with a 10 s timeout and a client busy encoding a large insert); 0 means no timeout
  // and no `Keep-Alive: timeout` hint. close() still ends idle sockets on shutdown.
  server.keepAliveTimeout = 0;
  try {
    await new Promise<void>((resolveListen, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
        server.off("error", reject);
        resolveListen();
      });
    });
  } catch (error) {
    await engine.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? "127.0.0.1";
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((done) => server.close(() => done()));
        server.closeIdleConnections();
        while (running.size > 0) await Promise.allSettled([...running]);
        server.closeAllConnections();
        await stopped;
        context.sessions.closeAll();
        await engine.close();
      })();
      return closing;
    },
  };
}

/** The engine's time zone, for X-ClickHouse-Timezone; also proves the engine answers before "ready". */
async function probeTimezone(engine: Engine): Promise<string> {
  const connection = engine.connect();
  try {
    return (await connection.query("SELECT timezone()", "TabSeparated")).bytes.toString("utf8").trim();
  } finally {
    connection.close();
  }
}

async function handle(req: IncomingMessage, res: ServerResponse, context: Context): Promise<void> {
  const started = performance.now();
  let queryId: string | undefined;
  let plan: Plan | undefined;
  let bodyRead = req.method !== "POST";
  try {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (
      url.pathname === "/ping" ||
      url.pathname === "/replicas_status" ||
      (url.pathname === "/" && req.method !== "POST" && !url.searchParams.has("query"))
    ) {
      res.writeHead(200, { "Content-Type": "text/plain; charset=UTF-8" }).end("Ok.\n");
      return;
    }
    if (url.pathname !== "/") {
      res
        .writeHead(404, { "Content-Type": "text/plain; charset=UTF-8" })
        .end(`There is no handle ${url.pathname}\n\nUse / or /ping for health checks.\n`);
      return;
    }
    // HEAD is a GET whose body Node leaves out.
    const method = req.method === "HEAD" ? "GET" : req.method;
    if (method !== "GET" && method !== "POST") {
      throw httpError("UNSUPPORTED_METHOD", `HTTP method ${req.method} is not supported; use GET or POST`);
    }
    authenticate(req.headers, url.searchParams, context.credentials);
    const boundary = multipartBoundary(req.headers["content-type"]);
    const options = readOptions(url, req.headers, boundary !== undefined);
    queryId = options.queryId || randomUUID();
    let body = method === "POST" ? await readBody(req, context.maxBodyBytes) : EMPTY;
    bodyRead = true;
    let query = options.query;
    if (boundary !== undefined) {
      query = readForm(body, boundary, options);
      body = EMPTY;
    }
    const session = options.sessionId;
    // GET runs read-only, as in ClickHouse; not applied to sessions, where SET would outlive the request.
    plan = buildPlan(options, query, body, method === "GET" && session === undefined);
    const runnable = plan;
    const outcome =
      session === undefined
        ? await runOnce(context.engine, runnable)
        : await context.sessions.run(
            {
              id: session,
              timeoutSeconds: options.sessionTimeoutSeconds,
              check: options.sessionCheck,
              close: options.closeSession,
            },
            (connection) => runPlan(connection, runnable),
          );
    await sendResult(req, res, { context, options, plan, outcome, queryId });
    context.log(
      `${req.method} 200 ${plan.kind === "insert" ? "insert" : plan.format} ${elapsed(started)} ${outcome.rows} rows  ${preview(plan)}`,
    );
  } catch (thrown) {
    const error = fromEngineError(thrown);
    sendError(res, error, queryId, !bodyRead);
    context.log(
      `${req.method} ${error.status} ${elapsed(started)} Code: ${error.code} ${error.type}: ${firstLine(error.message)}${plan ? `  ${preview(plan)}` : ""}`,
    );
  }
}

async function runOnce(engine: Engine, plan: Plan): Promise<Outcome> {
  const connection = engine.connect();
  try {
    return await runPlan(connection, plan);
  } finally {
    connection.close();
  }
}

/**
 * A multipart body carries the query (appended to any `query` URL parameter) and `param_*` values;
 * URL values win over form values, as in ClickHouse. Other fields are ignored; files would be
 * ClickHouse "external data", which this server does not implement.
 */
function readForm(body: Buffer, boundary: string, options: QueryOptions): string | undefined {
  let fields: ReturnType<typeof parseMultipart>;
  try {
    fields = parseMultipart(body, boundary);
  } catch (error) {
    throw httpError("BAD_ARGUMENTS", `Cannot read the multipart/form-data body: ${(error as Error).message}`);
  }
  let query = options.query;
  for (const field of fields) {
    if (field.filename !== undefined) {
      throw httpError(
        "NOT_IMPLEMENTED",
        `External data (file part '${field.name}') is not supported by this server`,
      );
    }
    if (field.name === "query") {
      query = (query ?? "") + field.value.toString("utf8");
    } else if (field.name.startsWith("param_")) {
      const name = field.name.slice("param_".length);
      if (!options.params.has(name)) options.params.set(name, field.value.toString("utf8"));
    }
  }
  return query;
}

const compressors = {
  gzip: promisify(zlib.gzip),
  deflate: promisify(zlib.deflate),
  br: promisify(zlib.brotliCompress),
};

/** The first encoding in our order of preference that the client lists (and has not refused with q=0). */
function chooseEncoding(acceptEncoding: string | undefined): keyof typeof compressors | undefined {
  if (!acceptEncoding) return undefined;
  const accepted = new Set(
    acceptEncoding
      .split(",")
      .map((part) => part.trim().toLowerCase())
      .filter((part) => !/;\s*q=0(\.0*)?$/.test(part))
      .map((part) => part.split(";")[0]?.trim()),
  );
  return (["gzip", "deflate", "br"] as const).find((encoding) => accepted.has(encoding));
}

async function sendResult(
  req: IncomingMessage,
  res: ServerResponse,
  result: { context: Context; options: QueryOptions; plan: Plan; outcome: Outcome; queryId: string },
): Promise<void> {
  const { plan, outcome, options } = result;
  const headers: Record<string, string> = {
    "Content-Type": contentTypeFor(plan.format),
    "X-ClickHouse-Server-Display-Name": "chdb",
    "X-ClickHouse-Query-Id": result.queryId,
    "X-ClickHouse-Format": plan.format,
    "X-ClickHouse-Timezone": result.context.timezone,
    "X-ClickHouse-Summary": JSON.stringify(outcome.summary),
  };
  const encoding = options.compressResponse ? chooseEncoding(req.headers["accept-encoding"]) : undefined;
  if (encoding !== undefined) {
    const level = Number(
      new URL(req.url ?? "/", "http://localhost").searchParams.get("http_zlib_compression_level") ?? 3,
    );
    const whole = Buffer.concat(outcome.chunks, outcome.byteLength);
    const payload =
      encoding === "br"
        ? await compressors.br(whole)
        : await compressors[encoding](whole, { level: Math.min(Math.max(level, 1), 9) });
    headers["Content-Encoding"] = encoding;
    headers["Content-Length"] = String(payload.length);
    res.writeHead(200, headers).end(payload);
    return;
  }
  // The whole result is known before the first byte goes out (what `wait_end_of_query=1` asks for),
  // so it has a Content-Length; its pieces are written as they are, without joining them first.
  headers["Content-Length"] = String(outcome.byteLength);
  res.writeHead(200, headers);
  for (const chunk of outcome.chunks) res.write(chunk);
  res.end();
}

function sendError(
  res: ServerResponse,
  error: ClickHouseError,
  queryId: string | undefined,
  bodyUnread: boolean,
): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = {
    "Content-Type": "text/plain; charset=UTF-8",
    "X-ClickHouse-Server-Display-Name": "chdb",
    "X-ClickHouse-Exception-Code": String(error.code),
  };
  if (queryId !== undefined) headers["X-ClickHouse-Query-Id"] = queryId;
  // An unread (possibly huge) body would otherwise have to be drained before the socket is reusable.
  if (bodyUnread) headers.Connection = "close";
  const body = Buffer.from(error.body);
  headers["Content-Length"] = String(body.length);
  res.writeHead(error.status, headers).end(body);
}

function elapsed(started: number): string {
  return `${Math.round(performance.now() - started)}ms`;
}

function preview(plan: Plan): string {
  const text = plan.sql === "" ? plan.data.subarray(0, 200).toString("utf8") : plan.sql;
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 100 ? `${flat.slice(0, 97)}...` : flat;
}

function firstLine(text: string): string {
  const line = text.split("\n", 1)[0] ?? "";
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
