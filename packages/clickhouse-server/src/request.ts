/**
 * Reading a ClickHouse HTTP request: credentials, URL parameters (query, settings, `param_*` values,
 * session controls) and the body, with the same precedence rules as ClickHouse's HTTPHandler.
 */
import { timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import * as zlib from "node:zlib";
import { httpError } from "./errors.ts";

export interface Credentials {
  username: string;
  password: string;
}

/**
 * Checks the caller against the one configured user. Like ClickHouse: `X-ClickHouse-User`/`-Key`
 * headers, or `Authorization: Basic`, or `user`/`password` URL parameters, never two of them at once;
 * nothing at all means user `default` with an empty password.
 */
export function authenticate(
  headers: IncomingHttpHeaders,
  params: URLSearchParams,
  expected: Credentials,
): void {
  const headerUser = single(headers["x-clickhouse-user"]);
  const headerKey = single(headers["x-clickhouse-key"]);
  const authorization = single(headers.authorization);
  const inParams = params.has("user") || params.has("password");
  let given: Credentials;
  if (headerUser !== undefined || headerKey !== undefined) {
    if (authorization !== undefined || inParams) {
      throw httpError(
        "AUTHENTICATION_FAILED",
        "Invalid authentication: it is not allowed to mix X-ClickHouse-User/Key headers with other credentials",
      );
    }
    given = { username: headerUser ?? "default", password: headerKey ?? "" };
  } else if (authorization !== undefined) {
    if (inParams) {
      throw httpError(
        "AUTHENTICATION_FAILED",
        "Invalid authentication: it is not allowed to use Authorization HTTP header and authentication via parameters simultaneously",
      );
    }
    const [scheme = "", token = ""] = authorization.split(/\s+/, 2);
    if (scheme.toLowerCase() !== "basic") {
      throw httpError(
        "AUTHENTICATION_FAILED",
        `Invalid authentication: '${scheme}' HTTP Authorization scheme is not supported`,
      );
    }
    const decoded = Buffer.from(token, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    given =
      colon === -1
        ? { username: decoded, password: "" }
        : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  } else {
    given = { username: params.get("user") ?? "default", password: params.get("password") ?? "" };
  }
  if (given.username !== expected.username || !sameSecret(given.password, expected.password)) {
    throw httpError(
      "AUTHENTICATION_FAILED",
      `${given.username}: Authentication failed: password is incorrect, or there is no user with such name`,
    );
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** What the URL (and a few headers) ask for, sorted the way ClickHouse's HTTPHandler sorts it. */
export interface QueryOptions {
  /** The `query` URL parameter; the body is appended to it (as data, for an INSERT). */
  query: string | undefined;
  queryId: string | undefined;
  database: string | undefined;
  defaultFormat: string;
  sessionId: string | undefined;
  sessionTimeoutSeconds: number | undefined;
  sessionCheck: boolean;
  closeSession: boolean;
  /** `enable_http_compression=1`: compress the response if the client accepts it. */
  compressResponse: boolean;
  /** Everything else: ClickHouse settings, applied with SET on the request's connection. */
  settings: Map<string, string>;
  /** `param_<name>` values, in ClickHouse's parameter text form (the client has escaped them). */
  params: Map<string, string>;
}

/**
 * Parameters that are HTTP-level in ClickHouse and never reach the settings (HTTPHandler's
 * reserved_param_names), plus `role`, which the server has nothing to map to.
 * `wait_end_of_query` matters most: clients send it, and chdb rejects it as an unknown setting.
 * Responses here are always fully buffered, which is what `wait_end_of_query=1` asks for anyway.
 */
const RESERVED = new Set([
  "compress",
  "decompress",
  "user",
  "password",
  "quota_key",
  "query_id",
  "stacktrace",
  "buffer_size",
  "wait_end_of_query",
  "session_id",
  "session_timeout",
  "session_check",
  "client_protocol_version",
  "close_session",
  "role",
]);

/**
 * With a multipart body ClickHouse also drops URL parameters ending in these suffixes, meant for
 * external-table options — which catches `date_time_input_format` too (an upstream quirk, kept so the
 * stand-in fails the same way production does).
 */
const MULTIPART_SKIPPED_SUFFIXES = ["_format", "_types", "_structure"];

export function readOptions(url: URL, headers: IncomingHttpHeaders, multipart: boolean): QueryOptions {
  const p = url.searchParams;
  const options: QueryOptions = {
    query: p.get("query") || undefined,
    queryId: p.get("query_id") ?? single(headers["x-clickhouse-query-id"]),
    database: single(headers["x-clickhouse-database"]) || (p.get("database") ?? undefined),
    defaultFormat: single(headers["x-clickhouse-format"]) || p.get("default_format") || "TabSeparated",
    sessionId: p.get("session_id") || undefined,
    sessionTimeoutSeconds: undefined,
    sessionCheck: p.get("session_check") === "1",
    closeSession: p.get("close_session") === "1",
    compressResponse: p.get("enable_http_compression") === "1",
    settings: new Map(),
    params: new Map(),
  };
  if (p.get("compress") === "1" || p.get("decompress") === "1") {
    throw httpError(
      "NOT_IMPLEMENTED",
      "ClickHouse's native block compression (compress/decompress=1) is not supported by this server; use HTTP compression",
    );
  }
  const timeout = p.get("session_timeout");
  if (timeout !== null) {
    const seconds = /^\d+$/.test(timeout) ? Number(timeout) : Number.NaN;
    if (!(seconds <= 3600))
      throw httpError("INVALID_SESSION_TIMEOUT", `Invalid session timeout: '${timeout}'`);
    options.sessionTimeoutSeconds = seconds;
  }
  for (const [key, value] of p) {
    if (key === "" || key === "query" || key === "database" || key === "default_format" || RESERVED.has(key))
      continue;
    if (key === "enable_http_compression" || key === "http_zlib_compression_level") continue;
    if (multipart && MULTIPART_SKIPPED_SUFFIXES.some((suffix) => key.endsWith(suffix))) continue;
    if (key.startsWith("param_")) {
      // ClickHouse keeps the first value of a repeated parameter.
      const name = key.slice("param_".length);
      if (!options.params.has(name)) options.params.set(name, value);
    } else {
      options.settings.set(key, value);
    }
  }
  return options;
}

const decoders: Record<string, (() => zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress) | undefined> = {
  gzip: () => zlib.createGunzip(),
  "x-gzip": () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};

/**
 * The whole request body, decompressed per `Content-Encoding`, refused once it passes `limit` bytes
 * (compressed or not). Bodies are buffered rather than streamed because the engine takes an INSERT
 * payload as one Buffer (handed over without a copy); tens of MB are fine, the limit stops the rest.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () =>
    httpError("QUERY_IS_TOO_LARGE", `Request body is larger than the server's limit of ${limit} bytes`);
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  if (declared > limit) throw tooLarge();
  const encoding = (single(req.headers["content-encoding"]) ?? "").trim().toLowerCase();
  let source: Readable = req;
  if (encoding !== "" && encoding !== "identity") {
    const makeDecoder = decoders[encoding];
    if (!makeDecoder) throw httpError("BAD_ARGUMENTS", `Unsupported Content-Encoding: ${encoding}`);
    const decoder = makeDecoder();
    req.on("error", (error) => decoder.destroy(error));
    source = req.pipe(decoder);
  }
  // With a known length and no encoding, fill one buffer rather than concatenating chunks at the end,
  // which would briefly hold the payload twice. (Node's parser never delivers more than Content-Length.)
  const exact = source === req && Number.isSafeInteger(declared) ? Buffer.allocUnsafe(declared) : undefined;
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (total + chunk.length > limit) throw tooLarge();
      if (exact) chunk.copy(exact, total);
      else chunks.push(chunk);
      total += chunk.length;
    }
  } catch (error) {
    if (source !== req && !(error instanceof Error && error.name === "ClickHouseError")) {
      throw httpError(
        "CANNOT_DECOMPRESS",
        `Cannot decompress the request body (${encoding}): ${(error as Error).message}`,
      );
    }
    throw error;
  }
  if (exact) return exact.subarray(0, total);
  return chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, total);
}
