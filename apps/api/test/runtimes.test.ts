import { describe, expect, inject, it } from "vitest";
import { decodeEquity, downsampleIndices, encodeEquity } from "../src/domain/backtests/equity.ts";
import { endpointRefusal } from "../src/domain/strategies/runtimes/endpoint-policy.ts";
import { RuntimeError } from "../src/domain/strategies/runtimes/errors.ts";
import { remoteCaller } from "../src/domain/strategies/runtimes/remote.ts";

describe("remote endpoint policy", () => {
  it("refuses loopback, private, link-local and local names in production, in every spelling", () => {
    const refused = [
      "http://localhost:8000/signal",
      "http://api.localhost/signal",
      "http://127.0.0.1/signal",
      "http://2130706433/signal", // 127.0.0.1 as one number
      "http://0x7f.1/signal",
      "http://10.1.2.3/signal",
      "http://172.20.0.1/signal",
      "http://192.168.1.10/signal",
      "http://169.254.169.254/latest/meta-data",
      "http://100.64.0.1/signal",
      "http://0.0.0.0/signal",
      "http://[::1]/signal",
      "http://[::ffff:127.0.0.1]/signal",
      "http://[fd00::1]/signal",
      "http://[fe80::1]/signal",
      "http://printer.local/signal",
    ];
    for (const url of refused) expect(endpointRefusal(url, false), url).toMatch(/local host name|non-public/);
    expect(endpointRefusal("ftp://strategies.example/signal", false)).toMatch(/http or https/);
    expect(endpointRefusal("https://user:pw@strategies.example/signal", false)).toMatch(/credentials/);
  });

  it("allows public endpoints, and private ones only when configured to", () => {
    for (const url of [
      "https://strategies.example/signal",
      "http://8.8.8.8/signal",
      "https://[2606:4700::1111]/",
    ]) {
      expect(endpointRefusal(url, false), url).toBeNull();
    }
    expect(endpointRefusal("http://127.0.0.1:9000/signal", true)).toBeNull();
  });
});

describe("remote caller", () => {
  const input = (index: number) =>
    ({
      candle: { time: "2025-01-01T00:00:00.000Z", open: 1, high: 1, low: 1, close: 1, volume: 1 },
      history: [],
      portfolio: { cash: 1, equity: 1, openPosition: null, lastTradeAt: null },
      parameters: {},
      context: {
        index,
        totalCandles: 1,
        timeframe: "1m",
        strategy: { name: "t", version: "1", runtime: "remote", language: "py" },
      },
    }) as unknown as Parameters<ReturnType<typeof remoteCaller>>[0];

  it("times out with the candle index and the budget in the message", async () => {
    const call = remoteCaller(
      { type: "remote", language: "python", endpoint: `${inject("remoteStrategyUrl")}/slow`, timeoutMs: 100 },
      { allowPrivate: true },
    );
    const error = await Promise.resolve(call(input(7))).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RuntimeError);
    expect((error as RuntimeError).message).toBe("Remote strategy did not answer within 100 ms at candle 7.");
  });

  it("refuses a private endpoint before calling it when private endpoints are not allowed", () => {
    expect(() =>
      remoteCaller(
        { type: "remote", language: "python", endpoint: `${inject("remoteStrategyUrl")}/signal` },
        { allowPrivate: false },
      ),
    ).toThrow(/non-public address/);
  });
});

describe("equity downsampling", () => {
  it("keeps the first and last bar and every bucket's extremes, within the requested points", () => {
    let seed = 1;
    const equity = Float64Array.from({ length: 50_000 }, () => {
      seed = (seed * 16807) % 2147483647;
      return 10_000 + (seed / 2147483647 - 0.5) * 1000;
    });
    equity[12_345] = 1; // a deep drawdown
    equity[40_000] = 1e6; // a spike
    const picked = downsampleIndices(equity, 300);
    expect(picked.length).toBeLessThanOrEqual(300);
    expect(picked[0]).toBe(0);
    expect(picked.at(-1)).toBe(equity.length - 1);
    expect(picked).toContain(12_345);
    expect(picked).toContain(40_000);
    expect([...picked].sort((a, b) => a - b)).toEqual(picked);
    expect(downsampleIndices(equity.subarray(0, 10), 300)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe("equity curve encoding", () => {
  const version = (bytes: Uint8Array) => new DataView(bytes.buffer).getUint32(4, true);
  const roundTrip = (time: Float64Array, equity: Float64Array) => {
    const bytes = encodeEquity(time, equity);
    const back = decodeEquity(bytes.buffer as ArrayBuffer);
    expect(Array.from(back.time)).toEqual(Array.from(time.subarray(0, equity.length)));
    expect(Array.from(back.equity)).toEqual(Array.from(equity));
    return bytes;
  };

  it("stores evenly spaced times as runs (version 2), gaps included, and gives back every time exactly", () => {
    const n = 10_000;
    const time = Float64Array.from(
      { length: n },
      (_, i) => 1_700_000_000_000 + i * 60_000 + (i >= 4000 ? 3_600_000 : 0),
    );
    const equity = Float64Array.from({ length: n }, (_, i) => 10_000 + Math.sin(i) * 0.1);
    const bytes = roundTrip(time, equity);
    expect(version(bytes)).toBe(2);
    expect(bytes.length).toBe(16 + 2 * 24 + n * 8);
    // A curve shorter than the bars (times beyond it are not stored).
    roundTrip(time, equity.subarray(0, 3));
    expect(decodeEquity(encodeEquity(time, new Float64Array(0)).buffer as ArrayBuffer).equity.length).toBe(0);
  });

  it("falls back to version 1 when the times have too many gaps, and still reads version 1", () => {
    const time = Float64Array.from({ length: 100 }, (_, i) => i * i * 1000);
    const bytes = roundTrip(
      time,
      Float64Array.from({ length: 100 }, (_, i) => i),
    );
    expect(version(bytes)).toBe(1);
    expect(bytes.length).toBe(16 + 100 * 16);
    expect(() => decodeEquity(bytes.buffer.slice(0, bytes.length - 8) as ArrayBuffer)).toThrow(/truncated/);
    expect(() => decodeEquity(new ArrayBuffer(16))).toThrow(/equity curve/);
  });
});
