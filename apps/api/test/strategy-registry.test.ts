import { env } from "cloudflare:workers";
import {
  createStrategyResponseSchema,
  createVersionResponseSchema,
  strategyListResponseSchema,
  strategyResponseSchema,
  strategyVersionListResponseSchema,
} from "@quantago/contracts";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { artifactKey, sha256Hex } from "../src/domain/strategies/artifacts.ts";
import { as, json, newUser, type TestUser } from "./auth-helpers.ts";
import { api, expectError } from "./helpers.ts";

const smaWasm = () => inject("wasmModulesBase64")["sma-crossover.wasm"] as string;
const jsonAbiWasm = () => inject("wasmModulesBase64")["json-sma-crossover.wasm"] as string;

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** A valid module that imports `env.f` and exports nothing: two reasons to refuse it. */
const IMPORTING_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x02, 0x09, 0x01, 0x03,
  0x65, 0x6e, 0x76, 0x01, 0x66, 0x00, 0x00,
]);

let counter = 0;
function uniqueSlug(tag: string): string {
  counter += 1;
  return `${tag}-${Date.now().toString(36)}-${counter}`;
}

function wasmStrategy(slug: string, overrides: Record<string, unknown> = {}, content = smaWasm()) {
  return {
    strategy: {
      slug,
      name: "SMA crossover (WASM)",
      description: "Columnar-ABI SMA crossover built from packages/wasm-sdk.",
      runtime_type: "wasm",
      language: "assemblyscript",
      default_frequency: "Daily",
      min_candles: 30,
      lookback_candles: 30,
      default_config: { takeProfitLevel: null, stopLossLevel: null, timeframe: "1h" },
      parameter_schema: {
        type: "object",
        properties: {
          fast: { type: "integer", default: 10, minimum: 1 },
          slow: { type: "integer", default: 30, minimum: 2 },
        },
      },
      initial_version: {
        version: "1.0.0",
        runtime_config: { type: "wasm", language: "assemblyscript" },
        artifact: { file_name: "sma.wasm", content_base64: content, content_type: "application/wasm" },
      },
      ...overrides,
    },
  };
}

function remoteStrategy(slug: string, isPublic = false) {
  return {
    strategy: {
      slug,
      name: "Remote momentum",
      description: "A strategy served over HTTP.",
      runtime_type: "remote",
      language: "python",
      default_frequency: "scalping",
      min_candles: 5,
      lookback_candles: 5,
      default_config: { takeProfitLevel: 2, stopLossLevel: 1 },
      parameter_schema: { type: "object", properties: {} },
      is_public: isPublic,
      initial_version: {
        version: "0.1.0",
        runtime_config: { type: "remote", language: "python", endpoint: "https://strategies.example/signal" },
      },
    },
  };
}

