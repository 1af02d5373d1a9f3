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

  it("stops at maxRows", () => {
    const parser = new CsvBarParser({ timeframe: "1m", maxRows: 2 });
    const rows = [0, 1, 2].map((i) => `${T0 + i * 60_000},1,1,1,1,1`).join("\n");
    expect(() => {
      parser.push(enc.encode(`timestamp,open,high,low,close,volume\n${rows}\n`));
      parser.finish();
    }).toThrow(CsvTooLargeError);
  });

  it("parses a million rows in well under the time budget", () => {
    const lines = ["timestamp,open,high,low,close,volume"];
    for (let i = 0; i < 1_000_000; i++) lines.push(`${T0 + i * 60_000},100.5,101.25,99.75,100.125,1234`);
    const bytes = enc.encode(lines.join("\n"));
    const started = performance.now();
    const parser = new CsvBarParser({ timeframe: "1m", expectedRows: bytes.length / 40 });
    for (let i = 0; i < bytes.length; i += 65_536) parser.push(bytes.subarray(i, i + 65_536));
    const { bars, report } = parser.finish();
    const ms = performance.now() - started;
    expect(report.rowsRejected).toBe(0);
    expect(bars.count).toBe(1_000_000);
    expect(bars.time[999_999]).toBe(T0 + 999_999 * 60_000);
    expect(ms).toBeLessThan(10_000);
  });
});
