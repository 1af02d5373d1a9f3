import { describe, expect, it } from "vitest";
import { RequestCache } from "./cache.ts";

describe("RequestCache", () => {
  it("serves a loaded value until the TTL runs out (injected clock)", async () => {
    let now = 1_000;
    const cache = new RequestCache({ ttlMs: 30_000, now: () => now });
    let loads = 0;
    const load = async () => ++loads;
    expect(await cache.getOrLoad("k", load)).toBe(1);
    now += 29_999;
    expect(await cache.getOrLoad("k", load)).toBe(1);
    now += 1;
    expect(await cache.getOrLoad("k", load)).toBe(2);
    expect(loads).toBe(2);
  });

  it("evicts the least recently used entry beyond maxEntries", async () => {
    const cache = new RequestCache({ maxEntries: 2 });
    const loads: string[] = [];
    const get = (key: string) =>
      cache.getOrLoad(key, async () => {
        loads.push(key);
        return key;
      });
    await get("a");
    await get("b");
    await get("a"); // a is now the most recent
    await get("c"); // evicts b
    expect(cache.size).toBe(2);
    await get("a");
    await get("b");
    expect(loads).toEqual(["a", "b", "c", "b"]);
  });

  it("shares one in-flight load between identical concurrent calls", async () => {
    const cache = new RequestCache();
    let release: (value: string) => void = () => {};
    let loads = 0;
    const load = () => {
      loads++;
      return new Promise<string>((resolve) => {
        release = resolve;
      });
    };
    const first = cache.getOrLoad("k", load);
    const second = cache.getOrLoad("k", load);
    release("done");
    expect(await Promise.all([first, second])).toEqual(["done", "done"]);
    expect(loads).toBe(1);
  });

  it("does not cache failures", async () => {
    const cache = new RequestCache();
    let calls = 0;
    const load = async () => {
      calls++;
      if (calls === 1) throw new Error("boom");
      return "ok";
    };
    await expect(cache.getOrLoad("k", load)).rejects.toThrow("boom");
    expect(await cache.getOrLoad("k", load)).toBe("ok");
    expect(calls).toBe(2);
  });

  it("stops waiting for an in-flight load that never settles and loads itself", async () => {
    const cache = new RequestCache({ inFlightWaitMs: 20 });
    void cache.getOrLoad("k", () => new Promise<string>(() => {})); // e.g. its request was cancelled
    expect(await cache.getOrLoad("k", async () => "own")).toBe("own");
    expect(await cache.getOrLoad("k", async () => "again")).toBe("own"); // and it was cached
  });
});
