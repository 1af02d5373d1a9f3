import { describe, expect, it } from "vitest";
import { pollDelay } from "./progress.ts";

describe("pollDelay", () => {
  it("reads a young stream's row every 50 ms, then every tenth of its age, up to the stream's pace", () => {
    expect(pollDelay(0, 500)).toBe(50);
    expect(pollDelay(400, 500)).toBe(50);
    expect(pollDelay(1_000, 500)).toBe(100);
    expect(pollDelay(3_000, 500)).toBe(300);
    expect(pollDelay(60_000, 500)).toBe(500);
    expect(pollDelay(2_000, 100)).toBe(100);
  });
});
