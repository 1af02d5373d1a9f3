import { describe, expect, it } from "vitest";
import { generateSmaxBars } from "./fixtures/smax.ts";
import { validateBars } from "./simulation.ts";

// validateBars checks every bar with one branch-free pass and only walks the bars one by one when
// that pass fails; these cases pin that each bad value, wherever it is, gives the per-bar message.
describe("validateBars", () => {
  type Column = "time" | "open" | "high" | "low" | "close";
  // [case, values to write into bar i (a function of the bars for the repeated time), message]
  const bad: [string, (b: ReturnType<typeof generateSmaxBars>, i: number) => [Column, number][], RegExp][] = [
    ["NaN time", () => [["time", Number.NaN]], /strictly increasing \(bar \d+\)/],
    ["+Infinity time", () => [["time", Number.POSITIVE_INFINITY]], /strictly increasing/],
    ["-Infinity time", () => [["time", Number.NEGATIVE_INFINITY]], /strictly increasing/],
    ["repeated time", (b, i) => [["time", b.time[i === 0 ? 1 : i - 1] as number]], /strictly increasing/],
    ["zero open", () => [["open", 0]], /bar \d+ has a non-finite or non-positive price/],
    ["negative high", () => [["high", -1]], /non-positive price/],
    ["NaN low", () => [["low", Number.NaN]], /non-positive price/],
    ["+Infinity close", () => [["close", Number.POSITIVE_INFINITY]], /non-positive price/],
    [
      "overflowing sum",
      () => [
        ["open", Number.MAX_VALUE],
        ["close", Number.MAX_VALUE],
      ],
      /non-positive price/,
    ],
  ];
  for (const [name, values, message] of bad) {
    for (const i of [0, 1, 57, 99]) {
      it(`rejects ${name} at bar ${i}`, () => {
        const b = generateSmaxBars(100);
        for (const [column, value] of values(b, i)) b[column][i] = value;
        expect(() => validateBars(b)).toThrow(message);
      });
    }
  }

  it("names the first offending bar", () => {
    const b = generateSmaxBars(100);
    b.low[70] = 0;
    b.open[40] = Number.NaN;
    expect(() => validateBars(b)).toThrow("bar 40 has a non-finite or non-positive price");
  });

  it("returns the smallest gap, 0 for fewer than two bars", () => {
    const b = generateSmaxBars(100);
    b.time[99] = (b.time[98] as number) + 1000;
    expect(validateBars(b)).toBe(1000);
    expect(validateBars(generateSmaxBars(1))).toBe(0);
    expect(validateBars(generateSmaxBars(0))).toBe(0);
  });

  it("accepts finite prices whose per-bar sum stays finite", () => {
    const b = generateSmaxBars(3);
    b.open.fill(Number.MAX_VALUE / 8);
    b.high.fill(Number.MAX_VALUE / 8);
    b.low.fill(Number.MAX_VALUE / 8);
    b.close.fill(Number.MAX_VALUE / 8);
    expect(validateBars(b)).toBe(60_000);
  });
});
