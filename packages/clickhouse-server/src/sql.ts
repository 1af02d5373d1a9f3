/**
 * Just enough SQL lexing for the HTTP layer: which statement is this, does the text hold a second
 * statement, and which output format does it ask for. The engine parses the SQL for real; these only
 * steer request handling, and every ambiguous case falls through to the engine.
 */

/** Index of the first character at or after `i` that is not whitespace or inside a comment. */
function skipTrivia(sql: string, i: number): number {
  while (i < sql.length) {
    const c = sql[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v") {
      i++;
    } else if (c === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? sql.length : end + 1;
    } else if (c === "/" && sql[i + 1] === "*") {
      // ClickHouse comments nest.
      let depth = 0;
      while (i < sql.length) {
        if (sql[i] === "/" && sql[i + 1] === "*") {
          depth++;
          i += 2;
        } else if (sql[i] === "*" && sql[i + 1] === "/") {
          depth--;
          i += 2;
          if (depth === 0) break;
        } else {
          i++;
        }
      }
    } else {
      break;
    }
  }
  return i;
}

/** The first keyword, upper-cased (`SELECT`, `INSERT`, ...), or "" for an empty query. */
export function leadingKeyword(sql: string): string {
  const start = skipTrivia(sql, 0);
  const match = /^[A-Za-z]+/.exec(sql.slice(start, start + 32));
  return match ? match[0].toUpperCase() : "";
}

/** True when the text holds nothing but whitespace and comments. */
export function isBlank(sql: string): boolean {
  return skipTrivia(sql, 0) >= sql.length;
}

/**
 * Position of a second statement after a top-level `;`, or -1. ClickHouse's HTTP interface refuses
 * multi-statements while chdb runs them, so the server checks to keep the stand-in as strict as
 * production. Quotes, backquotes and comments are skipped so a `;` inside them does not count.
 */
export function secondStatementAt(sql: string): number {
  let i = 0;
  while (i < sql.length) {
    i = skipTrivia(sql, i);
    const c = sql[i];
    if (c === "'" || c === '"' || c === "`") {
      i = skipQuoted(sql, i);
    } else if (c === ";") {
      const next = skipTrivia(sql, i + 1);
      if (next < sql.length) return next;
      i = next;
    } else {
      i++;
    }
  }
  return -1;
}

/** Index just past the quoted token starting at `start` (backslash escapes and doubled quotes). */
function skipQuoted(sql: string, start: number): number {
  const quote = sql[start];
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (c === "\\") {
      i += 2;
    } else if (c === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  return i;
}

/**
 * The format named by a trailing `FORMAT X` clause (optionally followed by SETTINGS), if any. Only
 * used for the X-ClickHouse-Format and Content-Type headers; the engine applies the clause itself.
 */
export function trailingFormat(sql: string): string | undefined {
  return /\bFORMAT\s+([A-Za-z][A-Za-z0-9_]*)(?:\s+SETTINGS\s[^;]*)?\s*;?\s*$/i.exec(sql)?.[1];
}

/**
 * A single-quoted ClickHouse string literal holding exactly `value`. Only `\` and `'` can end or
 * alter a literal; NUL is escaped as well so the SQL text never carries a raw zero byte.
 */
export function quoteString(value: string): string {
  return `'${value.replace(/[\\']/g, "\\$&").replace(/\0/g, "\\0")}'`;
}

/** A backquoted identifier holding exactly `name`. */
export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/[\\`]/g, "\\$&").replace(/\0/g, "\\0")}\``;
}

/** Setting and query-parameter names that may appear unquoted in a SET statement. */
export const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const IDENTIFIER = String.raw`(?:\`(?:[^\`\\]|\\.)*\`|"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_]*)`;
/** `INSERT INTO [TABLE] [db.]t [(columns)]` | `[SETTINGS ...] FORMAT Name`: the shape inserts come in. */
const FORMATTED_INSERT = new RegExp(
  String.raw`^(\s*INSERT\s+INTO\s+(?:TABLE\s+)?${IDENTIFIER}(?:\s*\.\s*${IDENTIFIER})?(?:\s*\([^()]*\))?)` +
    String.raw`(\s+(?:SETTINGS\s[\s\S]*?\s)?FORMAT\s+[A-Za-z][A-Za-z0-9_]*\s*)$`,
  "i",
);

/**
 * `INSERT INTO t (cols) [SETTINGS ...] FORMAT X` rewritten to read its data from a file:
 * `INSERT INTO t (cols) FROM INFILE 'path' COMPRESSION 'none' [SETTINGS ...] FORMAT X` (the grammar
 * puts FROM INFILE before SETTINGS; COMPRESSION stops guessing from the file name). Undefined for
 * any other shape (INSERT ... SELECT, VALUES, comments), which the caller must then refuse.
 */
export function insertFromInfile(sql: string, path: string): string | undefined {
  const match = FORMATTED_INSERT.exec(sql);
  if (!match) return undefined;
  return `${match[1]} FROM INFILE ${quoteString(path)} COMPRESSION 'none'${match[2]}`;
}

/** `... input('structure') ... FORMAT Name`: an INSERT SELECT reading the request's data. */
const INPUT_INSERT =
  /^([\s\S]*?)\binput\s*\(\s*('(?:[^'\\]|\\[\s\S])*')\s*\)([\s\S]*?)\s+FORMAT\s+([A-Za-z][A-Za-z0-9_]*)\s*;?\s*$/i;

/**
 * `INSERT INTO t SELECT ... FROM input('structure') ... FORMAT X` rewritten to read its data from a
 * file: `... FROM file('path', 'X', 'structure') ...` (the trailing FORMAT names the data's format,
 * which file() takes as an argument). Undefined when the text has no such `input(...)` call.
 */
export function insertSelectFromFile(sql: string, path: string): string | undefined {
  const match = INPUT_INSERT.exec(sql);
  if (!match) return undefined;
  const [, before, structure, after, format] = match as unknown as [string, string, string, string, string];
  return `${before}file(${quoteString(path)}, ${quoteString(format)}, ${structure})${after}`;
}
