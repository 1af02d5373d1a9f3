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

  /** Bits of each value: a round trip must keep -0 and NaN payloads, which `===` would not tell apart. */
  const bitsOf = (values: Float64Array) =>
    Array.from(new BigUint64Array(values.buffer, values.byteOffset, values.length), String);

  it("stores a curve that repeats itself (flat stretches) as version 3: changed values and a bitmap", () => {
    const n = 10_001;
    const time = Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 60_000);
    // Flat for 100 bars, then moving for 100, and so on; -0 after 0 and a NaN payload are changes.
    const equity = Float64Array.from({ length: n }, (_, i) =>
      Math.floor(i / 100) % 2 === 0 ? 10_000 + Math.floor(i / 200) : 10_000 + Math.sin(i),
    );
    equity[5000] = 0;
    equity[5001] = -0;
    equity[5002] = -0;
    // A NaN with a payload, twice (a repeat), written as bits.
    new BigUint64Array(equity.buffer)[7000] = 0x7ff8_0000_0000_0001n;
    new BigUint64Array(equity.buffer)[7001] = 0x7ff8_0000_0000_0001n;
    const bytes = encodeEquity(time, equity);
    expect(version(bytes)).toBe(3);
    const changed = bitsOf(equity).filter((b, i, all) => i === 0 || b !== all[i - 1]).length;
    expect(changed).toBeLessThan(n * 0.6);
    expect(bytes.length).toBe(24 + 24 + changed * 8 + Math.ceil(n / 8));
    const back = decodeEquity(bytes.buffer as ArrayBuffer);
    expect(bitsOf(back.equity)).toEqual(bitsOf(equity));
    expect(Array.from(back.time)).toEqual(Array.from(time));
    // Every prefix (any bitmap tail), and a curve shorter than the bars.
    for (const length of [0, 1, 2, 99, 100, 101, 199, 200, 201, 4999, 5003]) {
      const part = equity.subarray(0, length);
      const decoded = decodeEquity(encodeEquity(time, part).buffer as ArrayBuffer);
      expect(bitsOf(decoded.equity)).toEqual(bitsOf(part));
      expect(Array.from(decoded.time)).toEqual(Array.from(time.subarray(0, length)));
    }
    // All flat: one value and the bitmap.
    const flat = new Float64Array(1000).fill(10_000);
    const flatBytes = encodeEquity(time, flat);
    expect(flatBytes.length).toBe(24 + 24 + 8 + 125);
    expect(Array.from(decodeEquity(flatBytes.buffer as ArrayBuffer).equity)).toEqual(Array.from(flat));
  });

  it("reads version 3 from its published layout and rejects a damaged one", () => {
    // Bars at 0, 60000, 120000, 180000 (one run) with equity 5, 5, 7, 7: values 5 and 7 stored,
    // bars 1 and 3 marked as repeats (bitmap 0b1010).
    const buffer = new ArrayBuffer(24 + 24 + 16 + 1);
    const view = new DataView(buffer);
    view.setUint32(0, 0x51454751, true);
    view.setUint32(4, 3, true);
    view.setUint32(8, 4, true);
    view.setUint32(12, 1, true);
    view.setUint32(16, 2, true);
    new Float64Array(buffer, 24, 5).set([0, 60_000, 4, 5, 7]);
    new Uint8Array(buffer, 64, 1)[0] = 0b1010;
    const back = decodeEquity(buffer);
    expect(Array.from(back.time)).toEqual([0, 60_000, 120_000, 180_000]);
    expect(Array.from(back.equity)).toEqual([5, 5, 7, 7]);
    expect(new Uint8Array(encodeEquity(back.time, back.equity))).toEqual(new Uint8Array(buffer));
    expect(() => decodeEquity(buffer.slice(0, buffer.byteLength - 1))).toThrow(/truncated/);
    const tooFew = buffer.slice(0);
    new Uint8Array(tooFew, 64, 1)[0] = 0b0010; // three values wanted, two stored
    expect(() => decodeEquity(tooFew)).toThrow(/corrupt/);
    const tooMany = buffer.slice(0);
    new Uint8Array(tooMany, 64, 1)[0] = 0b1110; // one value wanted, two stored
    expect(() => decodeEquity(tooMany)).toThrow(/corrupt/);
  });
});
