/**
 * ClickHouse-shaped errors: `Code: N. DB::Exception: <message>. (TYPE_NAME)` bodies, the
 * `X-ClickHouse-Exception-Code` header, and the HTTP status ClickHouse picks for each error type
 * (src/Server/HTTP/exceptionCodeToHTTPStatus.cpp upstream).
 */

export class ClickHouseError extends Error {
  readonly code: number;
  readonly type: string;

  constructor(code: number, type: string, message: string) {
    super(message);
    this.name = "ClickHouseError";
    this.code = code;
    this.type = type;
  }

  /** The response body, exactly as a ClickHouse server writes it (without the version suffix). */
  get body(): string {
    const text = this.message.endsWith(".") ? this.message : `${this.message}.`;
    return `Code: ${this.code}. DB::Exception: ${text} (${this.type})\n`;
  }

  get status(): number {
    return STATUS_BY_TYPE.get(this.type) ?? 500;
  }
}

/** Codes for the errors the HTTP layer raises itself (values checked with chdb's errorCodeToName). */
export const Codes = {
  UNSUPPORTED_METHOD: [1, "UNSUPPORTED_METHOD"],
  BAD_ARGUMENTS: [36, "BAD_ARGUMENTS"],
  NOT_IMPLEMENTED: [48, "NOT_IMPLEMENTED"],
  SYNTAX_ERROR: [62, "SYNTAX_ERROR"],
  QUERY_IS_TOO_LARGE: [229, "QUERY_IS_TOO_LARGE"],
  CANNOT_DECOMPRESS: [271, "CANNOT_DECOMPRESS"],
  SESSION_NOT_FOUND: [372, "SESSION_NOT_FOUND"],
  INVALID_SESSION_TIMEOUT: [374, "INVALID_SESSION_TIMEOUT"],
  AUTHENTICATION_FAILED: [516, "AUTHENTICATION_FAILED"],
  STD_EXCEPTION: [1001, "STD_EXCEPTION"],
} as const satisfies Record<string, readonly [number, string]>;

export function httpError(which: keyof typeof Codes, message: string): ClickHouseError {
  const [code, type] = Codes[which];
  return new ClickHouseError(code, type, message);
}

const HEAD = /^Code: (\d+)\. (?:DB::Exception: )?/;
const TYPE = /\(([A-Z][A-Z0-9_]*)\)(?: \(version [^)]*\))?\.?\s*$/;

/**
 * Turns whatever the engine threw into a ClickHouseError. chdb messages already have the ClickHouse
 * shape, sometimes nested ("Code: 73. DB::Exception: Code: 73. DB::Exception: ... (UNKNOWN_FORMAT)
 * (version ...). (UNKNOWN_FORMAT)"), so the innermost message is kept and the rest dropped.
 */
export function fromEngineError(error: unknown): ClickHouseError {
  if (error instanceof ClickHouseError) return error;
  const raw = error instanceof Error ? error.message : String(error);
  const head = HEAD.exec(raw);
  const type = TYPE.exec(raw)?.[1];
  if (!head || !type) return httpError("STD_EXCEPTION", raw.trim() || "unknown engine error");
  const code = Number(head[1]);
  let message = raw;
  let prefix = HEAD.exec(message);
  while (prefix && Number(prefix[1]) === code) {
    message = message.slice(prefix[0].length);
    prefix = HEAD.exec(message);
  }
  const end = message.indexOf(`(${type})`);
  if (end !== -1) message = message.slice(0, end);
  return new ClickHouseError(code, type, message.trim().replace(/\.$/, ""));
}

const STATUS_GROUPS: Array<[number, string[]]> = [
  [401, ["REQUIRED_PASSWORD"]],
  [403, ["UNKNOWN_USER", "WRONG_PASSWORD", "AUTHENTICATION_FAILED", "SET_NON_GRANTED_ROLE", "ACCESS_DENIED"]],
  [
    400,
    [
      "BAD_ARGUMENTS",
      "CANNOT_COMPILE_REGEXP",
      "CANNOT_PARSE_TEXT",
      "CANNOT_PARSE_ESCAPE_SEQUENCE",
      "CANNOT_PARSE_QUOTED_STRING",
      "CANNOT_PARSE_DATE",
      "CANNOT_PARSE_DATETIME",
      "CANNOT_PARSE_NUMBER",
      "CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING",
      "CANNOT_PARSE_IPV4",
      "CANNOT_PARSE_IPV6",
      "CANNOT_PARSE_INPUT_ASSERTION_FAILED",
      "CANNOT_PARSE_UUID",
      "DUPLICATE_COLUMN",
      "ILLEGAL_COLUMN",
      "UNKNOWN_ELEMENT_IN_AST",
      "UNKNOWN_TYPE_OF_AST_NODE",
      "THERE_IS_NO_COLUMN",
      "TOO_DEEP_AST",
      "TOO_BIG_AST",
      "UNEXPECTED_AST_STRUCTURE",
      "SYNTAX_ERROR",
      "INCORRECT_DATA",
      "TYPE_MISMATCH",
      "VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE",
    ],
  ],
  [
    404,
    [
      "UNKNOWN_TABLE",
      "UNKNOWN_FUNCTION",
      "UNKNOWN_IDENTIFIER",
      "UNKNOWN_TYPE",
      "UNKNOWN_STORAGE",
      "UNKNOWN_DATABASE",
      "UNKNOWN_SETTING",
      "UNKNOWN_DIRECTION_OF_SORTING",
      "UNKNOWN_AGGREGATE_FUNCTION",
      "UNKNOWN_FORMAT",
      "UNKNOWN_DATABASE_ENGINE",
      "UNKNOWN_TYPE_OF_QUERY",
      "UNKNOWN_ROLE",
    ],
  ],
  [413, ["QUERY_IS_TOO_LARGE"]],
  [501, ["NOT_IMPLEMENTED"]],
  [503, ["SOCKET_TIMEOUT", "CANNOT_OPEN_FILE", "CANNOT_SCHEDULE_TASK"]],
  [411, ["HTTP_LENGTH_REQUIRED"]],
  [408, ["TIMEOUT_EXCEEDED"]],
  [415, ["UNSUPPORTED_MEDIA_TYPE"]],
];

const STATUS_BY_TYPE = new Map(
  STATUS_GROUPS.flatMap(([status, types]) => types.map((t) => [t, status] as const)),
);
