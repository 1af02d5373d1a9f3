import { describe, expect, it } from "vitest";
import { CsvBarParser, CsvHeaderError, CsvTooLargeError, parseIsoUtc } from "./csv.ts";

const enc = new TextEncoder();
const T0 = Date.UTC(2024, 0, 1);

function parse(text: string, timeframe: "1m" | "1h" | "1d" = "1m", chunk = 7) {
  const parser = new CsvBarParser({ timeframe });
  const bytes = enc.encode(text);
  // Small chunks: rows and multi-byte characters split across pushes.
  for (let i = 0; i < bytes.length; i += chunk) parser.push(bytes.subarray(i, i + chunk));
  return parser.finish();
}

describe("CsvBarParser", () => {
  it("reads Unix ms, ISO timestamps and UTC datetimes, columns in any order", () => {
    const { bars, report } = parse(
      [
        "volume,close,timestamp,low,open,high",
        `10,1.5,${T0},1,1.2,2`,
        "11,1.6,2024-01-01T00:01:00Z,1,1.5,2",
        '12,1.7,"2024-01-01T01:02:00+01:00",1,1.6,2',
        "",
      ].join("\r\n"),
    );
    expect(report.rowsRejected).toBe(0);
    expect(bars.count).toBe(3);
    expect([...bars.time]).toEqual([T0, T0 + 60_000, T0 + 120_000]);
    expect([...bars.open]).toEqual([1.2, 1.5, 1.6]);
    expect([...bars.volume]).toEqual([10, 11, 12]);

    const dt = parse(
      "datetime,open,high,low,close,volume\n2024-01-01 00:00:00,1,2,1,1,0\n2024-01-01 01:00,1,2,1,1,0\n",
      "1h",
    );
    expect([...dt.bars.time]).toEqual([T0, T0 + 3_600_000]);
  });

  it("rejects wrong headers precisely", () => {
    expect(() => parse("time,open,high,low,close,volume\n")).toThrow(CsvHeaderError);
    try {
      parse("timestamp,open,open,high,close,price\n1,2,3\n");
      expect.unreachable();
    } catch (err) {
      expect((err as CsvHeaderError).problems).toEqual([
        "column 'open' appears twice",
        "unknown column 'price' (accepted: timestamp, datetime, open, high, low, close, volume)",
        "missing columns low, volume",
      ]);
    }
    expect(() => parse("")).toThrow(/empty/);
  });

  it("reports every bad row with its line, column and reason", () => {
    const { bars, report } = parse(
      [
        "timestamp,open,high,low,close,volume",
        `${T0},1,2,1,1.5,10`, // 2 ok
        `${T0 + 60_000},abc,2,1,1.5,10`, // 3 non-numeric
        `${T0 + 60_000},1,0.5,1,1,10`, // 4 high < low
        `${T0 + 60_000},1,2,1,1.5`, // 5 field count
        `${T0},1,2,1,1.5,10`, // 6 duplicate of line 2
        `${T0 + 120_000},1,2,1,1.5,10`, // 7 ok
        `${T0 + 60_000},1,2,1,1.5,10`, // 8 unsorted
        `${T0 + 90_000},1,2,1,1.5,10`, // 9 not aligned
        `${Math.floor(T0 / 1000)},1,2,1,1.5,10`, // 10 seconds
        `${T0 + 180_000},1,1.2,1,1.5,-1`, // 11 high below close, negative volume
      ].join("\n"),
    );
    expect(bars.count).toBe(2);
    expect(report.rowsTotal).toBe(10);
    expect(report.rowsRejected).toBe(8);
    expect(report.rejected.map((r) => [r.line, r.code, r.column])).toEqual([
      [3, "not_a_number", "open"],
      [4, "high_below_low", "high"],
      [5, "field_count", undefined],
      [6, "duplicate_time", undefined],
      [8, "unsorted", undefined],
      [9, "not_aligned", undefined],
      [10, "bad_time", "timestamp"],
      [11, "negative", "volume"],
    ]);
    expect(report.rejected[0]?.reason).toBe("open 'abc' is not a number");
    expect(report.rejected[3]?.reason).toBe("duplicate time 2024-01-01T00:00:00.000Z (already on line 2)");
    expect(report.rejected[4]?.reason).toMatch(/earlier than 2024-01-01T00:02:00.000Z on line 7/);
    expect(report.reasonCounts).toMatchObject({ not_a_number: 1, unsorted: 1, duplicate_time: 1 });
  });

  it("checks both time columns agree and refuses impossible dates", () => {
    const { report } = parse(
      `timestamp,datetime,open,high,low,close,volume\n${T0},2024-01-01T00:01:00Z,1,1,1,1,1\n${T0},2024-02-30,1,1,1,1,1\n`,
    );
    expect(report.rejected.map((r) => r.code)).toEqual(["time_mismatch", "bad_time"]);
    expect(parseIsoUtc("2024-02-29")).toBe(Date.UTC(2024, 1, 29));
    expect(parseIsoUtc("2023-02-29")).toBeNaN();
  });

  it("reads every number as Number() does, on the byte-level fast path and off it", () => {
    // Random plain decimals of 1-18 digits (the fast path takes up to 15) plus forms only the text
    // path reads; each row's five values are equal so the row is valid.
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const texts = [
      "1.",
      ".5",
      "007",
      "0",
      "0.000",
      "1e3",
      "1E-2",
      "+4",
      " 2.5",
      '"3.25"',
      "123456789012345",
      "1234567890123456",
      "0.1234567890123456789",
    ];
    for (let i = 0; i < 3_000; i++) {
      const digits = Array.from({ length: 1 + Math.floor(random() * 18) }, () =>
        Math.floor(random() * 10),
      ).join("");
      const point = Math.floor(random() * (digits.length + 1));
      texts.push(random() < 0.2 ? digits : `${digits.slice(0, point)}.${digits.slice(point)}`);
    }
    const rows = texts.map((x, i) => `${T0 + i * 60_000},${x},${x},${x},${x},${x}`);
    const { bars, report } = parse(
      ["timestamp,open,high,low,close,volume", ...rows].join("\r\n"),
      "1m",
      4_093,
    );
    expect(report.rowsRejected).toBe(0);
    expect(bars.count).toBe(texts.length);
    texts.forEach((x, i) => {
      const expected = Number(x.replaceAll('"', "").trim());
      for (const column of [bars.open, bars.high, bars.low, bars.close, bars.volume])
        expect(Object.is(column[i], expected), `${x} at row ${i}`).toBe(true);
    });
  });

  it("takes only whole Unix ms as a timestamp, and a byte order mark only at the start", () => {
    const { bars, report } = parse(
      `\ufefftimestamp,open,high,low,close,volume\n${T0}.0,1,1,1,1,1\n${T0}.,1,1,1,1,1\n0${T0},1,1,1,1,1\n\ufeff${T0 + 60_000},1,1,1,1,1\n`,
    );
    // A leading zero still reads as whole ms; a mid-file U+FEFF is trimmed like any other whitespace.
    expect([...bars.time]).toEqual([T0, T0 + 60_000]);
    expect(report.rejected.map((r) => [r.line, r.code])).toEqual([
      [2, "bad_time"],
      [3, "bad_time"],
    ]);
  });

  it("stops at maxRows", () => {
    const parser = new CsvBarParser({ timeframe: "1m", maxRows: 2 });
    const rows = [0, 1, 2].map((i) => `${T0 + i * 60_000},1,1,1,1,1`).join("\n");
    expect(() => {
      parser.push(enc.encode(`timestamp,open,high,low,close,volume\n${rows}\n`));
      parser.finish();
    }).toThrow(CsvTooLargeError);
  });

  // Speed is measured by bench/ingestion, not here; this checks a full-size file split at 64 KiB chunks.
  it("parses a million rows fed in 64 KiB chunks, every row and column intact", () => {
    const lines = ["timestamp,open,high,low,close,volume"];
    for (let i = 0; i < 1_000_000; i++) lines.push(`${T0 + i * 60_000},100.5,101.25,99.75,100.125,1234`);
    const bytes = enc.encode(lines.join("\n"));
    const parser = new CsvBarParser({ timeframe: "1m", expectedRows: bytes.length / 40 });
    for (let i = 0; i < bytes.length; i += 65_536) parser.push(bytes.subarray(i, i + 65_536));
    const { bars, report } = parser.finish();
    expect(report.rowsRejected).toBe(0);
    expect(bars.count).toBe(1_000_000);
    expect(bars.time[999_999]).toBe(T0 + 999_999 * 60_000);
    for (const i of [0, 1_637, 524_287, 999_999]) {
      expect([bars.open[i], bars.high[i], bars.low[i], bars.close[i], bars.volume[i]]).toEqual([
        100.5, 101.25, 99.75, 100.125, 1234,
      ]);
    }
  });

  it("refuses times the store cannot hold, as row errors that name the line and column", () => {
    const { bars, report } = parse(
      [
        "timestamp,open,high,low,close,volume",
        "9000000000000000,1,1,1,1,1", // 2 past JavaScript's largest date
        "0000-01-01T00:00:00Z,1,1,1,1,1", // 3 year 0
        "1900-01-01,1,1,1,1,1", // 4 ClickHouse holds it, its bucket functions do not
        "2100-01-01T00:00:00Z,1,1,1,1,1", // 5 the first time past the range
        "1970-01-05T00:00:00Z,1,1,1,1,1", // 6 the first time inside it
        "2099-12-31T23:59:00Z,1,1,1,1,1", // 7 the last minute inside it
      ].join("\n"),
    );
    expect([...bars.time]).toEqual([Date.UTC(1970, 0, 5), Date.UTC(2099, 11, 31, 23, 59)]);
    expect(report.rejected.map((r) => [r.line, r.code, r.column])).toEqual([
      [2, "bad_time", "timestamp"],
      [3, "bad_time", "timestamp"],
      [4, "bad_time", "timestamp"],
      [5, "bad_time", "timestamp"],
    ]);
    expect(report.rejected[0]?.reason).toBe(
      "timestamp 9000000000000000 is outside the storable range 1970-01-05T00:00:00.000Z (inclusive) to 2100-01-01T00:00:00.000Z (exclusive)",
    );
    expect(report.rejected[1]?.reason).toMatch(
      /^timestamp '0000-01-01T00:00:00Z' is outside the storable range/,
    );

    const dt = parse(
      `timestamp,datetime,open,high,low,close,volume\n${T0},0000-01-01,1,1,1,1,1\n9000000000000000,2024-01-01,1,1,1,1,1\n`,
    );
    expect(dt.bars.count).toBe(0);
    expect(dt.report.rejected.map((r) => [r.line, r.code, r.column])).toEqual([
      [2, "bad_time", "datetime"],
      [3, "bad_time", "timestamp"],
    ]);
  });

  it("reads years below 100 as themselves, not as 19xx", () => {
    expect(parseIsoUtc("0000-01-01")).toBe(-62_167_219_200_000);
    expect(parseIsoUtc("0099-12-31T23:59:59Z")).toBe(
      Date.UTC(2099, 11, 31, 23, 59, 59) - 2000 * 365.2425 * 86_400_000,
    );
    expect(parseIsoUtc("0000-02-29")).toBe(-62_167_219_200_000 + (31 + 28) * 86_400_000); // year 0 is a leap year
    expect(parseIsoUtc("0100-02-29")).toBeNaN();
  });

  it("refuses rows holding NUL bytes without echoing them into the report", () => {
    const { bars, report } = parse(
      [
        "timestamp,open,high,low,close,volume",
        `${T0},1\u0000,1,1,1,1`,
        `${T0 + 60_000},1,1,1,1,1\u0000`,
        `\u0000${T0 + 120_000},1,1,1,1,1`,
        `${T0 + 180_000},1,1,1,1,1`,
      ].join("\n"),
    );
    expect([...bars.time]).toEqual([T0 + 180_000]);
    expect(report.rejected.map((r) => [r.line, r.code, r.column])).toEqual([
      [2, "nul_byte", "open"],
      [3, "nul_byte", "volume"],
      [4, "nul_byte", "timestamp"],
    ]);
    expect(report.rejected[0]?.reason).toBe("open holds a NUL byte (\\u0000)");
    expect(JSON.stringify(report)).not.toContain('\\u0000"');
    for (const r of report.rejected) expect(r.reason).not.toContain("\u0000");
    // The header's problems are reported with control characters escaped.
    try {
      parse("timestamp,open,high,low,close,vol\u0000ume\n");
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).not.toContain("\u0000");
      expect((err as CsvHeaderError).problems[0]).toBe(
        "unknown column 'vol\\u0000ume' (accepted: timestamp, datetime, open, high, low, close, volume)",
      );
    }
  });

  it("takes numbers only in decimal notation", () => {
    const bad = [
      "0x10",
      "0b1",
      "0o7",
      "Infinity",
      "-Infinity",
      "NaN",
      "1_000",
      "",
      "1e",
      "e5",
      "--1",
      "1.2.3",
    ];
    const rows = bad.map((x, i) => `${T0 + i * 60_000},1,1,1,1,${x}`);
    const { bars, report } = parse(["timestamp,open,high,low,close,volume", ...rows].join("\n"));
    expect(bars.count).toBe(0);
    expect(report.rejected.map((r) => [r.code, r.column])).toEqual(bad.map(() => ["not_a_number", "volume"]));
    expect(report.rejected[0]?.reason).toBe("volume '0x10' is not a number");
    expect(report.rejected[7]?.reason).toBe("volume is empty");
  });
});
