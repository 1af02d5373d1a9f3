import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { defined } from "./helpers.ts";

describe("R2 (STRATEGY_ARTIFACTS)", () => {
  it("stores and reads back bytes with metadata, lists and deletes them", async () => {
    const bytes = new Uint8Array(4096).map((_, i) => (i * 31) % 256);
    const digest = await crypto.subtle.digest("SHA-256", bytes);
    const key = `artifacts/sha256/${[...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;

    await env.STRATEGY_ARTIFACTS.put(key, bytes, {
      httpMetadata: { contentType: "application/wasm" },
      customMetadata: { fileName: "strategy.wasm" },
      sha256: digest,
    });
    const object = defined(await env.STRATEGY_ARTIFACTS.get(key), "the stored object");
    expect(new Uint8Array(await object.arrayBuffer())).toEqual(bytes);
    expect(object.httpMetadata?.contentType).toBe("application/wasm");
    expect(object.customMetadata).toEqual({ fileName: "strategy.wasm" });

    const listed = await env.STRATEGY_ARTIFACTS.list({ prefix: "artifacts/sha256/" });
    expect(listed.objects.map((o) => o.key)).toContain(key);

    await env.STRATEGY_ARTIFACTS.delete(key);
    expect(await env.STRATEGY_ARTIFACTS.get(key)).toBeNull();
  });

  it("refuses a put whose bytes do not match the declared SHA-256", async () => {
    const wrong = new Uint8Array(32);
    await expect(
      env.STRATEGY_ARTIFACTS.put("artifacts/bad", new Uint8Array([1, 2, 3]), { sha256: wrong }),
    ).rejects.toThrow();
  });
});