describe("strategy registry", () => {
  let owner: TestUser;
  let other: TestUser;
  beforeAll(async () => {
    [owner, other] = await Promise.all([newUser({ name: "Owner" }), newUser({ name: "Other" })]);
  });

  it("creates a WASM strategy with its module, stored in R2 under its SHA-256", async () => {
    const slug = uniqueSlug("wasm-sma");
    const res = await as(owner, "/api/strategies", json(wasmStrategy(slug)));
    expect(res.status, await res.clone().text()).toBe(201);
    const body = createStrategyResponseSchema.parse(await res.json());
    const sha = await sha256Hex(fromBase64(smaWasm()));
    expect(body.definition).toMatchObject({
      slug,
      source: "registry",
      // As published: the stored runtime config, with the artifact's key for a WASM module.
      runtime: { type: "wasm", language: "assemblyscript", artifactKey: artifactKey(sha) },
      runtimeType: "wasm",
      version: "1.0.0",
      defaultFrequency: "daily",
      isPublic: false,
      owned: true,
    });
    expect(body.version).toMatchObject({
      version: "1.0.0",
      current: true,
      artifact: { sha256: sha },
      // The published snake_case row beside ours.
      runtime_config: { type: "wasm", language: "assemblyscript" },
      artifact_key: artifactKey(sha),
      artifact_content_type: "application/wasm",
      created_at: body.version.createdAt,
    });
    expect(body.version.strategy_id).toMatch(/./);
    const stored = await env.STRATEGY_ARTIFACTS.get(artifactKey(sha));
    expect(stored && new Uint8Array(await stored.arrayBuffer())).toEqual(fromBase64(smaWasm()));
  });

  it("shows private strategies to their owner only, public ones to everyone", async () => {
    const privateSlug = uniqueSlug("private");
    const publicSlug = uniqueSlug("public");
    expect((await as(owner, "/api/strategies", json(remoteStrategy(privateSlug)))).status).toBe(201);
    expect((await as(owner, "/api/strategies", json(remoteStrategy(publicSlug, true)))).status).toBe(201);

    const ownList = strategyListResponseSchema.parse(await (await as(owner, "/api/strategies")).json());
    const otherList = strategyListResponseSchema.parse(await (await as(other, "/api/strategies")).json());
    const slugs = (list: typeof ownList) => list.map((s) => s.slug);
    expect(slugs(ownList)).toEqual(expect.arrayContaining([privateSlug, publicSlug, "sma-crossover"]));
    expect(slugs(otherList)).toContain(publicSlug);
    expect(slugs(otherList)).not.toContain(privateSlug);

    const publicForOther = strategyResponseSchema.parse(
      await (await as(other, `/api/strategies/${publicSlug}`)).json(),
    );
    expect(publicForOther.strategy).toMatchObject({ slug: publicSlug, source: "registry", owned: false });
    // Another user's private strategy does not exist for the caller: same answer as an unknown slug.
    await expectError(await as(other, `/api/strategies/${privateSlug}`), 404, "NOT_FOUND");
    await expectError(await as(other, `/api/strategies/${privateSlug}/versions`), 404, "NOT_FOUND");
  });

  it("refuses a taken slug, including a built-in's, with 409", async () => {
    const slug = uniqueSlug("taken");
    expect((await as(owner, "/api/strategies", json(remoteStrategy(slug)))).status).toBe(201);
    const again = await expectError(
      await as(other, "/api/strategies", json(remoteStrategy(slug))),
      409,
      "CONFLICT",
    );
    expect(again.error.message).toContain(slug);
    await expectError(
      await as(owner, "/api/strategies", json(remoteStrategy("sma-crossover"))),
      409,
      "CONFLICT",
    );
  });

  it("adds immutable versions: newest first, a repeated version string is a 409, make_current is honoured", async () => {
    const slug = uniqueSlug("versions");
    expect((await as(owner, "/api/strategies", json(remoteStrategy(slug, true)))).status).toBe(201);
    const version = (v: string, extra: Record<string, unknown> = {}) =>
      json({
        version: {
          version: v,
          runtime_config: { type: "remote", language: "python", endpoint: `https://strategies.example/${v}` },
          ...extra,
        },
      });
    const second = await as(owner, `/api/strategies/${slug}/versions`, version("0.2.0"));
    expect(second.status, await second.clone().text()).toBe(201);
    // The bare version row, as published.
    expect(createVersionResponseSchema.parse(await second.json())).toMatchObject({
      current: true,
      version: "0.2.0",
      runtime_config: { endpoint: "https://strategies.example/0.2.0" },
    });
    const third = await as(
      owner,
      `/api/strategies/${slug}/versions`,
      version("0.3.0-rc1", { make_current: false }),
    );
    expect(createVersionResponseSchema.parse(await third.json()).current).toBe(false);

    // The same version string again, even with another endpoint, changes nothing.
    await expectError(await as(owner, `/api/strategies/${slug}/versions`, version("0.2.0")), 409, "CONFLICT");
    const listedRes = await as(other, `/api/strategies/${slug}/versions`);
    expect(listedRes.headers.get("X-Total-Count")).toBe("3");
    const listed = strategyVersionListResponseSchema.parse(await listedRes.json());
    expect(listed.map((v) => [v.version, v.current]).filter(([v]) => v !== "0.4.0")).toEqual([
      ["0.3.0-rc1", false],
      ["0.2.0", true],
      ["0.1.0", false],
    ]);
    const v2 = listed.find((v) => v.version === "0.2.0");
    expect(v2?.runtimeConfig).toMatchObject({ endpoint: "https://strategies.example/0.2.0" });

    // A remote version's header values are credentials: the owner sees them, other users only the names.
    const keyed = version("0.4.0", { make_current: false });
    const body = JSON.parse(keyed.body as string);
    body.version.runtime_config.headers = { "x-api-key": "secret-123" };
    expect((await as(owner, `/api/strategies/${slug}/versions`, json(body))).status).toBe(201);
    const headersOf = async (who: TestUser) => {
      const row = strategyVersionListResponseSchema
        .parse(await (await as(who, `/api/strategies/${slug}/versions`)).json())
        .find((v) => v.version === "0.4.0");
      expect(row?.runtime_config).toEqual(row?.runtimeConfig);
      return row?.runtimeConfig;
    };
    expect(await headersOf(owner)).toMatchObject({ headers: { "x-api-key": "secret-123" } });
    expect(await headersOf(other)).toMatchObject({ headers: { "x-api-key": "(hidden)" } });
    const current = strategyResponseSchema.parse(await (await as(other, `/api/strategies/${slug}`)).json());
    expect(current.strategy.version).toBe("0.2.0");

    // A visible strategy that is not yours: 403; there is no route that edits a version.
    await expectError(
      await as(other, `/api/strategies/${slug}/versions`, version("9.9.9")),
      403,
      "FORBIDDEN",
    );
    await expectError(
      await as(owner, `/api/strategies/${slug}/versions/0.2.0`, { ...version("0.2.0"), method: "PUT" }),
      404,
      "NOT_FOUND",
    );
  });

  it("keeps the runtime of a strategy across versions", async () => {
    const slug = uniqueSlug("runtime");
    expect((await as(owner, "/api/strategies", json(remoteStrategy(slug)))).status).toBe(201);
    const res = await as(
      owner,
      `/api/strategies/${slug}/versions`,
      json({
        version: {
          version: "2.0.0",
          runtime_config: { type: "wasm", language: "assemblyscript" },
          artifact: { file_name: "m.wasm", content_base64: smaWasm() },
        },
      }),
    );
    const body = await expectError(res, 400, "VALIDATION_FAILED");
    expect(body.error.issues?.[0]?.path).toEqual(["version", "runtime_config", "type"]);
  });

  it("validates artifacts before storing them and names what is wrong", async () => {
    const notWasm = await expectError(
      await as(
        owner,
        "/api/strategies",
        json(wasmStrategy(uniqueSlug("bad"), {}, base64(new TextEncoder().encode("print('hello')")))),
      ),
      400,
      "VALIDATION_FAILED",
    );
    expect(notWasm.error.message).toMatch(/invalid WebAssembly binary/);

    const importing = await expectError(
      await as(
        owner,
        "/api/strategies",
        json(wasmStrategy(uniqueSlug("imports"), {}, base64(IMPORTING_MODULE))),
      ),
      400,
      "VALIDATION_FAILED",
    );
    expect(importing.error.message).toContain('imports function "env.f"');
    expect(importing.error.message).toMatch(/missing .*qg_signals/);
    expect(importing.error.message).toMatch(/missing .*signal_len/);

    // The published JSON-ABI module with renamed exports it does not have.
    const renamed = wasmStrategy(uniqueSlug("renamed"), {}, jsonAbiWasm());
    renamed.strategy.initial_version.runtime_config = {
      type: "wasm",
      language: "assemblyscript",
      abi: "json",
      exportedFunction: "decide",
    } as typeof renamed.strategy.initial_version.runtime_config;
    const missing = await expectError(
      await as(owner, "/api/strategies", json(renamed)),
      400,
      "VALIDATION_FAILED",
    );
    expect(missing.error.message).toContain('"decide"');

    const noArtifact = wasmStrategy(uniqueSlug("none"));
    const { artifact: _dropped, ...versionWithout } = noArtifact.strategy.initial_version;
    const none = await expectError(
      await as(
        owner,
        "/api/strategies",
        json({ strategy: { ...noArtifact.strategy, initial_version: versionWithout } }),
      ),
      400,
      "VALIDATION_FAILED",
    );
    expect(none.error.message).toMatch(/needs its module/);

    const badBase64 = await expectError(
      await as(owner, "/api/strategies", json(wasmStrategy(uniqueSlug("b64"), {}, "not base64!"))),
      400,
      "VALIDATION_FAILED",
    );
    expect(JSON.stringify(badBase64.error.issues)).toContain("content_base64");

    // Nothing of the refused uploads was created.
    const list = strategyListResponseSchema.parse(await (await as(owner, "/api/strategies")).json());
    expect(list.some((s) => /^(bad|imports|renamed|none|b64)-/.test(s.slug))).toBe(false);
  });

  it("accepts the artifact at the top of the strategy body too (published tolerance)", async () => {
    const body = wasmStrategy(uniqueSlug("top"));
    const { artifact, ...version } = body.strategy.initial_version;
    const res = await as(
      owner,
      "/api/strategies",
      json({ strategy: { ...body.strategy, initial_version: version, artifact } }),
    );
    expect(res.status, await res.clone().text()).toBe(201);
  });

  it("refuses malformed JSON, bad fields and oversized bodies with the error envelope", async () => {
    await expectError(
      await as(owner, "/api/strategies", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{ nope",
      }),
      400,
      "VALIDATION_FAILED",
    );
    const bad = await expectError(
      await as(owner, "/api/strategies", json(wasmStrategy("Bad Slug!", { min_candles: 0 }))),
      400,
      "VALIDATION_FAILED",
    );
    const paths = bad.error.issues?.map((i) => i.path.join(".")) ?? [];
    expect(paths).toEqual(expect.arrayContaining(["strategy.slug", "strategy.min_candles"]));
    const huge = "A".repeat(12 * 1024 * 1024);
    await expectError(
      await as(owner, "/api/strategies", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: huge,
      }),
      413,
      "PAYLOAD_TOO_LARGE",
    );
  });

  it("serves an artifact to its owner and, when public, to others; private ones are 404 to others", async () => {
    const slug = uniqueSlug("download");
    expect((await as(owner, "/api/strategies", json(wasmStrategy(slug)))).status).toBe(201);
    const path = `/api/strategies/${slug}/versions/1.0.0/artifact`;
    const res = await as(owner, path);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/wasm");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="sma.wasm"');
    expect(res.headers.get("etag")).toBe(`"${await sha256Hex(fromBase64(smaWasm()))}"`);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(fromBase64(smaWasm()));
    await expectError(await as(other, path), 404, "NOT_FOUND");
    await expectError(await as(owner, `/api/strategies/${slug}/versions/9.9.9/artifact`), 404, "NOT_FOUND");
    await expectError(await api(path), 401, "UNAUTHENTICATED");

    const publicSlug = uniqueSlug("public-download");
    const publicBody = wasmStrategy(publicSlug, { is_public: true });
    expect((await as(owner, "/api/strategies", json(publicBody))).status).toBe(201);
    const shared = await as(other, `/api/strategies/${publicSlug}/versions/1.0.0/artifact`);
    expect(shared.status).toBe(200);
    expect(new Uint8Array(await shared.arrayBuffer())).toEqual(fromBase64(smaWasm()));
  });
});
