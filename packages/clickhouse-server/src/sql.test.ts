import { describe, expect, it } from "vitest";
import { fromEngineError } from "./errors.ts";
import { parseMultipart } from "./multipart.ts";
import {
  insertFromInfile,
  insertSelectFromFile,
  isBlank,
  leadingKeyword,
  quoteString,
  secondStatementAt,
  trailingFormat,
} from "./sql.ts";

describe("sql helpers", () => {
  it("rewrites a formatted INSERT to read its data FROM INFILE, before SETTINGS", () => {
    expect(insertFromInfile("INSERT INTO db.t (a, b) FORMAT RowBinary", "/tmp/x'y")).toBe(
      "INSERT INTO db.t (a, b) FROM INFILE '/tmp/x\\'y' COMPRESSION 'none' FORMAT RowBinary",
    );
    expect(insertFromInfile("insert into `my db`.t SETTINGS async_insert = 0 FORMAT TSV\n", "/f")).toBe(
      "insert into `my db`.t FROM INFILE '/f' COMPRESSION 'none' SETTINGS async_insert = 0 FORMAT TSV\n",
    );
    expect(
      insertFromInfile("INSERT INTO t SELECT * FROM input('a UInt8') FORMAT RowBinary", "/f"),
    ).toBeUndefined();
    expect(insertFromInfile("INSERT INTO t VALUES", "/f")).toBeUndefined();
  });

  it("rewrites an INSERT SELECT from input() to read file(path, format, structure)", () => {
    expect(
      insertSelectFromFile(
        "INSERT INTO t SELECT {p:String}, x FROM input('x DateTime64(3, \\'UTC\\')') SETTINGS a = 1 FORMAT RowBinary",
        "/tmp/f",
      ),
    ).toBe(
      "INSERT INTO t SELECT {p:String}, x FROM file('/tmp/f', 'RowBinary', 'x DateTime64(3, \\'UTC\\')') SETTINGS a = 1",
    );
    expect(insertSelectFromFile("INSERT INTO t FORMAT RowBinary", "/f")).toBeUndefined();
  });

  it("finds the leading keyword past comments", () => {
    expect(leadingKeyword("  -- note\n/* a /* nested */ b */ insert INTO t VALUES")).toBe("INSERT");
    expect(leadingKeyword("(SELECT 1)")).toBe("");
    expect(isBlank(" -- only a comment\n /* and this */ ")).toBe(true);
    expect(isBlank("-- c\nSELECT 1")).toBe(false);
  });

  it("spots a second statement but not a semicolon in strings, identifiers or comments", () => {
    expect(secondStatementAt("SELECT 1; SELECT 2")).toBe(10);
    expect(secondStatementAt("SELECT 1;  \n-- trailing comment\n")).toBe(-1);
    expect(secondStatementAt("SELECT ';', \"a;b\", `c;d` -- ; DROP\n")).toBe(-1);
    expect(secondStatementAt("SELECT 'it\\'s;' /* ; */")).toBe(-1);
    expect(secondStatementAt("SELECT 'a''b;'; DROP TABLE x")).toBe(16);
  });

  it("reads the trailing FORMAT clause", () => {
    expect(trailingFormat("SELECT 1 \nFORMAT JSONEachRow")).toBe("JSONEachRow");
    expect(trailingFormat("SELECT 1 FORMAT CSV SETTINGS max_threads = 1;")).toBe("CSV");
    expect(trailingFormat("SELECT 'FORMAT JSON'")).toBeUndefined();
  });

  it("quotes strings so the engine reads back exactly the value", () => {
    expect(quoteString("a'b\\c\0d\ne")).toBe("'a\\'b\\\\c\\0d\ne'");
  });
});

describe("engine error parsing", () => {
  it("keeps the innermost message of nested chdb errors", () => {
    const error = fromEngineError(
      new Error(
        "Code: 73. DB::Exception: Code: 73. DB::Exception: Unknown format Nope. (UNKNOWN_FORMAT) (version 26.7.2.1). (UNKNOWN_FORMAT)",
      ),
    );
    expect([error.code, error.type, error.status]).toEqual([73, "UNKNOWN_FORMAT", 404]);
    expect(error.body).toBe("Code: 73. DB::Exception: Unknown format Nope. (UNKNOWN_FORMAT)\n");
  });

  it("wraps text that is not a ClickHouse error as STD_EXCEPTION", () => {
    const error = fromEngineError(new Error("Connection handle is null (closed?)"));
    expect([error.code, error.type, error.status]).toEqual([1001, "STD_EXCEPTION", 500]);
  });
});

describe("multipart reader", () => {
  it("splits fields and keeps values byte-exact", () => {
    const body = Buffer.from(
      '--b0\r\nContent-Disposition: form-data; name="query"\r\n\r\nSELECT {v:String}\r\n' +
        '--b0\r\nContent-Disposition: form-data; name="param_v"\r\n\r\nline1\r\nline2 --b0x\r\n' +
        "--b0--\r\n",
    );
    const fields = parseMultipart(body, "b0");
    expect(fields.map((f) => [f.name, f.value.toString()])).toEqual([
      ["query", "SELECT {v:String}"],
      ["param_v", "line1\r\nline2 --b0x"],
    ]);
  });
});
